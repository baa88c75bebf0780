/*
 * floatip_net: the socket operations of the agent's VRRP and ARP/NA edges.
 *
 * openVrrp4(ifname, source, join, buffer, onPacket, onError) -> { send(payload, dest), close(), ifindex }
 *   IPv4 raw socket for IP protocol 112 on one interface with IP_HDRINCL: sends build the
 *   20-byte header here (TOS 0xc0, TTL 255, the given source) and leave at once (sendmsg in
 *   the call, no write watcher). Each received packet's VRRP part is copied into `buffer`
 *   (owned by the caller, reused for every packet) and reported as
 *   onPacket(length, source, destination, ttl, ageUs) with the addresses as 32-bit numbers.
 *   ageUs: microseconds since the kernel received the packet (SO_TIMESTAMPNS; 0 if unknown),
 *   so protocol timers can start from the arrival rather than from when JS got to it.
 * openVrrp6(ifname, join, onPacket, onError) -> { send(payload, dest, source), close(), ifindex }
 *   IPv6 raw socket for IP protocol 112 on one interface: each packet reports hop limit,
 *   destination and ifindex (IPV6_RECVHOPLIMIT / IPV6_RECVPKTINFO); sends leave with hop
 *   limit 255 from a chosen source (IPV6_PKTINFO). Reads run on a uv_poll_t in Node's loop.
 *   onPacket(payload: Buffer, source, destination, hopLimit, ifindex, ageUs)
 * openPacketSocket() -> { send(ifindex, frame), close() }: sends whole Ethernet frames.
 * openClaimReceiver(ifname, onFrame, onError) -> { close(), ifindex }: receives, on one interface,
 *   the ARP frames and ICMPv6 neighbour advertisements other hosts send (a classic BPF filter
 *   in the kernel drops everything else; our own outgoing frames are skipped). onFrame(frame: Buffer).
 *
 * Errors are thrown (or given to onError) as Errors with code (errno name), errno, syscall.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>

#include "farewell.h"
#include "precise_timer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VRRP_PROTO 112
#define IPV4_HEADER 20
#define TOS_INTERNETCONTROL 0xc0
#define VRRP_TTL 255
#define RECV_BUF 8192
#define MAX_READS_PER_EVENT 64

#define NAPI_OK(call) do { if ((call) != napi_ok) return NULL; } while (0)

/* ---------- errors ---------- */

static napi_value make_errno_error(napi_env env, const char *syscall, int err) {
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

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_throw(env, make_errno_error(env, syscall, err));
  return NULL;
}

/* ---------- argument helpers ---------- */

static int get_string(napi_env env, napi_value v, char *out, size_t size) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, out, size, &len) != napi_ok) return -1;
  return len + 1 < size ? 0 : -1;
}

static int get_buffer(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_buffer = false;
  if (napi_is_buffer(env, v, &is_buffer) != napi_ok || !is_buffer) return -1;
  return napi_get_buffer_info(env, v, data, len) == napi_ok ? 0 : -1;
}

static void *get_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok || napi_unwrap(env, self, &data) != napi_ok) return NULL;
  return data;
}

static napi_value undefined_value(napi_env env) {
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  return undefined;
}

static napi_value number_value(napi_env env, ssize_t n) {
  napi_value result;
  return napi_create_int64(env, n, &result) == napi_ok ? result : NULL;
}

/* ---------- VRRP sockets (IPv6, and IPv4 below) ---------- */

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
  /* IPv4 only: the source address of sends and the caller's receive buffer. */
  struct in_addr source4;
  napi_ref buffer_ref;
  unsigned char *buffer;
  size_t buffer_len;
} vrrp_t;

static void poll_closed(uv_handle_t *handle) { free(handle); }

