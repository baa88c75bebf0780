/**
 * The agent's single input type. A standalone YAML file, a converted
 * keepalived.conf and (later) the controller's VRRPNode spec all end up as
 * an AgentConfig after validation. Every duration is in milliseconds and
 * every address is in its canonical textual form.
 */

import type { Family, VrrpVersion } from "../vrrp/packet.js";

// The address family and protocol version belong to the packet (agent/vrrp/packet.ts); re-exported
// here because the configuration speaks of them too.
export type { Family, VrrpVersion };

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
  /**
   * Messages per burst when a master hears a lower-priority advert (keepalived
   * garp_lower_prio_repeat; default: repeat); 0 = none (the master still answers with an advert).
   */
  readonly lowerPriorityRepeat: number;
  /** Delay before the second such burst (garp_lower_prio_delay; default: delay), ms; 0 = none. */
  readonly lowerPriorityDelayMs: number;
}

/** A health check run on an interval (keepalived vrrp_script). */
export interface ScriptConfig {
  readonly name: string;
  /** Command line, split on whitespace with shell-like quotes; run without a shell. */
  readonly command: string;
  readonly intervalMs: number;
  /** Default: the interval. On timeout the script gets SIGTERM, then SIGKILL. */
  readonly timeoutMs: number;
  /** Added while OK if > 0, subtracted while failed if < 0; 0 puts tracking instances in FAULT while failed. */
  readonly weight: number;
  /** keepalived `weight N reverse`: the weight applies in the opposite condition (see agent/health/priority.ts). */
  readonly reverse: boolean;
  /** Consecutive failures before it counts as failed. */
  readonly fall: number;
  /** Consecutive successes before it counts as OK again. */
  readonly rise: number;
  /** Start in the failed state (keepalived init_fail). */
  readonly initFail: boolean;
  /** Run as this user (name or uid); default: the agent's user. */
  readonly user?: string;
}

/** A file holding an integer, multiplied by weight (keepalived vrrp_track_file). */
export interface TrackFileConfig {
  readonly name: string;
  readonly path: string;
  readonly weight: number;
}

/** TLS settings of an https health check. */
export interface HttpCheckTls {
  /** PEM file with the CA certificates to trust instead of the system's (e.g. /etc/kubernetes/pki/ca.crt). */
  readonly caFile?: string;
  /** Name to verify the server certificate against (and to send as SNI) instead of the URL's host. */
  readonly serverName?: string;
  /** Accept any server certificate. */
  readonly insecureSkipVerify: boolean;
}

/**
 * An HTTP(S) GET run on an interval, counted like a keepalived vrrp_script:
 * a status 200..399 is a success; any other status, a timeout or a
 * connection error is a failure.
 */
export interface HttpCheckConfig {
  readonly name: string;
  /** http:// or https:// URL, e.g. https://127.0.0.1:6443/readyz. */
  readonly url: string;
  readonly intervalMs: number;
  /** Default: the interval. */
  readonly timeoutMs: number;
  /** As a script's weight: 0 puts tracking instances in FAULT while failed. */
  readonly weight: number;
  readonly fall: number;
  readonly rise: number;
  readonly tls?: HttpCheckTls;
}

/**
 * Processes counted on this host (keepalived vrrp_track_process): OK while
 * quorum <= count <= quorumMax; scored like a script (weight 0 = FAULT while
 * not OK). Zombies do not count.
 */
export interface TrackProcessConfig {
  readonly name: string;
  /** The process name (/proc/PID/comm) or, with fullCommand, its argv[0] as started. */
  readonly process: string;
  /** Compared with the process's arguments (argv[1..]) when given; absent = any arguments. */
  readonly args?: readonly string[];
  /** exact: the same arguments; partial: these first, more may follow; initial: as partial, and the last may be longer. */
  readonly argsMatch: "exact" | "partial" | "initial";
  readonly fullCommand: boolean;
  readonly weight: number;
  readonly reverse: boolean;
  readonly quorum: number;
  /** Absent: no upper limit. */
  readonly quorumMax?: number;
  /** How long a gained quorum must hold before it counts (keepalived fork_delay), ms. */
  readonly forkDelayMs: number;
  /** How long a lost quorum must stay lost before it counts (terminate_delay), ms. */
  readonly terminateDelayMs: number;
}

export interface TrackRef {
  readonly name: string;
  /** Overrides the tracked object's weight for this instance. */
  readonly weight?: number;
  readonly reverse?: boolean;
}

