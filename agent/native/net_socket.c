/* The addon's shared socket plumbing; see net_socket.h. */
#define _GNU_SOURCE
#include "net_socket.h"
#include "farewell.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* ---------- errors ---------- */

napi_value make_errno_error(napi_env env, const char *syscall, int err) {
  char msg[256];
  const char *name = strerrorname_np(err);
  napi_value code, message, error, num, sc;
  snprintf(msg, sizeof msg, "%s: %s (%s)", syscall, strerror(err), name ? name : "?");
  napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  if (napi_create_int32(env, err, &num) == napi_ok) napi_set_named_property(env, error, "errno", num);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc) == napi_ok) napi_set_named_property(env, error, "syscall", sc);
  return error;
}

napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_throw(env, make_errno_error(env, syscall, err));
  return NULL;
}

/* ---------- argument helpers ---------- */

int get_string(napi_env env, napi_value v, char *out, size_t size) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, out, size, &len) != napi_ok) return -1;
  return len + 1 < size ? 0 : -1;
}

int get_buffer(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_buffer = false;
  if (napi_is_buffer(env, v, &is_buffer) != napi_ok || !is_buffer) return -1;
  return napi_get_buffer_info(env, v, data, len) == napi_ok ? 0 : -1;
}

void *get_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok || napi_unwrap(env, self, &data) != napi_ok) return NULL;
  return data;
}

napi_value undefined_value(napi_env env) {
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  return undefined;
}

napi_value number_value(napi_env env, ssize_t n) {
  napi_value result;
  return napi_create_int64(env, n, &result) == napi_ok ? result : NULL;
}

static void poll_closed(uv_handle_t *handle) { free(handle); }

static void close_poll(uv_poll_t **poll) {
  if (!*poll) return;
  uv_poll_stop(*poll);
  (*poll)->data = NULL;
  uv_close((uv_handle_t *)*poll, poll_closed);
  *poll = NULL;
}

/* Stop reading, close the fd, drop the JS references. Safe to call twice. */
void vrrp_shutdown(vrrp_t *s) {
  close_poll(&s->poll);
  close_poll(&s->delay_poll);
  if (s->delay_fd >= 0) close(s->delay_fd);
  s->delay_fd = -1;
  if (s->fd >= 0) {
    farewell_forget_fd(s->fd);
    close(s->fd);
  }
  s->fd = -1;
  if (s->on_packet) { napi_delete_reference(s->env, s->on_packet); s->on_packet = NULL; }
  if (s->on_error) { napi_delete_reference(s->env, s->on_error); s->on_error = NULL; }
  if (s->self) { napi_delete_reference(s->env, s->self); s->self = NULL; }
  if (s->buffer_ref) { napi_delete_reference(s->env, s->buffer_ref); s->buffer_ref = NULL; s->buffer = NULL; }
  if (s->meta_ref) { napi_delete_reference(s->env, s->meta_ref); s->meta_ref = NULL; s->meta = NULL; }
  if (s->async) { napi_async_destroy(s->env, s->async); s->async = NULL; }
}

/* Calls fn(argv...) as a top-level callback; returns 0 unless the socket went away. */
int vrrp_call(vrrp_t *s, napi_ref fn_ref, size_t argc, napi_value *argv) {
  napi_env env = s->env;
  napi_value fn, recv, result;
  if (!fn_ref || napi_get_reference_value(env, fn_ref, &fn) != napi_ok || !fn) return 0;
  napi_get_global(env, &recv); /* napi_make_callback needs an object receiver */
  s->in_callback++;
  napi_status st = napi_make_callback(env, s->async, recv, fn, argc, argv, &result);
  s->in_callback--;
  napi_value exc; /* a throwing handler becomes an uncaught exception, as for any callback */
  if (st == napi_pending_exception && napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
  if (s->finalized && !s->in_callback) return free(s), -1; /* finalized during the callback */
  return s->fd < 0 ? -1 : 0;
}

static void vrrp_report_error(vrrp_t *s, const char *syscall, int err) {
  napi_value e = make_errno_error(s->env, syscall, err);
  vrrp_call(s, s->on_error, 1, &e); /* may free s */
}

/* After a failed read: 1 to read again (EINTR), 0 when drained or after reporting the error. */
int read_failed(vrrp_t *s, const char *syscall) {
  if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
  if (errno == EINTR) return 1;
  vrrp_report_error(s, syscall, errno);
  return 0;
}

/* Microseconds since the kernel received the packet (SO_TIMESTAMPNS, wall clock): 0 if unknown or implausible (a clock step). */
#define MAX_AGE_US 100000
uint32_t packet_age_us(struct msghdr *msg) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    struct timespec at, now;
    memcpy(&at, CMSG_DATA(c), sizeof at);
    if (clock_gettime(CLOCK_REALTIME, &now) < 0) return 0;
    int64_t age = (int64_t)(now.tv_sec - at.tv_sec) * 1000000 + (now.tv_nsec - at.tv_nsec) / 1000;
    return age < 0 || age > MAX_AGE_US ? 0 : (uint32_t)age;
  }
  return 0;
}

