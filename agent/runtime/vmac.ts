/**
 * keepalived use_vmac as a plain rewrite of the instance: its router runs
 * on the macvlan that carries the RFC 5798 §7.3 virtual MAC, so the VIPs,
 * gratuitous ARPs and (unless vmac_xmit_base) adverts all use that MAC, and
 * nothing else in the agent needs to know. Pure.
 */
import type { Family, InstanceConfig, VirtualAddress } from "../config/types.js";
import type { LinkInfo } from "../os/ports.js";
import { canonicalAddress } from "../vrrp/address-bytes.js";

/** RFC 5798 §7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6. */
export function virtualMac(family: Family, vrid: number): string {
  return `00:00:5e:00:0${family === 4 ? 1 : 2}:${vrid.toString(16).padStart(2, "0")}`;
}

/** fe80::/10, as IPv6 link-local unicast addresses are. */
const isLinkLocal = (address: string) => /^fe[89ab][0-9a-f]:/i.test(address);

/**
 * IPv6: the link-local address the macvlan gets, as keepalived 2.2.7 gives
 * it one (RFC 5798 §5.1.2.1: adverts come from a link-local address, and
 * this one is not derived from the shared virtual MAC, so routers do not
 * all claim the same address): a configured link-local source
 * (mcast_src_ip / unicast_src_ip), else the base interface's own link-local
 * address (then on both interfaces), else the EUI-64 one of the base MAC. A
 * configured global source needs no copy: the kernel sends from any local
 * global address, but from a link-local one only on its own interface.
 */
export function virtualMacLinkLocal(instance: InstanceConfig, base: Pick<LinkInfo, "mac" | "addresses">): string {
  const configured = instance.unicast !== undefined ? instance.unicast.source : instance.source;
  if (configured !== undefined && isLinkLocal(configured)) return configured;
  const own = base.addresses.find((a) => a.family === 6 && isLinkLocal(a.address));
  return own?.address ?? eui64LinkLocal(base.mac);
}

/** RFC 4291 appendix A: fe80:: with the MAC split by ff:fe and the universal/local bit flipped. */
export function eui64LinkLocal(mac: string): string {
  const b = mac.split(":").map((h) => parseInt(h, 16));
  const group = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  const text = `fe80:0:0:0:${group(b[0]! ^ 2, b[1]!)}:${group(b[2]!, 0xff)}:${group(0xfe, b[3]!)}:${group(b[4]!, b[5]!)}`;
  return canonicalAddress(text, 6) ?? text;
}

/**
 * The instance as its router runs it. Adverts from the macvlan: the socket
 * is bound to it and sends from the base interface's address (`baseSource`,
 * the macvlan has none of its own, as with keepalived; IPv6: the link-local
 * address the macvlan was given, virtualMacLinkLocal()). vmac_xmit_base: the
 * socket stays on the base interface; only the addresses move.
 */
export function onVirtualMac(instance: InstanceConfig, baseSource: string | undefined): InstanceConfig {
  const vmac = instance.vmac;
  if (vmac === undefined) return instance;
  const onVmac = (list: readonly VirtualAddress[]) =>
    list.map((a) => (a.device === undefined || a.device === instance.interface ? { ...a, device: vmac.name } : a));
  const addresses = onVmac(instance.addresses);
  const excluded = instance.excludedAddresses === undefined ? {} : { excludedAddresses: onVmac(instance.excludedAddresses) };
  if (vmac.transmitOnBase) return { ...instance, addresses, ...excluded };
  const moved = {
    ...instance,
    interface: vmac.name,
    addresses: addresses.map(({ device, ...a }) => (device === vmac.name ? a : { ...a, device })),
    ...excluded,
  };
  if (instance.unicast !== undefined) {
    const source = instance.unicast.source ?? baseSource;
    return { ...moved, unicast: { ...instance.unicast, ...(source !== undefined ? { source } : {}) } };
  }
  const source = instance.source ?? baseSource;
  return { ...moved, ...(source !== undefined ? { source } : {}) };
}