/* Stop reading, close the fd, drop the JS references. Safe to call twice. */
static void vrrp_shutdown(vrrp_t *s) {
  if (s->poll) {
    uv_poll_stop(s->poll);
    s->poll->data = NULL;
    uv_close((uv_handle_t *)s->poll, poll_closed);
    s->poll = NULL;
  }
  if (s->fd >= 0) {
    farewell_forget_fd(s->fd);
    close(s->fd);
  }
  s->fd = -1;
  if (s->on_packet) { napi_delete_reference(s->env, s->on_packet); s->on_packet = NULL; }
  if (s->on_error) { napi_delete_reference(s->env, s->on_error); s->on_error = NULL; }
  if (s->self) { napi_delete_reference(s->env, s->self); s->self = NULL; }
  if (s->buffer_ref) { napi_delete_reference(s->env, s->buffer_ref); s->buffer_ref = NULL; s->buffer = NULL; }
  if (s->async) { napi_async_destroy(s->env, s->async); s->async = NULL; }
}

/* Calls fn(argv...) as a top-level callback; returns 0 unless the socket went away. */
static int vrrp_call(vrrp_t *s, napi_ref fn_ref, size_t argc, napi_value *argv) {
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
static int read_failed(vrrp_t *s, const char *syscall) {
  if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
  if (errno == EINTR) return 1;
  vrrp_report_error(s, syscall, errno);
  return 0;
}

/* Microseconds since the kernel received the packet (SO_TIMESTAMPNS, wall clock): 0 if unknown or implausible (a clock step). */
#define MAX_AGE_US 100000
static uint32_t packet_age_us(struct msghdr *msg) {
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

/* Reads one datagram and hands it to JS. Returns 1 to go on, 0 when drained or closed. */
static int vrrp6_read_one(void *self) {
  vrrp_t *s = self;
  napi_env env = s->env;
  unsigned char buf[RECV_BUF];
  union { char c[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr a; } ctrl;
  struct sockaddr_in6 from = { 0 };
  struct iovec iov = { buf, sizeof buf };
  struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctrl.c, .msg_controllen = sizeof ctrl.c };
  ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
  if (n < 0) return read_failed(s, "recvmsg");
  int hop_limit = -1;
  unsigned int ifindex = 0;
  struct in6_addr dst = IN6ADDR_ANY_INIT;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != IPPROTO_IPV6) continue;
    struct in6_pktinfo pi;
    if (c->cmsg_type == IPV6_HOPLIMIT) memcpy(&hop_limit, CMSG_DATA(c), sizeof hop_limit);
    if (c->cmsg_type != IPV6_PKTINFO) continue;
    memcpy(&pi, CMSG_DATA(c), sizeof pi);
    dst = pi.ipi6_addr;
    ifindex = pi.ipi6_ifindex;
  }
  char src_text[INET6_ADDRSTRLEN], dst_text[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &from.sin6_addr, src_text, sizeof src_text);
  inet_ntop(AF_INET6, &dst, dst_text, sizeof dst_text);
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return 0;
  napi_value argv[6];
  void *copy;
  napi_create_buffer_copy(env, (size_t)n, buf, &copy, &argv[0]);
  napi_create_string_utf8(env, src_text, NAPI_AUTO_LENGTH, &argv[1]);
  napi_create_string_utf8(env, dst_text, NAPI_AUTO_LENGTH, &argv[2]);
  napi_create_int32(env, hop_limit, &argv[3]);
  napi_create_uint32(env, ifindex, &argv[4]);
  napi_create_uint32(env, packet_age_us(&msg), &argv[5]);
  int gone = vrrp_call(s, s->on_packet, 6, argv);
  napi_close_handle_scope(env, scope);
  return gone ? 0 : 1;
}

static void vrrp_on_poll(uv_poll_t *handle, int status, int events) {
  vrrp_t *s = handle->data;
  (void)events;
  if (!s) return;
  napi_handle_scope scope;
  if (napi_open_handle_scope(s->env, &scope) != napi_ok) return;
  napi_env env = s->env;
  if (status < 0) vrrp_report_error(s, "uv_poll", -status);
  else for (int i = 0; i < MAX_READS_PER_EVENT && s->read_one(s); i++) {}
  napi_close_handle_scope(env, scope);
}

