/*
 * The VRRP sockets: IP protocol 112 on one interface, IPv4 (IP_HDRINCL: the
 * header is built here) and IPv6, multicast or unicast. See floatip_net.c
 * for what JS sees.
 */
#define _GNU_SOURCE
#include "net_socket.h"
#include "farewell.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VRRP_PROTO 112
#define IPV4_HEADER 20
#define TOS_INTERNETCONTROL 0xc0
#define VRRP_TTL 255
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78 /* linux/in6.h, Linux 4.15 */
#endif

/*
 * Receiving: each wake-up reads up to BATCH datagrams with one recvmmsg,
 * straight into the caller's buffer (slot i at i × SLOT), writes a record
 * per VRRP packet into the caller's Int32Array (FIELDS words each: where the
 * VRRP part is, TTL / hop limit, interface, age, addresses as raw bytes) and
 * calls onPacket(count) once for the batch. Per packet there is no N-API
 * call, no JS object and no string made here: at hundreds of adverts a
 * second a backup's receive cost was mostly the callback per packet
 * (callback scope, async context, handle scope). agent/os/transport.ts
 * reads the records; the two layouts must agree.
 */
#define BATCH 8
#define SLOT 4096 /* the largest valid VRRP packet: IPv6, 8 + 255 × 16 = 4088 bytes (IPv4: 60-byte header + 8 + 255 × 4 + 8) */
#define FIELDS 16
enum { F_OFFSET, F_LENGTH, F_TTL, F_IFINDEX, F_AGE_US, F_SOURCE = 8, F_DESTINATION = 12 }; /* addresses: 16 bytes, IPv4 in the first 4 */

/* Fills rec from one received datagram (its bytes at s->buffer + offset); 0 to skip it. */
typedef int (*parse_fn)(vrrp_t *s, struct msghdr *msg, size_t n, size_t offset, int32_t *rec);

/* Returns 1 when the batch was full (more may wait), 0 when drained or closed. */
static int read_batch(vrrp_t *s, parse_fn parse) {
  if (s->fd < 0 || !s->buffer || !s->meta) return 0;
  union { char c[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr a; } ctrl[BATCH];
  struct sockaddr_in6 from[BATCH];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  for (int i = 0; i < BATCH; i++) {
    iov[i] = (struct iovec){ s->buffer + (size_t)i * SLOT, SLOT };
    msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &iov[i], .msg_iovlen = 1,
                                             .msg_control = ctrl[i].c, .msg_controllen = sizeof ctrl[i].c } };
  }
  int got = recvmmsg(s->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
  if (got < 0) return read_failed(s, "recvmmsg");
  s->received += (unsigned long)got;
  uint32_t kept = 0;
  for (int i = 0; i < got; i++)
    if (parse(s, &msgs[i].msg_hdr, msgs[i].msg_len, (size_t)i * SLOT, s->meta + (size_t)kept * FIELDS)) kept++;
  if (kept > 0) {
    napi_value count;
    napi_create_uint32(s->env, kept, &count);
    s->delivering++;
    int gone = vrrp_call(s, s->on_packet, 1, &count);
    if (gone) return 0; /* closed (or freed) by the handler: the rest is dropped with the socket */
    s->delivering--;
  }
  return got == BATCH;
}

/* Whether buffer (a Buffer) and meta (an Int32Array) hold a batch; if so s keeps them. 0 with a TypeError thrown if not. */
static int take_receive_areas(napi_env env, vrrp_t *s, napi_value buffer, napi_value meta, const char *fn) {
  void *data, *records;
  size_t len, words = 0, offset;
  napi_typedarray_type type = napi_uint8_array;
  napi_value ab;
  bool is_typed = false;
  if (get_buffer(env, buffer, &data, &len) || len < (size_t)BATCH * SLOT || napi_is_typedarray(env, meta, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, meta, &type, &words, &records, &ab, &offset) != napi_ok || type != napi_int32_array ||
      words < (size_t)BATCH * FIELDS) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: the receive buffer needs %d bytes and the records an Int32Array of %d", fn, BATCH * SLOT, BATCH * FIELDS);
    napi_throw_type_error(env, "ERR_INVALID_ARG", msg);
    return 0;
  }
  if (napi_create_reference(env, buffer, 1, &s->buffer_ref) != napi_ok || napi_create_reference(env, meta, 1, &s->meta_ref) != napi_ok) {
    napi_throw_error(env, "ERR_NAPI", "could not keep the receive buffer");
    return 0;
  }
  s->buffer = data;
  s->buffer_len = len;
  s->meta = records;
  s->meta_len = words;
  return 1;
}

