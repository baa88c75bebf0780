/*
 * A timer with sub-millisecond resolution on Node's loop: a timerfd
 * (CLOCK_MONOTONIC) watched by a uv_poll_t. setTimeout counts whole
 * milliseconds and often fires one late; spinning on loop turns instead is
 * precise only while nothing else wants the CPU (a busy process loses its
 * core to others, and a waiting one is woken first). keepalived's scheduler
 * sleeps on a timerfd too.
 *
 * Opening one also sets the calling thread's timer slack to 1 ns (by
 * default the kernel may defer its wake-ups by up to 50 us to batch them).
 *
 * openPreciseTimer(onFire) -> { arm(delayMs: number), disarm(), close() }
 *   arm: onFire() once, delayMs (fractional) from now; re-arming replaces the
 *   previous deadline. One timer serves many deadlines (the JS side keeps
 *   them and arms the earliest).
 */
#define _GNU_SOURCE
#include "precise_timer.h"
#include "net_socket.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <uv.h>

typedef struct {
  napi_env env;
  int fd;
  uv_poll_t *poll;
  napi_ref self, on_fire;
  napi_async_context async;
} precise_t;

static void poll_closed(uv_handle_t *handle) { free(handle); }

static void shutdown_timer(precise_t *t) {
  if (t->poll) {
    uv_poll_stop(t->poll);
    t->poll->data = NULL;
    uv_close((uv_handle_t *)t->poll, poll_closed);
    t->poll = NULL;
  }
  if (t->fd >= 0) close(t->fd);
  t->fd = -1;
  if (t->on_fire) { napi_delete_reference(t->env, t->on_fire); t->on_fire = NULL; }
  if (t->self) { napi_delete_reference(t->env, t->self); t->self = NULL; }
  if (t->async) { napi_async_destroy(t->env, t->async); t->async = NULL; }
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  precise_t *t = handle->data;
  (void)events;
  if (!t || status < 0) return;
  uint64_t expirations;
  if (read(t->fd, &expirations, sizeof expirations) != sizeof expirations) return; /* EAGAIN: re-armed meanwhile */
  uv_unref((uv_handle_t *)handle); /* fired: disarmed until armed again */
  napi_env env = t->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, result, exc;
  if (t->on_fire && napi_get_reference_value(env, t->on_fire, &fn) == napi_ok && fn) {
    napi_get_global(env, &recv);
    if (napi_make_callback(env, t->async, recv, fn, 0, NULL, &result) == napi_pending_exception &&
        napi_get_and_clear_last_exception(env, &exc) == napi_ok)
      napi_fatal_exception(env, exc);
  }
  napi_close_handle_scope(env, scope);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  shutdown_timer(data);
  free(data);
}

/* it_value zero disarms. The poll keeps the loop alive only while armed, like a pending setTimeout. */
static napi_value set_time(napi_env env, precise_t *t, const struct itimerspec *spec) {
  napi_value result;
  if (t->fd < 0 || timerfd_settime(t->fd, 0, spec, NULL) < 0) return throw_errno(env, "timerfd_settime", t->fd < 0 ? EBADF : errno);
  if (spec->it_value.tv_sec || spec->it_value.tv_nsec) uv_ref((uv_handle_t *)t->poll);
  else uv_unref((uv_handle_t *)t->poll);
  napi_get_undefined(env, &result);
  return result;
}

/* arm(delayMs: number): a deadline already due fires on the next loop turn. */
static napi_value arm(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double delay_ms = 0;
  precise_t *t = get_this(env, info, &argc, argv);
  if (!t || argc < 1 || napi_get_value_double(env, argv[0], &delay_ms) != napi_ok || isnan(delay_ms)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "arm(delayMs: number)");
    return NULL;
  }
  struct itimerspec spec = { .it_value.tv_nsec = 1 };
  if (delay_ms > 0) {
    double ns = ceil(delay_ms * 1e6);
    spec.it_value.tv_sec = (time_t)(ns / 1e9);
    spec.it_value.tv_nsec = (long)(ns - (double)spec.it_value.tv_sec * 1e9);
    if (!spec.it_value.tv_sec && !spec.it_value.tv_nsec) spec.it_value.tv_nsec = 1;
  }
  return set_time(env, t, &spec);
}

static napi_value disarm(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  precise_t *t = get_this(env, info, &argc, NULL);
  if (!t) return NULL;
  const struct itimerspec off = { 0 };
  return set_time(env, t, &off);
}

static napi_value close_timer(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value result;
  precise_t *t = get_this(env, info, &argc, NULL);
  if (t) shutdown_timer(t);
  napi_get_undefined(env, &result);
  return result;
}

/* Releases what was set up and throws an errno Error naming the failed call. */
static napi_value fail(napi_env env, precise_t *t, const char *what, int err) {
  if (t) shutdown_timer(t);
  return throw_errno(env, what, err);
}

/* openPreciseTimer(onFire: Function) */
static napi_value open_timer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj, name;
  napi_valuetype type = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "openPreciseTimer(onFire: Function)");
    return NULL;
  }
  precise_t *t = calloc(1, sizeof *t);
  if (!t) return fail(env, NULL, "calloc", ENOMEM);
  *t = (precise_t){ .env = env, .fd = -1 };
  if (napi_create_object(env, &obj) != napi_ok || napi_wrap(env, obj, t, finalize, NULL, NULL) != napi_ok) {
    free(t);
    return fail(env, NULL, "napi_wrap", ENOMEM);
  }
  /* From here the finalizer owns t. */
  if ((t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0) return fail(env, t, "timerfd_create", errno);
  /* The loop's thread: its timers may otherwise be deferred by up to 50 us to batch wake-ups. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  uv_loop_t *loop;
  int rc = -ENOMEM;
  uv_poll_t *poll = calloc(1, sizeof *poll);
  if (!poll || napi_get_uv_event_loop(env, &loop) != napi_ok || (rc = uv_poll_init(loop, poll, t->fd)) < 0) {
    free(poll);
    return fail(env, t, "uv_poll_init", -rc);
  }
  poll->data = t;
  t->poll = poll;
  if (!make_method(env, obj, "arm", arm) || !make_method(env, obj, "disarm", disarm) || !make_method(env, obj, "close", close_timer))
    return fail(env, t, "napi_set_named_property", ENOMEM);
  if (napi_create_reference(env, obj, 1, &t->self) != napi_ok || napi_create_reference(env, argv[0], 1, &t->on_fire) != napi_ok ||
      napi_create_string_utf8(env, "floatip:precise-timer", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, obj, name, &t->async) != napi_ok)
    return fail(env, t, "napi_create_reference", ENOMEM);
  if ((rc = uv_poll_start(poll, UV_READABLE, on_readable)) < 0) return fail(env, t, "uv_poll_start", -rc);
  uv_unref((uv_handle_t *)poll); /* disarmed */
  return obj;
}

napi_value precise_timer_init(napi_env env, napi_value exports) {
  return make_method(env, exports, "openPreciseTimer", open_timer) ? exports : NULL;
}