/* readWaiting(): the packets already queued, handed to onPacket before returning. */
static napi_value vrrp_read_waiting(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  vrrp_t *s = get_this(env, info, &argc, NULL);
  if (s && s->fd >= 0 && s->read_one) {
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
/* An outgoing VRRP packet as sendmsg takes it: built once, then sent or armed as a farewell. */
typedef struct {
  union { struct sockaddr_in v4; struct sockaddr_in6 v6; } to;
  unsigned char header[IPV4_HEADER]; /* IPv4 only */
  struct iovec iov[2];
  union { char c[CMSG_SPACE(sizeof(struct in6_pktinfo))]; struct cmsghdr a; } control;
  struct msghdr msg;
} outgoing_t;

typedef vrrp_t *(*build_fn)(napi_env env, napi_callback_info info, outgoing_t *out);

/* (payload: Buffer, destination: string, source: string) -> out; NULL with a TypeError thrown on bad arguments. */
static vrrp_t *build6(napi_env env, napi_callback_info info, outgoing_t *out) {
  size_t argc = 3, len;
  napi_value argv[3];
  vrrp_t *s = get_this(env, info, &argc, argv);
  void *data;
  char dst_text[INET6_ADDRSTRLEN + 1], src_text[INET6_ADDRSTRLEN + 1];
  if (!s || argc < 3 || get_buffer(env, argv[0], &data, &len) ||
      get_string(env, argv[1], dst_text, sizeof dst_text) ||
      get_string(env, argv[2], src_text, sizeof src_text)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "(payload: Buffer, destination: string, source: string)");
    return NULL;
  }
  *out = (outgoing_t){ .to.v6 = { .sin6_family = AF_INET6 } };
  struct in6_pktinfo pi = { .ipi6_ifindex = s->ifindex };
  if (inet_pton(AF_INET6, dst_text, &out->to.v6.sin6_addr) != 1 ||
      (src_text[0] && inet_pton(AF_INET6, src_text, &pi.ipi6_addr) != 1)) {
    napi_throw_type_error(env, "ERR_INVALID_IP_ADDRESS", "invalid IPv6 address");
    return NULL;
  }
  if (IN6_IS_ADDR_LINKLOCAL(&out->to.v6.sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&out->to.v6.sin6_addr))
    out->to.v6.sin6_scope_id = s->ifindex;
  out->iov[0] = (struct iovec){ data, len };
  out->msg = (struct msghdr){ .msg_name = &out->to.v6, .msg_namelen = sizeof out->to.v6, .msg_iov = out->iov, .msg_iovlen = 1,
                              .msg_control = out->control.c, .msg_controllen = sizeof out->control.c };
  struct cmsghdr *c = CMSG_FIRSTHDR(&out->msg);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof pi);
  memcpy(CMSG_DATA(c), &pi, sizeof pi);
  return s;
}

/* send(...): number (bytes sent); throws an errno Error on failure. */
static napi_value send_built(napi_env env, napi_callback_info info, build_fn build) {
  outgoing_t out;
  vrrp_t *s = build(env, info, &out);
  if (!s) return NULL;
  if (s->fd < 0) return throw_errno(env, "sendmsg", EBADF);
  ssize_t n;
  do n = sendmsg(s->fd, &out.msg, MSG_DONTWAIT); while (n < 0 && errno == EINTR);
  return n < 0 ? throw_errno(env, "sendmsg", errno) : number_value(env, n);
}

/* farewell(...): number -- a slot id for farewellSent / disarmFarewell, or -1 if it cannot be armed. */
static napi_value farewell_built(napi_env env, napi_callback_info info, build_fn build) {
  outgoing_t out;
  vrrp_t *s = build(env, info, &out);
  if (!s) return NULL;
  return number_value(env, s->fd < 0 ? -1 : farewell_arm(s->fd, &out.msg));
}

static napi_value vrrp6_send(napi_env env, napi_callback_info info) { return send_built(env, info, build6); }
static napi_value vrrp6_farewell(napi_env env, napi_callback_info info) { return farewell_built(env, info, build6); }

static napi_value vrrp_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  vrrp_t *s = get_this(env, info, &argc, NULL);
  if (s) vrrp_shutdown(s); /* s itself stays until the object is collected */
  return undefined_value(env);
}

static int setopt_int(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value);
}