/* IPv6: the kernel hands over the VRRP part; source from the address, destination and interface from IPV6_PKTINFO. */
static int parse6(vrrp_t *s, struct msghdr *msg, size_t n, size_t offset, int32_t *rec) {
  int hop_limit = -1;
  unsigned int ifindex = 0;
  struct in6_addr dst = IN6ADDR_ANY_INIT;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != IPPROTO_IPV6) continue;
    struct in6_pktinfo pi;
    if (c->cmsg_type == IPV6_HOPLIMIT) memcpy(&hop_limit, CMSG_DATA(c), sizeof hop_limit);
    if (c->cmsg_type != IPV6_PKTINFO) continue;
    memcpy(&pi, CMSG_DATA(c), sizeof pi);
    dst = pi.ipi6_addr;
    ifindex = pi.ipi6_ifindex;
  }
  (void)s;
  rec[F_OFFSET] = (int32_t)offset;
  rec[F_LENGTH] = (int32_t)n;
  rec[F_TTL] = hop_limit;
  rec[F_IFINDEX] = (int32_t)ifindex;
  rec[F_AGE_US] = (int32_t)packet_age_us(msg);
  memcpy(rec + F_SOURCE, &((struct sockaddr_in6 *)msg->msg_name)->sin6_addr, 16);
  memcpy(rec + F_DESTINATION, &dst, 16);
  return 1;
}

static int vrrp6_read_one(void *self) { return read_batch(self, parse6); }

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

/*
 * farewell(..., linkDown?: string[]): number -- a slot id for farewellSent /
 * disarmFarewell, or -1 if it cannot be armed. linkDown (argument `at`):
 * interfaces whose going down also sends it (link_trigger.c).
 */
static napi_value farewell_built(napi_env env, napi_callback_info info, build_fn build, size_t at) {
  outgoing_t out;
  vrrp_t *s = build(env, info, &out);
  if (!s) return NULL;
  size_t argc = 4;
  napi_value argv[4];
  char names[TRIGGERS_MAX][IF_NAMESIZE] = { { 0 } };
  int count = 0;
  bool is_array = false;
  uint32_t length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc > at && napi_is_array(env, argv[at], &is_array) == napi_ok &&
      is_array && napi_get_array_length(env, argv[at], &length) == napi_ok) {
    for (uint32_t k = 0; k < length && count < TRIGGERS_MAX; k++) {
      napi_value item;
      char name[IF_NAMESIZE + 1]; /* get_string wants room past the NUL */
      if (napi_get_element(env, argv[at], k, &item) != napi_ok || get_string(env, item, name, sizeof name) != 0) continue;
      memcpy(names[count++], name, IF_NAMESIZE);
    }
  }
  return number_value(env, s->fd < 0 ? -1 : farewell_arm(s->fd, &out.msg, names, count));
}

static napi_value vrrp6_send(napi_env env, napi_callback_info info) { return send_built(env, info, build6); }
static napi_value vrrp6_farewell(napi_env env, napi_callback_info info) { return farewell_built(env, info, build6, 3); }

/* Creates and configures the socket; returns fd or -1 with *what naming the failed call. */
static int vrrp6_socket(const char *ifname, unsigned int ifindex, bool join, const struct in6_addr *group, const char **what) {
  int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_PROTO);
  if (fd < 0) { *what = "socket"; return -1; }
  struct ipv6_mreq mreq = { .ipv6mr_interface = ifindex, .ipv6mr_multiaddr = *group };
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1) < 0) *what = "setsockopt(SO_BINDTODEVICE)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) < 0) *what = "setsockopt(IPV6_MULTICAST_HOPS)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255) < 0) *what = "setsockopt(IPV6_UNICAST_HOPS)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) < 0) *what = "setsockopt(IPV6_MULTICAST_LOOP)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)ifindex) < 0) *what = "setsockopt(IPV6_MULTICAST_IF)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0) *what = "setsockopt(IPV6_RECVHOPLIMIT)";
  else if (setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0) *what = "setsockopt(IPV6_RECVPKTINFO)";
  else if (setopt_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) < 0) *what = "setsockopt(SO_TIMESTAMPNS)";
  else if (join && setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof mreq) < 0) *what = "setsockopt(IPV6_JOIN_GROUP)";
  else {
    /*
     * The IPv6 source is the interface's link-local, given with each send
     * (IPV6_PKTINFO). When it is deleted the master goes to FAULT and must
     * still send its priority-0 advert from it, or the backup waits out
     * Master_Down_Interval instead of Skew_Time: IPV6_FREEBIND lets a send
     * name a source that is no longer on the host. Best effort: an older
     * kernel without it only loses that advert.
     */
    setopt_int(fd, IPPROTO_IPV6, IPV6_FREEBIND, 1);
    return fd;
  }
  int saved = errno;
  close(fd);
  return errno = saved, -1;
}

