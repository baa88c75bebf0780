/*
 * floatip_net: the socket operations of the agent's VRRP and ARP/NA edges (this file: the
 * module and what JS sees; the code is in vrrp_sockets.c, packet_sockets.c, net_socket.c,
 * farewell.c and precise_timer.c).
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
 *   Both also have readWaiting() (reads the packets already queued, calling onPacket before it
 *   returns) and farewell(payload, dest[, source]) -> slot id or -1 (keeps the packet ready for
 *   the stop signal's handler: installFarewell(signal), farewellSent(id), disarmFarewell(id),
 *   see farewell.c).
 * openPacketSocket() -> { send(ifindex, frame), close() }: sends whole Ethernet frames.
 * openClaimReceiver(ifname, onFrame, onError) -> { close(), ifindex }: receives, on one interface,
 *   the ARP frames and ICMPv6 neighbour advertisements other hosts send (a classic BPF filter
 *   in the kernel drops everything else; our own outgoing frames are skipped). onFrame(frame: Buffer).
 *
 * openPreciseTimer(onFire) -> { arm(delayMs), disarm(), close() }: a timerfd on Node's loop.
 * openLinkTrigger() -> { close() }: a thread that sends an armed farewell the moment one of the
 *   interfaces named when it was armed (farewell(..., linkDown: string[])) goes down (link_trigger.c).
 *
 * Errors are thrown (or given to onError) as Errors with code (errno name), errno, syscall.
 */
#include <node_api.h>

#include "farewell.h"
#include "net_socket.h"
#include "link_trigger.h"
#include "precise_timer.h"

static napi_value Init(napi_env env, napi_value exports) {
  if (!vrrp_sockets_init(env, exports) || !packet_sockets_init(env, exports)) return NULL;
  if (!precise_timer_init(env, exports) || !link_trigger_init(env, exports)) return NULL;
  return farewell_init(env, exports);
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