/* Creates and configures the socket; returns fd or -1 with *what naming the failed call. */
static int vrrp6_socket(const char *ifname, unsigned int ifindex, bool join, const char **what) {
  int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_PROTO);
  if (fd < 0) { *what = "socket"; return -1; }
  struct ipv6_mreq mreq = { .ipv6mr_interface = ifindex };
  inet_pton(AF_INET6, "ff02::12", &mreq.ipv6mr_multiaddr);
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1) < 0) *what = "setsockopt(SO_BINDTODEVICE)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) < 0) *what = "setsockopt(IPV6_MULTICAST_HOPS)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255) < 0) *what = "setsockopt(IPV6_UNICAST_HOPS)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) < 0) *what = "setsockopt(IPV6_MULTICAST_LOOP)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)ifindex) < 0) *what = "setsockopt(IPV6_MULTICAST_IF)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0) *what = "setsockopt(IPV6_RECVHOPLIMIT)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0) *what = "setsockopt(IPV6_RECVPKTINFO)";
  else if (setopt_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) < 0) *what = "setsockopt(SO_TIMESTAMPNS)";
  else if (join && setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof mreq) < 0) *what = "setsockopt(IPV6_JOIN_GROUP)";
  else return fd;
  int saved = errno;
  close(fd);
  return errno = saved, -1;
}

static napi_value make_method(napi_env env, napi_value obj, const char *name, napi_callback cb) {
  napi_value fn;
  NAPI_OK(napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn));
  NAPI_OK(napi_set_named_property(env, obj, name, fn));
  return fn;
}

/* Wraps a new socket state in a JS object; NULL (with an exception pending) on failure. */
static vrrp_t *vrrp_wrap(napi_env env, const char *ifname, int (*read_one)(void *), const char *fn, napi_value *obj) {
  unsigned int ifindex = if_nametoindex(ifname);
  if (ifindex == 0) return throw_errno(env, "if_nametoindex", errno), NULL;
  vrrp_t *s = calloc(1, sizeof *s);
  if (!s) return throw_errno(env, "calloc", ENOMEM), NULL;
  *s = (vrrp_t){ .env = env, .fd = -1, .ifindex = ifindex, .read_one = read_one };
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
static napi_value vrrp_start(napi_env env, vrrp_t *s, napi_value obj, const char *fn, napi_value on_packet,
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

static int is_function(napi_env env, napi_value v) {
  napi_valuetype t = napi_undefined;
  return napi_typeof(env, v, &t) == napi_ok && t == napi_function;
}

/* openVrrp6(ifname: string, join: boolean, onPacket: Function, onError: Function) */
static napi_value open_vrrp6(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  char ifname[IF_NAMESIZE + 1];
  bool join = false;
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || get_string(env, argv[0], ifname, sizeof ifname) ||
      napi_get_value_bool(env, argv[1], &join) != napi_ok || !is_function(env, argv[2]) || !is_function(env, argv[3])) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "openVrrp6(ifname: string, join: boolean, onPacket: Function, onError: Function)");
    return NULL;
  }
  napi_value obj;
  vrrp_t *s = vrrp_wrap(env, ifname, vrrp6_read_one, "openVrrp6", &obj);
  if (!s) return NULL;
  const char *what = "socket";
  if ((s->fd = vrrp6_socket(ifname, s->ifindex, join, &what)) < 0) return throw_errno(env, what, errno);
  return vrrp_start(env, s, obj, "floatip:vrrp6", argv[2], argv[3], vrrp6_send, vrrp6_farewell);
}

/* ---------- IPv4 VRRP socket ---------- */