/* openVrrp6(ifname: string, join: boolean, buffer: Buffer, records: Int32Array, onPackets: Function, onError: Function, group?: string (default ff02::12)) */
static napi_value open_vrrp6(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  char ifname[IF_NAMESIZE + 1], group_text[INET6_ADDRSTRLEN + 1] = "ff02::12";
  bool join = false;
  struct in6_addr group;
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6 || get_string(env, argv[0], ifname, sizeof ifname) ||
      napi_get_value_bool(env, argv[1], &join) != napi_ok || !is_function(env, argv[4]) || !is_function(env, argv[5]) ||
      (argc > 6 && get_string(env, argv[6], group_text, sizeof group_text)) || inet_pton(AF_INET6, group_text, &group) != 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG",
                          "openVrrp6(ifname: string, join: boolean, buffer: Buffer, records: Int32Array, onPackets: Function, onError: Function, group?: IPv6 address)");
    return NULL;
  }
  napi_value obj;
  vrrp_t *s = vrrp_wrap(env, ifname, vrrp6_read_one, "openVrrp6", &obj);
  if (!s) return NULL;
  if (!take_receive_areas(env, s, argv[2], argv[3], "openVrrp6")) return vrrp_shutdown(s), NULL;
  const char *what = "socket";
  if ((s->fd = vrrp6_socket(ifname, s->ifindex, join, &group, &what)) < 0) {
    int saved = errno;
    vrrp_shutdown(s);
    return throw_errno(env, what, saved);
  }
  return vrrp_start(env, s, obj, "floatip:vrrp6", argv[4], argv[5], vrrp6_send, vrrp6_farewell);
}

/* ---------- IPv4 VRRP socket ---------- */

/* IPv4: the datagram starts with the IP header (TTL, addresses, protocol); the VRRP part follows it. */
static int parse4(vrrp_t *s, struct msghdr *msg, size_t n, size_t offset, int32_t *rec) {
  const unsigned char *buf = s->buffer + offset;
  if (n < IPV4_HEADER || buf[0] >> 4 != 4) return 0;
  size_t header = (size_t)(buf[0] & 0x0f) * 4;
  size_t total = (size_t)buf[2] << 8 | buf[3];
  if (total == 0 || total > n) total = n;
  if (header < IPV4_HEADER || total < header || buf[9] != VRRP_PROTO) return 0;
  rec[F_OFFSET] = (int32_t)(offset + header);
  rec[F_LENGTH] = (int32_t)(total - header);
  rec[F_TTL] = buf[8];
  rec[F_IFINDEX] = (int32_t)s->ifindex;
  rec[F_AGE_US] = (int32_t)packet_age_us(msg);
  memset(rec + F_SOURCE, 0, 32);
  memcpy(rec + F_SOURCE, buf + 12, 4);
  memcpy(rec + F_DESTINATION, buf + 16, 4);
  return 1;
}

static int vrrp4_read_one(void *self) { return read_batch(self, parse4); }

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
static napi_value vrrp4_farewell(napi_env env, napi_callback_info info) { return farewell_built(env, info, build4, 2); }

static int vrrp4_socket(const char *ifname, unsigned int ifindex, bool join, struct in_addr multiaddr, const char **what) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_PROTO);
  if (fd < 0) { *what = "socket"; return -1; }
  struct ip_mreqn any = { .imr_ifindex = (int)ifindex };
  struct ip_mreqn group = { .imr_ifindex = (int)ifindex, .imr_multiaddr = multiaddr };
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

/* openVrrp4(ifname: string, source: string, join: boolean, buffer: Buffer, records: Int32Array, onPackets: Function, onError: Function, group?: string (default 224.0.0.18)) */
static napi_value open_vrrp4(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  char ifname[IF_NAMESIZE + 1], source[INET_ADDRSTRLEN + 1], group_text[INET_ADDRSTRLEN + 1] = "224.0.0.18";
  bool join = false;
  struct in_addr source4, group;
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7 || get_string(env, argv[0], ifname, sizeof ifname) || get_string(env, argv[1], source, sizeof source) ||
      inet_pton(AF_INET, source, &source4) != 1 || napi_get_value_bool(env, argv[2], &join) != napi_ok ||
      !is_function(env, argv[5]) || !is_function(env, argv[6]) ||
      (argc > 7 && get_string(env, argv[7], group_text, sizeof group_text)) || inet_pton(AF_INET, group_text, &group) != 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG",
                          "openVrrp4(ifname: string, source: IPv4 address, join: boolean, buffer: Buffer, records: Int32Array, onPackets: Function, onError: Function, group?: IPv4 address)");
    return NULL;
  }
  napi_value obj;
  vrrp_t *s = vrrp_wrap(env, ifname, vrrp4_read_one, "openVrrp4", &obj);
  if (!s) return NULL;
  s->source4 = source4;
  if (!take_receive_areas(env, s, argv[3], argv[4], "openVrrp4")) return vrrp_shutdown(s), NULL;
  const char *what = "socket";
  if ((s->fd = vrrp4_socket(ifname, s->ifindex, join, group, &what)) < 0) {
    int saved = errno;
    vrrp_shutdown(s);
    return throw_errno(env, what, saved);
  }
  return vrrp_start(env, s, obj, "floatip:vrrp4", argv[5], argv[6], vrrp4_send, vrrp4_farewell);
}


napi_value vrrp_sockets_init(napi_env env, napi_value exports) {
  if (!make_method(env, exports, "openVrrp4", open_vrrp4)) return NULL;
  if (!make_method(env, exports, "openVrrp6", open_vrrp6)) return NULL;
  return exports;
}
