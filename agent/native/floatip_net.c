/*
 * floatip_net: the socket operations of the agent's VRRP and ARP/NA edges (this file: the
 * module and what JS sees; the code is in vrrp_sockets.c, packet_sockets.c, net_socket.c,
 * farewell.c and precise_timer.c).
 *
 * openVrrp4(ifname, source, join, buffer, records, onPackets, onError) -> { send(payload, dest), close(), ifindex }
 *   IPv4 raw socket for IP protocol 112 on one interface with IP_HDRINCL: sends build the
 *   20-byte header here (TOS 0xc0, TTL 255, the given source) and leave at once (sendmsg in
 *   the call, no write watcher).
 * openVrrp6(ifname, join, buffer, records, onPackets, onError) -> { send(payload, dest, source), close(), ifindex }
 *   IPv6 raw socket for IP protocol 112 on one interface: hop limit, destination and ifindex
 *   from IPV6_RECVHOPLIMIT / IPV6_RECVPKTINFO; sends leave with hop limit 255 from a chosen
 *   source (IPV6_PKTINFO).
 *   Both receive on a uv_poll_t in Node's loop, up to 8 packets per recvmmsg, straight into
 *   `buffer` (owned by the caller, reused for every batch), with one record per packet in
 *   `records` (an Int32Array: where its VRRP part is, TTL / hop limit, ifindex, age in us since
 *   the kernel received it, source and destination as raw bytes; layout in vrrp_sockets.c)
 *   and one onPackets(count) per batch. The age (SO_TIMESTAMPNS; 0 if unknown) lets protocol
 *   timers start from the arrival rather than from when JS got to it.
 *   Both also have readWaiting() (reads the packets already queued, calling onPackets before
 *   it returns; from inside onPackets it reads nothing), setReadDelay(us) (after a wake-up
 *   that read packets the socket rests that long, a timerfd reading it, until a rest finds
 *   none: a burst is read in a few batches, net_socket.c) and farewell(payload, dest[, source])
 *   -> slot id or -1 (keeps the packet ready for the stop signal's handler:
 *   installFarewell(signal), farewellSent(id), disarmFarewell(id), see farewell.c).
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