static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads one datagram (IP header included); its VRRP part goes to the caller's buffer. */
static int vrrp4_read_one(void *self) {
  vrrp_t *s = self;
  napi_env env = s->env;
  unsigned char buf[RECV_BUF];
  union { char c[CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr a; } ctrl;
  struct iovec iov = { buf, sizeof buf };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl.c, .msg_controllen = sizeof ctrl.c };
  ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
  if (n < 0) return read_failed(s, "recvmsg");
  if (n < IPV4_HEADER || buf[0] >> 4 != 4) return 1;
  size_t header = (size_t)(buf[0] & 0x0f) * 4;
  size_t total = (size_t)buf[2] << 8 | buf[3];
  if (total == 0 || total > (size_t)n) total = (size_t)n;
  if (header < IPV4_HEADER || total < header || buf[9] != VRRP_PROTO || !s->buffer) return 1;
  size_t length = total - header;
  if (length > s->buffer_len) length = s->buffer_len;
  memcpy(s->buffer, buf + header, length);
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return 0;
  napi_value argv[5];
  napi_create_uint32(env, (uint32_t)length, &argv[0]);
  napi_create_uint32(env, be32(buf + 12), &argv[1]);
  napi_create_uint32(env, be32(buf + 16), &argv[2]);
  napi_create_uint32(env, buf[8], &argv[3]);
  napi_create_uint32(env, packet_age_us(&msg), &argv[4]);
  int gone = vrrp_call(s, s->on_packet, 5, argv);
  napi_close_handle_scope(env, scope);
  return gone ? 0 : 1;
}

/* (payload: Buffer, destination: string) -> out with the 20-byte header; the kernel fills in the ID and checksum (IP_HDRINCL). */
static vrrp_t *build4(napi_env env, napi_callback_info info, outgoing_t *out) {
  size_t argc = 2, len;
  napi_value argv[2];
  vrrp_t *s = get_this(env, info, &argc, argv);
  void *data;
  char dst_text[INET_ADDRSTRLEN + 1];
  if (!s || argc < 2 || get_buffer(env, argv[0], &data, &len) || get_string(env, argv[1], dst_text, sizeof dst_text) ||
      len > 0xffff - IPV4_HEADER) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "(payload: Buffer, destination: string)");
    return NULL;
  }
  *out = (outgoing_t){ .to.v4 = { .sin_family = AF_INET } };
  if (inet_pton(AF_INET, dst_text, &out->to.v4.sin_addr) != 1) {
    napi_throw_type_error(env, "ERR_INVALID_IP_ADDRESS", "invalid IPv4 address");
    return NULL;
  }
  size_t total = IPV4_HEADER + len;
  const unsigned char header[12] = { 0x45, TOS_INTERNETCONTROL, (unsigned char)(total >> 8), (unsigned char)total,
                                     0, 0, 0, 0, VRRP_TTL, VRRP_PROTO, 0, 0 };
  memcpy(out->header, header, sizeof header);
  memcpy(out->header + 12, &s->source4, 4);
  memcpy(out->header + 16, &out->to.v4.sin_addr, 4);
  out->iov[0] = (struct iovec){ out->header, IPV4_HEADER };
  out->iov[1] = (struct iovec){ data, len };
  out->msg = (struct msghdr){ .msg_name = &out->to.v4, .msg_namelen = sizeof out->to.v4, .msg_iov = out->iov, .msg_iovlen = 2 };
  return s;
}

static napi_value vrrp4_send(napi_env env, napi_callback_info info) { return send_built(env, info, build4); }
static napi_value vrrp4_farewell(napi_env env, napi_callback_info info) { return farewell_built(env, info, build4); }

static int vrrp4_socket(const char *ifname, unsigned int ifindex, bool join, const char **what) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_PROTO);
  if (fd < 0) { *what = "socket"; return -1; }
  struct ip_mreqn any = { .imr_ifindex = (int)ifindex };
  struct ip_mreqn group = { .imr_ifindex = (int)ifindex };
  inet_pton(AF_INET, "224.0.0.18", &group.imr_multiaddr);
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1) < 0) *what = "setsockopt(SO_BINDTODEVICE)";
  else if (setopt_int(fd, IPPROTO_IP, IP_HDRINCL, 1) < 0) *what = "setsockopt(IP_HDRINCL)";
  else if (setopt_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0) < 0) *what = "setsockopt(IP_MULTICAST_LOOP)";
  else if (setopt_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) < 0) *what = "setsockopt(SO_TIMESTAMPNS)";
  else if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &any, sizeof any) < 0) *what = "setsockopt(IP_MULTICAST_IF)";
  else if (join && setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group) < 0) *what = "setsockopt(IP_ADD_MEMBERSHIP)";
  else return fd;
  int saved = errno;
  close(fd);
  return errno = saved, -1;
}

