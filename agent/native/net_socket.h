/*
 * Shared by the addon's socket files: errno errors, argument helpers, and a
 * readable socket on Node's loop (socket_t: a uv_poll_t that calls read_one
 * until it has drained, handing each packet to an onPacket callback).
 */
#ifndef FLOATIP_NET_SOCKET_H
#define FLOATIP_NET_SOCKET_H

#include <node_api.h>
#include <uv.h>

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define MAX_READS_PER_EVENT 64
#define NAPI_OK(call) do { if ((call) != napi_ok) return NULL; } while (0)

typedef struct {
  napi_env env;
  int fd;
  unsigned int ifindex;
  uv_poll_t *poll;
  napi_ref self, on_packet, on_error;
  napi_async_context async;
  int in_callback;
  int finalized;
  int (*read_one)(void *s);
  /* IPv4 only: the source address of sends. */
  struct in_addr source4;
  /* VRRP sockets: the caller's receive buffer (payload slots) and packet records (vrrp_sockets.c). */
  napi_ref buffer_ref, meta_ref;
  unsigned char *buffer;
  size_t buffer_len;
  int32_t *meta;
  size_t meta_len;
  /* A batch is being handed to JS: its slots must not be overwritten (readWaiting from a handler). */
  int delivering;
  /* Packets read so far (read_one adds them): tells a deferred read whether the socket was idle. */
  unsigned long received;
  /* setReadDelay: after a wake-up the socket rests this long (a timerfd), the packets arriving meanwhile read together. */
  uint32_t read_delay_us;
  int delay_fd;
  uv_poll_t *delay_poll;
  int resting;
  /* When a wake-up last found packets (CLOCK_MONOTONIC, ns): a burst is two of them close together. */
  int64_t last_read_ns;
} vrrp_t; /* a socket_t; the name stays from when only VRRP used it */


napi_value make_errno_error(napi_env env, const char *syscall, int err);
napi_value throw_errno(napi_env env, const char *syscall, int err);
int get_string(napi_env env, napi_value v, char *out, size_t size);
int get_buffer(napi_env env, napi_value v, void **data, size_t *len);
void *get_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv);
napi_value undefined_value(napi_env env);
napi_value number_value(napi_env env, ssize_t n);
int is_function(napi_env env, napi_value v);
napi_value make_method(napi_env env, napi_value obj, const char *name, napi_callback cb);
int setopt_int(int fd, int level, int name, int value);

/* Calls fn(argv...) as a top-level callback; returns 0 unless the socket went away. */
int vrrp_call(vrrp_t *s, napi_ref fn_ref, size_t argc, napi_value *argv);
/* After a failed read: 1 to read again (EINTR), 0 when drained or after reporting the error. */
int read_failed(vrrp_t *s, const char *syscall);
/* Stop reading, close the fd, drop the JS references. Safe to call twice. */
void vrrp_shutdown(vrrp_t *s);
/* Microseconds since the kernel received the packet (SO_TIMESTAMPNS); 0 if unknown or implausible. */
uint32_t packet_age_us(struct msghdr *msg);
/* Wraps a new socket state in a JS object; NULL (with an exception pending) on failure. */
vrrp_t *vrrp_wrap(napi_env env, const char *ifname, int (*read_one)(void *), const char *fn, napi_value *obj);
/* Starts reading s->fd and gives obj close() and, when given, send(), farewell() and readWaiting(). */
napi_value vrrp_start(napi_env env, vrrp_t *s, napi_value obj, const char *fn, napi_value on_packet, napi_value on_error,
                      napi_callback send, napi_callback farewell);

/* Each file's exports. */
napi_value vrrp_sockets_init(napi_env env, napi_value exports);
napi_value packet_sockets_init(napi_env env, napi_value exports);

#endif
