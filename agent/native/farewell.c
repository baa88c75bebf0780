/*
 * Farewell adverts, sent from the stop signal's handler.
 *
 * When a master is told to stop it must send an advert with priority 0 so a
 * backup takes over after Skew_Time instead of Master_Down_Interval (RFC 3768
 * section 6.4.3, RFC 5798 section 6.4.3). Node runs a JS signal listener only
 * once its loop has woken up and the stop path's (cold) code has run, a
 * large part of a handover at short intervals (bench/notes.md). So a master
 * arms its priority-0 packets here (farewell_arm: the bytes, the destination,
 * the IPv6 source as a control message, copied into a slot) and this file
 * puts its own handler in front of libuv's for the stop signals: it sends
 * every armed slot with one sendmsg each (async-signal-safe), marks it sent,
 * then calls the handler that was there before (libuv's, which wakes the JS
 * listener; SIG_DFL is re-raised). The JS side asks farewellSent(id) so the
 * same advert is not sent twice (a second priority-0 advert would restart
 * the backup's Skew_Time).
 *
 * A slot's life: FREE -> WRITING (the JS thread fills it) -> ARMED -> either
 * FREE again (disarmed: the router stopped being master) or SENDING -> SENT
 * (the handler, on whichever thread the kernel picked). Every change is a
 * compare-and-swap, so the handler never reads a slot being written and the
 * JS thread never rewrites or frees one being sent. Slots live in chunks
 * that are allocated on demand and never freed.
 *
 * This is the one place with process-wide mutable state in the agent: a
 * signal handler has no other way to reach its data.
 */
#define _GNU_SOURCE
#include "farewell.h"
#include "net_socket.h"

#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_MAX 1500
#define CONTROL_MAX 64
#define CHUNK_SLOTS 64
#define CHUNKS 256 /* up to 16,384 armed packets */

enum { FREE, WRITING, ARMED, SENDING, SENT };

typedef struct {
  _Atomic int state;
  int fd;
  struct sockaddr_in6 to; /* large enough for either family */
  socklen_t to_len;
  union { char c[CONTROL_MAX]; struct cmsghdr align; } control;
  size_t control_len;
  size_t len;
  unsigned char frame[FRAME_MAX];
} slot_t;

static _Atomic(slot_t *) chunks[CHUNKS];
static struct sigaction previous[NSIG];

static slot_t *slot_at(int id) {
  if (id < 0 || id >= CHUNKS * CHUNK_SLOTS) return NULL;
  slot_t *chunk = atomic_load_explicit(&chunks[id / CHUNK_SLOTS], memory_order_acquire);
  return chunk ? &chunk[id % CHUNK_SLOTS] : NULL;
}

/* A FREE slot switched to WRITING, allocating a chunk if all are taken; -1 if none. */
static int claim_slot(void) {
  for (int c = 0; c < CHUNKS; c++) {
    slot_t *chunk = atomic_load_explicit(&chunks[c], memory_order_acquire);
    if (!chunk) {
      chunk = calloc(CHUNK_SLOTS, sizeof *chunk); /* calloc: every state FREE */
      if (!chunk) return -1;
      atomic_store_explicit(&chunks[c], chunk, memory_order_release);
    }
    for (int i = 0; i < CHUNK_SLOTS; i++) {
      int expected = FREE;
      if (atomic_compare_exchange_strong(&chunk[i].state, &expected, WRITING)) return c * CHUNK_SLOTS + i;
    }
  }
  return -1;
}