/*
 * Reads until drained (or MAX_READS_PER_EVENT batches); 0 if s went away
 * meanwhile (closed, or freed: then it must not be touched again).
 */
static int read_all(vrrp_t *s) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return 0;
  s->in_callback++; /* keeps s alive should the object be finalized meanwhile */
  for (int i = 0; i < MAX_READS_PER_EVENT && s->fd >= 0 && s->read_one(s); i++) {}
  s->in_callback--;
  napi_close_handle_scope(env, scope);
  if (s->finalized && !s->in_callback) return free(s), 0;
  return s->fd >= 0;
}

/*
 * With a read delay, a wake-up that found packets soon after another one did
 * (a burst: within 4 delays) leaves the socket to rest: its poll stops and
 * the timerfd reads it after the delay, then again while packets keep coming;
 * the first rest that finds none hands the socket back to its poll. A packet
 * after a quiet spell is read at once, and a lone advert costs no extra
 * wake-up. Timers count
 * from the kernel's receive timestamps, and a Master_Down deadline reads the
 * socket itself before it expires (readWaiting), so resting delays neither.
 */
static void rest(vrrp_t *s) {
  struct itimerspec at = { .it_value = { .tv_sec = s->read_delay_us / 1000000, .tv_nsec = (long)(s->read_delay_us % 1000000) * 1000 } };
  if (!s->delay_poll || timerfd_settime(s->delay_fd, 0, &at, NULL) < 0) return; /* no timer: keep polling */
  if (!s->resting) uv_poll_stop(s->poll);
  s->resting = 1;
}

static void vrrp_on_poll(uv_poll_t *handle, int status, int events) {
  vrrp_t *s = handle->data;
  (void)events;
  if (!s) return;
  if (status < 0) {
    napi_handle_scope scope;
    napi_env env = s->env;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    vrrp_report_error(s, "uv_poll", -status);
    napi_close_handle_scope(env, scope);
    return;
  }
  unsigned long before = s->received;
  if (!read_all(s) || s->read_delay_us == 0 || s->received == before) return;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec, last = s->last_read_ns;
  s->last_read_ns = ns;
  if (last > 0 && ns - last < (int64_t)s->read_delay_us * 4000) rest(s);
}

static void vrrp_on_rested(uv_poll_t *handle, int status, int events) {
  vrrp_t *s = handle->data;
  (void)events;
  uint64_t expirations;
  if (!s || status < 0 || read(s->delay_fd, &expirations, sizeof expirations) != sizeof expirations) return;
  unsigned long before = s->received;
  if (!read_all(s) || !s->resting) return;
  if (s->read_delay_us > 0 && s->received != before) return rest(s);
  s->resting = 0;
  if (s->poll) uv_poll_start(s->poll, UV_READABLE, vrrp_on_poll);
}

/* setReadDelay(us: number): 0 reads at every wake-up (the default); at most 100 ms. */
static napi_value vrrp_set_read_delay(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  vrrp_t *s = get_this(env, info, &argc, argv);
  uint32_t us = 0;
  if (!s || argc < 1 || napi_get_value_uint32(env, argv[0], &us) != napi_ok || us > 100000) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "setReadDelay(us: 0..100000)");
    return NULL;
  }
  if (s->fd < 0) return undefined_value(env);
  if (us > 0 && !s->delay_poll) {
    uv_loop_t *loop;
    uv_poll_t *poll = calloc(1, sizeof *poll);
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (!poll || fd < 0 || napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, poll, fd) < 0) {
      int err = fd < 0 ? errno : ENOMEM;
      free(poll);
      if (fd >= 0) close(fd);
      return throw_errno(env, "setReadDelay", err);
    }
    poll->data = s;
    s->delay_fd = fd;
    s->delay_poll = poll;
    uv_poll_start(poll, UV_READABLE, vrrp_on_rested);
  }
  s->read_delay_us = us;
  return undefined_value(env);
}

