/*
 * AF_PACKET: a sender of whole Ethernet frames (ARP, neighbour
 * advertisements, probes) and a receiver of the address claims other hosts
 * make. See floatip_net.c for what JS sees.
 */
#define _GNU_SOURCE
#include "net_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECV_BUF 8192

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

napi_value packet_sockets_init(napi_env env, napi_value exports) {
  if (!make_method(env, exports, "openPacketSocket", open_packet_socket)) return NULL;
  if (!make_method(env, exports, "openClaimReceiver", open_claim_receiver)) return NULL;
  return exports;
}