int farewell_arm(int fd, const struct msghdr *msg) {
  size_t len = 0;
  for (size_t i = 0; i < msg->msg_iovlen; i++) len += msg->msg_iov[i].iov_len;
  if (len > FRAME_MAX || msg->msg_namelen > sizeof(struct sockaddr_in6) || msg->msg_controllen > CONTROL_MAX) return -1;
  int id = claim_slot();
  slot_t *s = slot_at(id);
  if (!s) return -1;
  s->fd = fd;
  memcpy(&s->to, msg->msg_name, msg->msg_namelen);
  s->to_len = msg->msg_namelen;
  if (msg->msg_controllen) memcpy(s->control.c, msg->msg_control, msg->msg_controllen);
  s->control_len = msg->msg_controllen;
  s->len = 0;
  for (size_t i = 0; i < msg->msg_iovlen; i++) {
    memcpy(s->frame + s->len, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
    s->len += msg->msg_iov[i].iov_len;
  }
  atomic_store_explicit(&s->state, ARMED, memory_order_release);
  return id;
}

/* ARMED or SENT -> FREE; waits while the handler is sending it. */
static void release(slot_t *s) {
  for (;;) {
    int state = atomic_load(&s->state);
    if (state == SENDING) { sched_yield(); continue; }
    if (state != ARMED && state != SENT) return;
    if (atomic_compare_exchange_strong(&s->state, &state, FREE)) return;
  }
}

void farewell_forget_fd(int fd) {
  for (int id = 0; id < CHUNKS * CHUNK_SLOTS; id += CHUNK_SLOTS) {
    slot_t *chunk = slot_at(id);
    if (!chunk) return;
    for (int i = 0; i < CHUNK_SLOTS; i++) {
      int state = atomic_load(&chunk[i].state);
      if ((state == ARMED || state == SENDING || state == SENT) && chunk[i].fd == fd) release(&chunk[i]);
    }
  }
}

/* Sends every armed slot once. Only async-signal-safe calls. */
static void send_armed(void) {
  for (int c = 0; c < CHUNKS; c++) {
    slot_t *chunk = atomic_load_explicit(&chunks[c], memory_order_acquire);
    if (!chunk) return;
    for (int i = 0; i < CHUNK_SLOTS; i++) {
      slot_t *s = &chunk[i];
      int expected = ARMED;
      if (!atomic_compare_exchange_strong(&s->state, &expected, SENDING)) continue;
      struct iovec iov = { s->frame, s->len };
      struct msghdr msg = { .msg_name = &s->to, .msg_namelen = s->to_len, .msg_iov = &iov, .msg_iovlen = 1,
                            .msg_control = s->control_len ? s->control.c : NULL, .msg_controllen = s->control_len };
      ssize_t n;
      do n = sendmsg(s->fd, &msg, MSG_DONTWAIT); while (n < 0 && errno == EINTR);
      /* Not sent (e.g. ENOBUFS): back to ARMED, so the JS stop path sends it as usual. */
      atomic_store(&s->state, n < 0 ? ARMED : SENT);
    }
  }
}

static void on_stop_signal(int signo, siginfo_t *info, void *context) {
  int saved = errno;
  send_armed();
  errno = saved;
  const struct sigaction *before = &previous[signo];
  if (before->sa_flags & SA_SIGINFO) {
    before->sa_sigaction(signo, info, context);
  } else if (before->sa_handler == SIG_DFL) {
    signal(signo, SIG_DFL);
    raise(signo);
  } else if (before->sa_handler != SIG_IGN) {
    before->sa_handler(signo);
  }
}

/* installFarewell(signal: number): boolean -- false if our handler is already the current one */
static napi_value install(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int32_t signo = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &signo) != napi_ok || signo <= 0 || signo >= NSIG || signo == SIGKILL ||
      signo == SIGSTOP) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "installFarewell(signal: number)");
    return NULL;
  }
  struct sigaction current;
  sigaction(signo, NULL, &current);
  bool ours = (current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_stop_signal;
  if (!ours) {
    struct sigaction mine = { .sa_sigaction = on_stop_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
    sigfillset(&mine.sa_mask);
    previous[signo] = current; /* written before the handler can run */
    if (sigaction(signo, &mine, NULL) < 0) {
      return throw_errno(env, "sigaction", errno);
    }
  }
  napi_get_boolean(env, !ours, &result);
  return result;
}

static int slot_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t id = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &id) != napi_ok)
    return -1;
  return id;
}

/* farewellSent(id: number): boolean */
static napi_value sent(napi_env env, napi_callback_info info) {
  slot_t *s = slot_at(slot_arg(env, info));
  napi_value result;
  napi_get_boolean(env, s && atomic_load(&s->state) == SENT, &result);
  return result;
}

/* disarmFarewell(id: number): undefined */
static napi_value disarm(napi_env env, napi_callback_info info) {
  slot_t *s = slot_at(slot_arg(env, info));
  if (s) release(s);
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

napi_value farewell_init(napi_env env, napi_value exports) {
  if (!make_method(env, exports, "installFarewell", install) || !make_method(env, exports, "farewellSent", sent) ||
      !make_method(env, exports, "disarmFarewell", disarm))
    return NULL;
  return exports;
}
