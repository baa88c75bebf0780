/**
 * What a vrrp_instance's keywords mean together, settled once its block is
 * read: the VRRP version, priority and state, preempt combinations keepalived
 * drops, strict mode, native_ipv6, garp defaults from global_defs, the
 * source address and vmac_xmit_base.
 */
import type { Block } from "./parser.js";
import { args, fail, mark } from "./translate-util.js";
import type { Globals, Obj, St } from "./translate-instance-state.js";

/** vmac_xmit_base only means something with use_vmac (keepalived ignores it otherwise; floatip says so). */
export function finishVmac(st: St): void {
  const xmit = st.vmacXmitBase;
  if (xmit === undefined) return;
  const vmac = st.out["vmac"] as Obj | undefined;
  if (vmac === undefined) return void fail(st.ctx, xmit, "needs use_vmac in the same vrrp_instance");
  vmac["transmitOnBase"] = true;
  mark(st.ctx, `${st.path}.vmac.transmitOnBase`, xmit);
}

/** unicast_src_ip / mcast_src_ip: one setting in keepalived, so giving both is a conflict. */
export function setSource(st: St, b: Block): void {
  if (!args(st.ctx, b, 1)) return;
  if (st.source !== undefined && st.source.b.keyword !== b.keyword) {
    return void fail(
      st.ctx,
      b,
      `sets the same source address as ${st.source.b.keyword} at ${st.source.b.file}:${st.source.b.line}; give one of them`,
    );
  }
  st.source = { value: b.args[0]!, b };
}

/** What keepalived's strict mode forbids in a config; keepalived drops these with a warning, floatip says so before running. */
export function checkStrict(st: St, strict: Block | undefined): void {
  if (strict === undefined) return;
  const why = `${strict.keyword} at ${strict.file}:${strict.line}`;
  if (st.peerBlock !== undefined) fail(st.ctx, st.peerBlock, `${why} forbids unicast peers (keepalived drops them); remove one of them`);
  if (st.authBlock !== undefined) fail(st.ctx, st.authBlock, `${why} forbids authentication (keepalived drops it); remove one of them`);
}

/**
 * native_ipv6 makes keepalived run the instance over IPv6 whatever its
 * addresses; floatip takes an instance's family from its addresses, so the
 * switch changes nothing unless an address is IPv4, which keepalived would
 * drop with a config error: floatip refuses it instead of running without it.
 */
export function checkNativeIpv6(st: St): void {
  if (st.nativeIpv6 === undefined) return;
  const addresses = Array.isArray(st.out["addresses"]) ? st.out["addresses"] : [];
  const ipv4 = addresses.map((a) => String(typeof a === "string" ? a : (a as Obj)["address"])).filter((a) => !a.includes(":"));
  if (ipv4.length > 0)
    fail(
      st.ctx,
      st.nativeIpv6,
      `makes the instance IPv6, so keepalived would drop its IPv4 address ${ipv4.join(", ")}; remove native_ipv6 or the IPv4 addresses`,
    );
}

export function isIpv6(st: St): boolean {
  const addresses = Array.isArray(st.out["addresses"]) ? st.out["addresses"] : [];
  return addresses.some((a) => String(typeof a === "string" ? a : (a as Obj)["address"]).includes(":"));
}

export function finishVersion(st: St, b: Block, globals: Globals): void {
  if (st.out["version"] !== undefined) return;
  const ipv6 = isIpv6(st);
  // keepalived: IPv6 instances always run VRRPv3; others default to global vrrp_version, itself 2 by default.
  st.out["version"] = ipv6 ? 3 : (globals.version?.value ?? 2);
  mark(st.ctx, `${st.path}.version`, !ipv6 && globals.version !== undefined ? globals.version.b : b);
}

export function finishPriority(st: St): void {
  // keepalived: without a priority, state MASTER means 255 (address owner); without a state, priority 255 means MASTER.
  if (st.priority === undefined && st.out["initialState"] === "master" && st.state !== undefined) {
    st.out["priority"] = 255;
    mark(st.ctx, `${st.path}.priority`, st.state);
  }
  if (st.state === undefined && st.out["priority"] === 255 && st.priority !== undefined) {
    st.out["initialState"] = "master";
    mark(st.ctx, `${st.path}.initialState`, st.priority);
  }
}

/** keepalived drops these combinations with a warning; floatip would honour them, so neither is right: say so. */
export function checkPreempt(st: St): void {
  const master = st.out["initialState"] === "master";
  const why = st.state !== undefined ? `state MASTER at line ${st.state.line}` : "priority 255";
  if (st.out["preempt"] === false && st.preempt !== undefined) {
    if (st.out["priority"] === 255) fail(st.ctx, st.preempt, "keepalived ignores nopreempt with priority 255; remove one of them");
    else if (master) fail(st.ctx, st.preempt, `keepalived ignores nopreempt with ${why}; remove one of them`);
  }
  if (st.preemptDelay !== undefined) {
    if (master) fail(st.ctx, st.preemptDelay, `keepalived ignores preempt_delay with ${why}; remove one of them`);
    else if (st.out["preempt"] === false)
      fail(st.ctx, st.preemptDelay, "keepalived ignores preempt_delay with nopreempt; remove one of them");
  }
}

export function finishGarp(st: St, globals: Globals): void {
  const interval = globals.garpInterval.get(isIpv6(st) ? 6 : 4);
  const inherited = interval === undefined ? globals.garp : new Map([...globals.garp, ["interval", interval]]);
  for (const [field, g] of inherited) {
    if (st.garp[field] !== undefined) continue;
    st.garp[field] = g.value;
    mark(st.ctx, `${st.path}.garp.${field}`, g.b);
  }
  if (Object.keys(st.garp).length > 0) st.out["garp"] = st.garp;
}