/* openVrrp4(ifname: string, source: string, join: boolean, buffer: Buffer, onPacket: Function, onError: Function) */
static napi_value open_vrrp4(napi_env env, napi_callback_info info) {
  size_t argc = 6, buffer_len;
  napi_value argv[6];
  char ifname[IF_NAMESIZE + 1], source[INET_ADDRSTRLEN + 1];
  bool join = false;
  void *buffer;
  struct in_addr source4;
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6 || get_string(env, argv[0], ifname, sizeof ifname) || get_string(env, argv[1], source, sizeof source) ||
      inet_pton(AF_INET, source, &source4) != 1 || napi_get_value_bool(env, argv[2], &join) != napi_ok ||
      get_buffer(env, argv[3], &buffer, &buffer_len) || !is_function(env, argv[4]) || !is_function(env, argv[5])) {
    napi_throw_type_error(env, "ERR_INVALID_ARG",
                          "openVrrp4(ifname: string, source: IPv4 address, join: boolean, buffer: Buffer, onPacket: Function, onError: Function)");
    return NULL;
  }
  napi_value obj;
  vrrp_t *s = vrrp_wrap(env, ifname, vrrp4_read_one, "openVrrp4", &obj);
  if (!s) return NULL;
  s->source4 = source4;
  if (napi_create_reference(env, argv[3], 1, &s->buffer_ref) != napi_ok) {
    napi_throw_error(env, "ERR_NAPI", "openVrrp4: could not keep the receive buffer");
    return NULL;
  }
  s->buffer = buffer;
  s->buffer_len = buffer_len;
  const char *what = "socket";
  if ((s->fd = vrrp4_socket(ifname, s->ifindex, join, &what)) < 0) {
    int saved = errno;
    vrrp_shutdown(s);
    return throw_errno(env, what, saved);
  }
  return vrrp_start(env, s, obj, "floatip:vrrp4", argv[4], argv[5], vrrp4_send, vrrp4_farewell);
}

/* ---------- AF_PACKET sender ---------- */

typedef struct { int fd; } packet_t;

static void packet_finalize(napi_env env, void *data, void *hint) {
  packet_t *p = data;
  (void)env; (void)hint;
  if (p->fd >= 0) close(p->fd);
  free(p);
}

/* send(ifindex: number, frame: Buffer): number. The frame starts with the Ethernet header. */
static napi_value packet_send(napi_env env, napi_callback_info info) {
  size_t argc = 2, len;
  napi_value argv[2];
  packet_t *p = get_this(env, info, &argc, argv);
  uint32_t ifindex = 0;
  void *data;
  if (!p || argc < 2 || napi_get_value_uint32(env, argv[0], &ifindex) != napi_ok ||
      get_buffer(env, argv[1], &data, &len) || len < 14) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "send(ifindex: number, frame: Buffer of at least 14 bytes)");
    return NULL;
  }
  if (p->fd < 0) return throw_errno(env, "sendto", EBADF);
  const unsigned char *frame = data;
  struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = (int)ifindex, .sll_halen = 6,
                            .sll_protocol = htons((uint16_t)(frame[12] << 8 | frame[13])) };
  memcpy(to.sll_addr, frame, 6); /* destination MAC */
  ssize_t n;
  do n = sendto(p->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to); while (n < 0 && errno == EINTR);
  return n < 0 ? throw_errno(env, "sendto", errno) : number_value(env, n);
}

static napi_value packet_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  packet_t *p = get_this(env, info, &argc, NULL);
  if (p && p->fd >= 0) close(p->fd), p->fd = -1;
  return undefined_value(env);
}

/* openPacketSocket(): a send-only AF_PACKET socket (protocol 0: receives nothing). */
static napi_value open_packet_socket(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET)", errno);
  packet_t *p = malloc(sizeof *p);
  if (!p) { close(fd); return throw_errno(env, "malloc", ENOMEM); }
  p->fd = fd;
  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok || napi_wrap(env, obj, p, packet_finalize, NULL, NULL) != napi_ok) {
    close(fd); free(p);
    napi_throw_error(env, "ERR_NAPI", "openPacketSocket: could not create the socket object");
    return NULL;
  }
  if (!make_method(env, obj, "send", packet_send) || !make_method(env, obj, "close", packet_close)) return NULL;
  return obj;
}