/** Kubernetes label selector (metav1.LabelSelector). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    readonly values?: readonly string[];
  }[];
}

/** Follow ready pods on this node (agent --kubernetes only). */
export interface PodTracking {
  readonly namespace: string;
  readonly selector: LabelSelector;
  /** Added while at least one matching pod on this node is ready; 0 = FAULT while none is. */
  readonly weight: number;
}

export interface Tracking {
  readonly pods?: PodTracking;
  readonly scripts: readonly TrackRef[];
  /** Interfaces whose link must be up; weight 0 (default) means FAULT while down. */
  readonly interfaces: readonly TrackRef[];
  readonly files: readonly TrackRef[];
  /** HTTP checks (by name, from AgentConfig.httpChecks); absent = none. */
  readonly httpChecks?: readonly TrackRef[];
  /** Tracked processes (by name, from AgentConfig.trackProcesses); absent = none. */
  readonly processes?: readonly TrackRef[];
}

/** Commands run on transitions (keepalived notify*). */
export interface Notify {
  /** Run on every transition with: INSTANCE <name> <MASTER|BACKUP|FAULT|STOP> <priority>. */
  readonly any?: string;
  readonly master?: string;
  readonly backup?: string;
  readonly fault?: string;
  readonly stop?: string;
  /** Per-run limit, then SIGTERM then SIGKILL. */
  readonly timeoutMs: number;
  /** Run the commands as this user ("name", "uid", "name:group", "uid:gid", as a script's `user`); default: the agent's user. */
  readonly user?: string;
}

/**
 * A route floatip installs (keepalived virtual_routes / static_routes), as
 * `ip route add` would: `type` unicast needs no gateway (then it is on-link,
 * scope link), blackhole / unreachable / prohibit carry no gateway or device.
 */
export interface RouteConfig {
  readonly type: "unicast" | "blackhole" | "unreachable" | "prohibit";
  readonly family: Family;
  /** Canonical destination network, e.g. "192.0.2.0/24"; "0.0.0.0/0" / "::/0" for default. */
  readonly to: string;
  readonly via?: string;
  readonly device?: string;
  /** Preferred source address (keepalived / ip `src`). */
  readonly source?: string;
  readonly metric?: number;
  /** Routing table id; default: main (254). */
  readonly table?: number;
  /** Default: link for a unicast route without gateway, else global (as ip route). */
  readonly scope?: "global" | "link" | "host";
  /** The gateway is on the device's link though no subnet of the device holds it (ip route ... onlink). */
  readonly onlink?: true;
}

/**
 * A policy routing rule floatip installs (keepalived virtual_rules), as
 * `ip rule add` would, with the lookup action only: packets it selects are
 * routed by `table`. Selectors left out match everything.
 */
export interface RuleConfig {
  readonly family: Family;
  /** Canonical source network ("192.0.2.0/24"). */
  readonly from?: string;
  /** Canonical destination network. */
  readonly to?: string;
  /** Incoming interface name. */
  readonly iif?: string;
  /** Outgoing interface name (a socket bound to it). */
  readonly oif?: string;
  readonly fwmark?: number;
  /** Default, with fwmark: all 32 bits (as the kernel). */
  readonly fwmask?: number;
  /** Routing table id looked up; default main (254) as ip rule. */
  readonly table: number;
  /** Lower runs first; absent = the kernel picks one below the last rule's. */
  readonly priority?: number;
}

/** keepalived use_vmac / vmac_xmit_base. */
export interface VirtualMac {
  /** The macvlan's name (default vrrp.VRID, as keepalived). */
  readonly name: string;
  /** Send adverts from the instance's own interface and MAC (keepalived vmac_xmit_base); else from the macvlan. */
  readonly transmitOnBase: boolean;
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
  /**
   * Added and removed with master state like `addresses`, but not carried
   * in adverts (keepalived virtual_ipaddress_excluded); any family; absent = none.
   */
  readonly excludedAddresses?: readonly VirtualAddress[];
  readonly authentication?: Authentication;
  readonly unicast?: Unicast;
  /**
   * The multicast group adverts go to and are heard on (keepalived
   * vrrp_mcast_group4 / 6, from AgentConfig.multicastGroups at validation);
   * absent = 224.0.0.18 / ff02::12.
   */
  readonly multicastGroup?: string;
  /** Source address of multicast adverts (keepalived mcast_src_ip); default: the interface's primary address. Unicast instances use unicast.source. */
  readonly source?: string;
  readonly garp: Garp;
  readonly track: Tracking;
  readonly notify?: Notify;
  /** File rewritten on every transition with "INSTANCE <name> is in <STATE> state". */
  readonly stateFile?: string;
  /**
   * False: faults of the instance's own interface (down, no carrier, gone)
   * do not put it in FAULT (keepalived dont_track_primary); absent = true.
   */
  readonly trackInterface?: false;
  /**
   * keepalived use_vmac: the virtual addresses live on a macvlan interface
   * with the RFC 5798 §7.3 virtual MAC 00:00:5e:00:01:VRID (IPv6:
   * 00:00:5e:00:02:VRID); absent = none.
   */
  readonly vmac?: VirtualMac;
  /** net.ipv4.conf.IF.promote_secondaries=1 on the interface while the instance runs (keepalived promote_secondaries); absent = left alone. */
  readonly promoteSecondaries?: true;
  /** Routes installed while master, removed when leaving master (keepalived virtual_routes); absent = none. */
  readonly routes?: readonly RouteConfig[];
  /** Policy rules installed while master, after the routes, removed before them (keepalived virtual_rules); absent = none. */
  readonly rules?: readonly RuleConfig[];
  /** The sync group this instance belongs to (AgentConfig.syncGroups). */
  readonly syncGroup?: string;
}