/* readWaiting(): the packets already queued, handed to onPacket before returning. */
static napi_value vrrp_read_waiting(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  vrrp_t *s = get_this(env, info, &argc, NULL);
  if (s && s->fd >= 0 && s->read_one && !s->delivering) { /* from a packet handler: the batch's rest comes first anyway */
    s->in_callback++; /* keeps s alive should the object be finalized meanwhile */
    for (int i = 0; i < MAX_READS_PER_EVENT && s->fd >= 0 && s->read_one(s); i++) {}
    s->in_callback--;
    if (s->finalized && !s->in_callback) free(s);
  }
  return undefined_value(env);
}

static void vrrp_finalize(napi_env env, void *data, void *hint) {
  vrrp_t *s = data;
  (void)env; (void)hint;
  vrrp_shutdown(s);
  if (s->in_callback) s->finalized = 1;
  else free(s);
}

/* send(payload: Buffer, destination: string, source: string): number */
static napi_value vrrp_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  vrrp_t *s = get_this(env, info, &argc, NULL);
  if (s) vrrp_shutdown(s); /* s itself stays until the object is collected */
  return undefined_value(env);
}

int setopt_int(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value);
}

napi_value make_method(napi_env env, napi_value obj, const char *name, napi_callback cb) {
  napi_value fn;
  NAPI_OK(napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn));
  NAPI_OK(napi_set_named_property(env, obj, name, fn));
  return fn;
}

/* Wraps a new socket state in a JS object; NULL (with an exception pending) on failure. */
vrrp_t *vrrp_wrap(napi_env env, const char *ifname, int (*read_one)(void *), const char *fn, napi_value *obj) {
  unsigned int ifindex = if_nametoindex(ifname);
  if (ifindex == 0) return throw_errno(env, "if_nametoindex", errno), NULL;
  vrrp_t *s = calloc(1, sizeof *s);
  if (!s) return throw_errno(env, "calloc", ENOMEM), NULL;
  *s = (vrrp_t){ .env = env, .fd = -1, .delay_fd = -1, .ifindex = ifindex, .read_one = read_one };
  if (napi_create_object(env, obj) != napi_ok || napi_wrap(env, *obj, s, vrrp_finalize, NULL, NULL) != napi_ok) {
    free(s);
    char msg[96];
    snprintf(msg, sizeof msg, "%s: could not create the socket object", fn);
    napi_throw_error(env, "ERR_NAPI", msg);
    return NULL;
  }
  return s;
}

/*
 * Starts reading s->fd on Node's loop and gives obj its methods. From vrrp_wrap on the
 * finalizer owns s; on failure vrrp_shutdown releases whatever was set up.
 */
napi_value vrrp_start(napi_env env, vrrp_t *s, napi_value obj, const char *fn, napi_value on_packet,
                             napi_value on_error, napi_callback send, napi_callback farewell) {
  uv_loop_t *loop;
  napi_value name, ifx;
  int rc = -ENOMEM;
  uv_poll_t *poll = calloc(1, sizeof *poll);
  if (!poll || napi_get_uv_event_loop(env, &loop) != napi_ok || (rc = uv_poll_init(loop, poll, s->fd)) < 0) {
    free(poll);
    vrrp_shutdown(s);
    return throw_errno(env, "uv_poll_init", -rc);
  }
  poll->data = s;
  s->poll = poll;
  if (napi_create_reference(env, obj, 1, &s->self) != napi_ok ||
      napi_create_reference(env, on_packet, 1, &s->on_packet) != napi_ok ||
      napi_create_reference(env, on_error, 1, &s->on_error) != napi_ok ||
      napi_create_string_utf8(env, fn, NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, obj, name, &s->async) != napi_ok ||
      (send && !make_method(env, obj, "send", send)) || (farewell && !make_method(env, obj, "farewell", farewell)) ||
      (send && !make_method(env, obj, "readWaiting", vrrp_read_waiting)) ||
      (send && !make_method(env, obj, "setReadDelay", vrrp_set_read_delay)) ||
      !make_method(env, obj, "close", vrrp_close) ||
      napi_create_uint32(env, s->ifindex, &ifx) != napi_ok || napi_set_named_property(env, obj, "ifindex", ifx) != napi_ok) {
    vrrp_shutdown(s);
    char msg[96];
    snprintf(msg, sizeof msg, "%s: could not set up the socket object", fn);
    napi_throw_error(env, "ERR_NAPI", msg);
    return NULL;
  }
  if ((rc = uv_poll_start(poll, UV_READABLE, vrrp_on_poll)) < 0) {
    vrrp_shutdown(s);
    return throw_errno(env, "uv_poll_start", -rc);
  }
  return obj;
}

int is_function(napi_env env, napi_value v) {
  napi_valuetype t = napi_undefined;
  return napi_typeof(env, v, &t) == napi_ok && t == napi_function;
}