/* ---------- AF_PACKET receiver of address claims (ARP, neighbour advertisements) ---------- */

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* Accept ARP, and IPv6 ICMPv6 (next header 58 right after the fixed header) of type 136. */
static struct sock_filter claim_filter[] = {
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),                 /* 0: ethertype */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 5, 0),   /* 1: ARP -> accept (7) */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 5),  /* 2: not IPv6 -> drop (8) */
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 6),             /* 3: IPv6 next header */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 3),          /* 4: not ICMPv6 -> drop */
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 40),            /* 5: ICMPv6 type */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136, 0, 1),         /* 6: neighbour advertisement? */
  BPF_STMT(BPF_RET | BPF_K, 0xffff),                      /* 7: accept */
  BPF_STMT(BPF_RET | BPF_K, 0),                           /* 8: drop */
};

static int claims_read_one(void *self) {
  vrrp_t *s = self;
  unsigned char buf[RECV_BUF];
  struct sockaddr_ll from;
  socklen_t fromlen = sizeof from;
  ssize_t n = recvfrom(s->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
  if (n < 0) return read_failed(s, "recvfrom");
  if (from.sll_pkttype == PACKET_OUTGOING) return 1; /* our own frames (kernels before 4.20) */
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return 0;
  napi_value frame;
  void *copy;
  napi_create_buffer_copy(env, (size_t)n, buf, &copy, &frame);
  int gone = vrrp_call(s, s->on_packet, 1, &frame);
  napi_close_handle_scope(env, scope);
  return gone ? 0 : 1;
}

/* Socket with the filter attached before it is bound, so no unfiltered frame is ever queued. */
static int claims_socket(unsigned int ifindex, const char **what) {
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) { *what = "socket(AF_PACKET)"; return -1; }
  struct sock_fprog prog = { .len = sizeof claim_filter / sizeof claim_filter[0], .filter = claim_filter };
  struct sockaddr_ll addr = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)ifindex };
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) *what = "setsockopt(SO_ATTACH_FILTER)";
  else if (setopt_int(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1) < 0 && errno != ENOPROTOOPT) *what = "setsockopt(PACKET_IGNORE_OUTGOING)";
  else if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) *what = "bind(AF_PACKET)";
  else return fd;
  int saved = errno;
  close(fd);
  return errno = saved, -1;
}

/* openClaimReceiver(ifname: string, onFrame: Function, onError: Function) */
static napi_value open_claim_receiver(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  char ifname[IF_NAMESIZE + 1];
  napi_valuetype t1 = napi_undefined, t2 = napi_undefined;
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || get_string(env, argv[0], ifname, sizeof ifname) ||
      napi_typeof(env, argv[1], &t1) != napi_ok || t1 != napi_function ||
      napi_typeof(env, argv[2], &t2) != napi_ok || t2 != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "openClaimReceiver(ifname: string, onFrame: Function, onError: Function)");
    return NULL;
  }
  napi_value obj;
  vrrp_t *s = vrrp_wrap(env, ifname, claims_read_one, "openClaimReceiver", &obj);
  if (!s) return NULL;
  const char *what = "socket";
  if ((s->fd = claims_socket(s->ifindex, &what)) < 0) return throw_errno(env, what, errno);
  return vrrp_start(env, s, obj, "floatip:claims", argv[1], argv[2], NULL, NULL);
}

static napi_value Init(napi_env env, napi_value exports) {
  if (!make_method(env, exports, "openVrrp4", open_vrrp4)) return NULL;
  if (!make_method(env, exports, "openVrrp6", open_vrrp6)) return NULL;
  if (!make_method(env, exports, "openPacketSocket", open_packet_socket)) return NULL;
  if (!make_method(env, exports, "openClaimReceiver", open_claim_receiver)) return NULL;
  if (!precise_timer_init(env, exports)) return NULL;
  return farewell_init(env, exports);
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