/**
 * Instances that change state together (keepalived vrrp_sync_group): one
 * member in FAULT puts all in FAULT, one leaving master takes the others
 * out of master, and they go master only together (agent/vrrp/sync-group.ts).
 * The group's own tracking is merged into every member's track at
 * validation, unweighted, and members' tracking is unweighted too (weight 0,
 * as keepalived forces), so all members see the same FAULT.
 */
export interface SyncGroupConfig {
  readonly name: string;
  /** Member instance names, at least two. */
  readonly instances: readonly string[];
  /** Commands run when the group changes state, with GROUP <name> <STATE> 0 for `any` (keepalived's group notify). */
  readonly notify?: Notify;
}

/**
 * A FIFO that gets one line per state change (keepalived notify_fifo /
 * vrrp_notify_fifo): `INSTANCE "NAME" STATE PRIORITY` and, for sync groups,
 * `GROUP "NAME" STATE 0` after its members' lines. Created (mode 0644) if
 * missing, and then removed when the agent stops; a path that exists and is
 * not a FIFO is a config error. Lines nobody reads are dropped, never waited
 * for (agent/notify/notify-fifo.ts).
 */
export interface NotifyFifoConfig {
  readonly path: string;
  /** Owner given to a FIFO the agent creates (name or uid). */
  readonly user?: string;
  /** Group given to a FIFO the agent creates (name or gid). */
  readonly group?: string;
}

export interface AgentConfig {
  readonly scripts: readonly ScriptConfig[];
  readonly trackFiles: readonly TrackFileConfig[];
  /** HTTP(S) health checks; absent = none. */
  readonly httpChecks?: readonly HttpCheckConfig[];
  readonly instances: readonly InstanceConfig[];
  /**
   * Added while the agent runs, whatever the VRRP state (keepalived
   * static_ipaddress), each on its `device` (required); absent = none.
   */
  readonly staticAddresses?: readonly VirtualAddress[];
  /** Installed while the agent runs, whatever the VRRP state (keepalived static_routes); absent = none. */
  readonly staticRoutes?: readonly RouteConfig[];
  /** Likewise, policy rules (keepalived static_rules), after the routes; absent = none. */
  readonly staticRules?: readonly RuleConfig[];
  /** Tracked processes; absent = none. */
  readonly trackProcesses?: readonly TrackProcessConfig[];
  /** Sync groups; absent = none. */
  readonly syncGroups?: readonly SyncGroupConfig[];
  /**
   * keepalived's vrrp_startup_delay, ms: for this long after the agent
   * starts, every instance is a backup that does not take over (it still
   * hears adverts and follows a master); absent = 0. Counted from the
   * agent's start, so a reload after it has passed changes nothing.
   */
  readonly startupDelayMs?: number;
  /**
   * The multicast groups of all instances (keepalived vrrp_mcast_group4 /
   * vrrp_mcast_group6), copied into each instance's multicastGroup at
   * validation; absent = the RFC groups.
   */
  readonly multicastGroups?: { readonly ipv4?: string; readonly ipv6?: string };
  /** FIFOs that get a line per transition; absent = none. */
  readonly notifyFifos?: readonly NotifyFifoConfig[];
}

export const NO_TRACKING: Tracking = { scripts: [], interfaces: [], files: [] };

export const DEFAULT_GARP: Garp = {
  repeat: 5,
  delayMs: 5000,
  refreshMs: 0,
  refreshRepeat: 1,
  intervalMs: 0,
  lowerPriorityRepeat: 5,
  lowerPriorityDelayMs: 5000,
};
