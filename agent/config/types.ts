/**
 * The agent's single input type. A standalone YAML file, a converted
 * keepalived.conf and (later) the controller's VRRPNode spec all end up as
 * an AgentConfig after validation. Every duration is in milliseconds and
 * every address is in its canonical textual form.
 */

export type Family = 4 | 6;
export type VrrpVersion = 2 | 3;

/** An address of the virtual router, with the prefix used when aliasing it. */
export interface VirtualAddress {
  readonly address: string; // canonical form, e.g. "192.0.2.5" or "2001:db8::5"
  readonly family: Family;
  readonly prefixLength: number; // 32 / 128 when not given
  /** Interface to alias it on when not the instance's (keepalived `dev`). */
  readonly device?: string;
  /** Address label (keepalived `label`), IPv4 only. */
  readonly label?: string;
}

export interface Authentication {
  /** RFC 3768 §5.3.6 type 1: simple text password, at most 8 bytes. */
  readonly type: "pass";
  readonly password: string;
}

export interface Unicast {
  /** Source address for adverts; default: the interface's primary address. */
  readonly source?: string;
  readonly peers: readonly string[];
}

export interface Garp {
  /** Gratuitous ARP / unsolicited NA messages sent on becoming master. */
  readonly repeat: number;
  /** Delay before the second burst after becoming master (keepalived garp_master_delay), ms; 0 = none. */
  readonly delayMs: number;
  /** Period of refresh bursts while master, ms; 0 = none. */
  readonly refreshMs: number;
  /** Messages per refresh burst. */
  readonly refreshRepeat: number;
  /** Gap between messages of one burst, ms. */
  readonly intervalMs: number;
}

export interface InstanceConfig {
  readonly name: string;
  readonly interface: string;
  readonly virtualRouterId: number; // 1..255
  readonly version: VrrpVersion;
  readonly family: Family; // all addresses of an instance share one family
  readonly priority: number; // 1..255; 255 = address owner
  readonly advertIntervalMs: number; // v2: whole seconds; v3: centiseconds
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  /** Start as backup (default) or try master at once if priority is 255. */
  readonly initialState: "backup" | "master";
  readonly addresses: readonly VirtualAddress[];
  readonly authentication?: Authentication;
  readonly unicast?: Unicast;
  readonly garp: Garp;
}

export interface AgentConfig {
  readonly instances: readonly InstanceConfig[];
}

export const DEFAULT_GARP: Garp = {
  repeat: 5,
  delayMs: 5000,
  refreshMs: 0,
  refreshRepeat: 1,
  intervalMs: 0,
};
