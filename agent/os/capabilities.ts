/**
 * The agent's privileges: it needs exactly CAP_NET_ADMIN (netlink: add and
 * remove the virtual addresses) and CAP_NET_RAW (raw VRRP sockets, AF_PACKET
 * for gratuitous ARP / NA). At start it reads its effective set (CapEff in
 * /proc/self/status) and refuses to run without them, naming what is
 * missing, instead of failing later on the first socket or address.
 *
 * Pure: parsing and the message. Edge: readCapabilityCheck() reads the file.
 */
import { readFile } from "node:fs/promises";

export interface RequiredCapability {
  readonly name: "CAP_NET_ADMIN" | "CAP_NET_RAW";
  /** Bit number in the capability sets (linux/capability.h). */
  readonly bit: number;
  readonly why: string;
}

export const REQUIRED_CAPABILITIES: readonly RequiredCapability[] = [
  { name: "CAP_NET_ADMIN", bit: 12, why: "adding and removing the virtual addresses" },
  { name: "CAP_NET_RAW", bit: 13, why: "the raw VRRP sockets and gratuitous ARP / neighbour advertisements" },
];

export type CapabilityCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly missing: readonly RequiredCapability[] }
  /** The effective set could not be read (not Linux, no /proc): the caller decides. */
  | { readonly ok: "unknown"; readonly reason: string };

/** The CapEff mask of a /proc/PID/status text, or a reason it has none. */
export function parseEffectiveCapabilities(status: string): { ok: true; mask: bigint } | { ok: false; reason: string } {
  const line = status.split("\n").find((l) => l.startsWith("CapEff:"));
  if (line === undefined) return { ok: false, reason: "no CapEff line in /proc/self/status" };
  const hex = line.slice("CapEff:".length).trim();
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) return { ok: false, reason: `CapEff is not a hexadecimal mask: "${hex}"` };
  return { ok: true, mask: BigInt(`0x${hex}`) };
}

export function checkCapabilities(status: string): CapabilityCheck {
  const parsed = parseEffectiveCapabilities(status);
  if (!parsed.ok) return { ok: "unknown", reason: parsed.reason };
  const missing = REQUIRED_CAPABILITIES.filter((c) => (parsed.mask & (1n << BigInt(c.bit))) === 0n);
  return missing.length === 0 ? { ok: true } : { ok: false, missing };
}

/** What the agent prints before it exits without the capabilities it needs. */
export function missingCapabilitiesMessage(missing: readonly RequiredCapability[]): string {
  const list = missing.map((c) => `${c.name} (for ${c.why})`).join(" and ");
  return [
    `floatip agent: missing ${list}; nothing was changed.`,
    "The agent needs exactly CAP_NET_ADMIN and CAP_NET_RAW. Run it as root, or grant only these two:",
    "  systemd:    AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW  (with CapabilityBoundingSet= the same)",
    "  shell:      setpriv --inh-caps=+net_admin,+net_raw --ambient-caps=+net_admin,+net_raw --reuid USER ... floatip agent ...",
    "  Kubernetes: securityContext.capabilities.add: [NET_ADMIN, NET_RAW]  (the Helm chart sets this)",
  ].join("\n");
}

/** Edge: reads this process's /proc/self/status. */
export async function readCapabilityCheck(
  read: () => Promise<string> = () => readFile("/proc/self/status", "utf8"),
): Promise<CapabilityCheck> {
  let status: string;
  try {
    status = await read();
  } catch (error) {
    return { ok: "unknown", reason: `cannot read /proc/self/status: ${error instanceof Error ? error.message : String(error)}` };
  }
  return checkCapabilities(status);
}
