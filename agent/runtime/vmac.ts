/**
 * keepalived use_vmac as a plain rewrite of the instance: its router runs
 * on the macvlan that carries the RFC 5798 §7.3 virtual MAC, so the VIPs,
 * gratuitous ARPs and (unless vmac_xmit_base) adverts all use that MAC, and
 * nothing else in the agent needs to know. Pure.
 */
import type { Family, InstanceConfig, VirtualAddress } from "../config/types.js";

/** RFC 5798 §7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6. */
export function virtualMac(family: Family, vrid: number): string {
  return `00:00:5e:00:0${family === 4 ? 1 : 2}:${vrid.toString(16).padStart(2, "0")}`;
}

/**
 * The instance as its router runs it. Adverts from the macvlan: the socket
 * is bound to it and sends from the base interface's address (`baseSource`,
 * the macvlan has none of its own, as with keepalived). vmac_xmit_base: the
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
