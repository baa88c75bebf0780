/**
 * The VRRP state machine of one virtual router, as a pure function:
 *
 *     step(params, state, event, now) -> { state, actions }
 *
 * It performs no I/O and reads no clock; the runtime (agent/runtime) carries
 * out the returned actions and feeds timer expiries and received adverts back
 * in as events. Implements RFC 5798 §6.4 (VRRPv3) and RFC 3768 §6.4 (VRRPv2).
 *
 *                      startup (priority 255: the address owner)
 *            +----------------------------------------------------------+
 *            |                                                          v
 *   +----------------+  startup   +-----------+  Master_Down_Timer  +----------+
 *   | Initialize     |----------->|  Backup   |-------------------->|  Master  |
 *   | §6.4.1         |            |  §6.4.2   |<--------------------|  §6.4.3  |
 *   +----------------+            +-----------+  higher advert, or  +----------+
 *        ^     ^    shutdown          |   ^      equal priority and      |
 *        |     +----------------------+   |      higher primary address  |
 *        |                                |                              |
 *        +--------------------------------|------------------------------+
 *        |       shutdown (Master sends priority 0 first, §6.4.3)        |
 *        |                                |                              |
 *        |      fault (any running state) v  recovered                   |
 *        |                          +-----------+                        |
 *        +--------------------------|  Fault    |<-----------------------+
 *                        shutdown   +-----------+
 *
 * Fault is keepalived's FAULT state (a tracked interface down or a weight-0
 * check failing): the router neither sends nor takes over until recovered.
 *
 * Held (keepalived: a weight-0 script still in init, or a sync group member
 * waiting for the rest of its group): a backup whose Master_Down_Timer fires
 * stays backup, re-arms the timer and reports `want-master` (keepalived's
 * wantstate MASTER) until an advert from a master clears the wish. A sync
 * group moves its members with `take-over` (backup -> master at once) and
 * `yield` (master -> backup without a priority-0 advert, as keepalived's
 * vrrp_sync_backup does: the other group's members take over on their own).
 *
 * Timers (one "protocol" timer per router, RFC 5798 §6.2):
 *   Backup: Master_Down_Timer; Master: Adver_Timer.
 * A second "garp" timer spaces the delayed and periodic gratuitous ARP bursts.
 *
 * Beyond the RFCs, as keepalived does by default: a master that hears a
 * lower-priority advert (another router was master too, e.g. on the far side
 * of a partition that has healed, and switches and hosts may have learnt its
 * MAC) answers at once with an advert and a gratuitous ARP burst, repeated
 * after garp.lowerPriorityDelay (keepalived garp_lower_prio_repeat /
 * garp_lower_prio_delay); further lower-priority adverts get only the advert
 * until that second burst is due (or for one advert interval without one). A master that hears a higher-priority
 * advert sends one advert of its own before it backs off (keepalived
 * higher_prio_send_advert), so the winner hears it and re-announces even when
 * its own advert arrived first.
 */
import type { Advert, VrrpVersion } from "./packet.js";
import { masterDownIntervalMs, skewTimeMs } from "./timing.js";
import { compareAddresses } from "./address-order.js";

export type Phase = "initialize" | "backup" | "master" | "fault";

/** What does not change while the router runs (from InstanceConfig). */
export interface RouterParams {
  readonly version: VrrpVersion;
  /** Configured priority; 255 marks the address owner. */
  readonly priority: number;
  readonly advertIntervalMs: number;
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly initialState: "backup" | "master";
  /** Our primary address (the source of our adverts), for the tie-break. */
  readonly primaryAddress: string;
  readonly garpDelayMs: number;
  readonly garpRefreshMs: number;
  /** Messages per burst on hearing a lower-priority advert while master; 0 = answer with an advert only. */
  readonly garpLowerPriorityRepeat: number;
  /** Delay before the second such burst; 0 = none. */
  readonly garpLowerPriorityDelayMs: number;
}

export interface RouterState {
  readonly phase: Phase;
  /** Priority after health tracking; equals params.priority when nothing tracks. */
  readonly effectivePriority: number;
  /** v3: learnt from the master; v2: always our own interval. */
  readonly masterAdvertIntervalMs: number;
  /** When the protocol timer (Master_Down or Adver) fires; undefined when stopped. */
  readonly timerAt: number | undefined;
  /** When the next gratuitous ARP burst is due while master, and which kind it is. */
  readonly garpAt: number | undefined;
  readonly garpBurst: "delayed" | "refresh" | "lower-priority" | undefined;
  /** Until when a lower-priority advert gets an advert but no new burst (the last round is still running). */
  readonly lowerPriorityQuietUntil: number | undefined;
  /** Earliest time a lower-priority master may be preempted (preempt_delay). */
  readonly preemptAfter: number;
  /** Source of the last advert accepted from another master. */
  readonly masterAddress: string | undefined;
  readonly since: number;
  /** A backup does not take over by itself while held (see the header). */
  readonly held: boolean;
  /** Held, the Master_Down_Timer fired and no master has been heard since (keepalived wantstate MASTER). */
  readonly wantsMaster: boolean;
}

export type TransitionReason =
  | "startup"
  | "owner-startup"
  | "master-down-timer"
  | "higher-priority-advert"
  | "shutdown"
  | "fault"
  | "recovered"
  /** A sync group moved this member with the rest of the group. */
  | "sync-group";

export type RouterEvent =
  | { readonly type: "startup" }
  | { readonly type: "shutdown" }
  | { readonly type: "advert"; readonly advert: Advert; readonly source: string }
  | { readonly type: "timer"; readonly timer: "protocol" | "garp" }
  | { readonly type: "priority"; readonly effectivePriority: number }
  | { readonly type: "fault" }
  | { readonly type: "recovered" }
  | { readonly type: "hold"; readonly held: boolean }
  /** A sync group goes master: a backup member becomes master now. */
  | { readonly type: "take-over" }
  /** A sync group goes backup: a master member leaves master now. */
  | { readonly type: "yield" };

export type AnnounceBurst = "initial" | "delayed" | "refresh" | "lower-priority";

export type RouterAction =
  | { readonly type: "send-advert"; readonly priority: number }
  | { readonly type: "add-addresses" }
  | { readonly type: "remove-addresses" }
  /**
   * Gratuitous ARP / unsolicited NA for every address: on becoming master, after garp_master_delay,
   * as a periodic refresh, or on hearing a lower-priority master (at once and after its delay).
   */
  | { readonly type: "announce"; readonly burst: AnnounceBurst }
  | { readonly type: "set-timer"; readonly timer: "protocol" | "garp"; readonly at: number }
  | { readonly type: "cancel-timer"; readonly timer: "protocol" | "garp" }
  /** Held, the Master_Down_Timer fired: the router would take over now (its sync group decides). */
  | { readonly type: "want-master" }
  | {
      readonly type: "transition";
      readonly from: Phase;
      readonly to: Phase;
      readonly reason: TransitionReason;
      readonly masterAddress?: string;
    };

export interface StepResult {
  readonly state: RouterState;
  readonly actions: readonly RouterAction[];
}

export function initialRouterState(params: RouterParams, now: number): RouterState {
  return {
    phase: "initialize",
    effectivePriority: params.priority,
    masterAdvertIntervalMs: params.advertIntervalMs,
    timerAt: undefined,
    garpAt: undefined,
    garpBurst: undefined,
    lowerPriorityQuietUntil: undefined,
    preemptAfter: now,
    masterAddress: undefined,
    since: now,
    held: false,
    wantsMaster: false,
  };
}

/** Master_Down_Interval as this router currently computes it. */
export function currentMasterDownMs(params: RouterParams, state: RouterState): number {
  return masterDownIntervalMs(timingOf(params, state));
}

export function currentSkewMs(params: RouterParams, state: RouterState): number {
  return skewTimeMs(timingOf(params, state));
}

function timingOf(params: RouterParams, state: RouterState) {
  return {
    version: params.version,
    priority: state.effectivePriority,
    masterAdvertIntervalMs: state.masterAdvertIntervalMs,
  };
}

export function step(params: RouterParams, state: RouterState, event: RouterEvent, now: number): StepResult {
  switch (event.type) {
    case "startup":
      return onStartup(params, state, now);
    case "shutdown":
      return onShutdown(state, now);
    case "timer":
      return event.timer === "protocol" ? onProtocolTimer(params, state, now) : onGarpTimer(params, state, now);
    case "advert":
      return onAdvert(params, state, event.advert, event.source, now);
    case "priority":
      return { state: { ...state, effectivePriority: event.effectivePriority }, actions: [] };
    case "fault":
      return onFault(state, now);
    case "recovered":
      return onRecovered(params, state, now);
    case "hold":
      return nothing({ ...state, held: event.held, wantsMaster: event.held && state.wantsMaster });
    case "take-over":
      return state.phase === "backup" ? becomeMaster(params, state, now, "sync-group") : nothing(state);
    case "yield":
      return onYield(params, state, now);
  }
}

const nothing = (state: RouterState): StepResult => ({ state, actions: [] });

function onStartup(params: RouterParams, state: RouterState, now: number): StepResult {
  if (state.phase !== "initialize") return nothing(state);
  const started = { ...state, preemptAfter: now + params.preemptDelayMs, since: now };
  if (params.priority === 255 && !state.held) return becomeMaster(params, started, now, "owner-startup");
  const backup = becomeBackup(params, { ...started, masterAdvertIntervalMs: params.advertIntervalMs }, now, "startup");
  if (params.initialState === "backup") return backup;
  // keepalived's `state MASTER`: start as backup but wait one advert interval, not a whole
  // Master_Down_Interval, so an existing master still gets the chance to be heard.
  const at = now + params.advertIntervalMs;
  return {
    state: { ...backup.state, timerAt: at },
    actions: backup.actions.map((a) => (a.type === "set-timer" ? { ...a, at } : a)),
  };
}

function onShutdown(state: RouterState, now: number): StepResult {
  const actions: RouterAction[] = [
    { type: "cancel-timer", timer: "protocol" },
    { type: "cancel-timer", timer: "garp" },
  ];
  if (state.phase === "initialize") return nothing(state);
  if (state.phase === "master") {
    // §6.4.3: announce priority 0 so a backup takes over after Skew_Time.
    actions.push({ type: "send-advert", priority: 0 }, { type: "remove-addresses" });
  }
  actions.push({ type: "transition", from: state.phase, to: "initialize", reason: "shutdown" });
  return {
    state: { ...state, phase: "initialize", timerAt: undefined, garpAt: undefined, since: now },
    actions,
  };
}

function onProtocolTimer(params: RouterParams, state: RouterState, now: number): StepResult {
  if (state.timerAt === undefined || now < state.timerAt) return nothing(state); // stale
  if (state.phase === "backup" && state.held) {
    const at = now + currentMasterDownMs(params, state);
    return {
      state: { ...state, timerAt: at, wantsMaster: true },
      actions: [{ type: "set-timer", timer: "protocol", at }, { type: "want-master" }],
    };
  }
  if (state.phase === "backup") return becomeMaster(params, state, now, "master-down-timer");
  if (state.phase === "master") {
    const at = now + params.advertIntervalMs;
    return {
      state: { ...state, timerAt: at },
      actions: [
        { type: "send-advert", priority: state.effectivePriority },
        { type: "set-timer", timer: "protocol", at },
      ],
    };
  }
  return nothing(state);
}

function onGarpTimer(params: RouterParams, state: RouterState, now: number): StepResult {
  if (state.phase !== "master" || state.garpAt === undefined || now < state.garpAt) return nothing(state);
  const actions: RouterAction[] = [{ type: "announce", burst: state.garpBurst ?? "refresh" }];
  const garpAt = params.garpRefreshMs > 0 ? now + params.garpRefreshMs : undefined;
  if (garpAt !== undefined) actions.push({ type: "set-timer", timer: "garp", at: garpAt });
  return { state: { ...state, garpAt, garpBurst: garpAt === undefined ? undefined : "refresh" }, actions };
}

function onAdvert(params: RouterParams, state: RouterState, advert: Advert, source: string, now: number): StepResult {
  if (state.phase === "backup") return advertInBackup(params, state, advert, source, now);
  if (state.phase === "master") return advertInMaster(params, state, advert, source, now);
  return nothing(state); // initialize and fault ignore adverts
}

/**
 * step() for the most common event, without its allocations: an advert a
 * backup accepts from the master it already follows, at the interval it
 * already learnt. step() would only move the Master_Down deadline, so this
 * returns that state (its only action is set-timer protocol at timerAt);
 * undefined for any other event: call step().
 */
export function backupAdvertFastPath(
  params: RouterParams,
  state: RouterState,
  advert: Advert,
  source: string,
  now: number,
): RouterState | undefined {
  if (state.phase !== "backup" || advert.priority === 0 || source !== state.masterAddress || state.wantsMaster) return undefined;
  if (params.version === 3 && advert.advertIntervalMs !== state.masterAdvertIntervalMs) return undefined;
  const accept = (!params.preempt && params.priority !== 255) || advert.priority >= state.effectivePriority;
  if (!accept) return undefined;
  const at =
    now +
    masterDownIntervalMs({
      version: params.version,
      priority: state.effectivePriority,
      masterAdvertIntervalMs: state.masterAdvertIntervalMs,
    });
  return {
    phase: state.phase,
    effectivePriority: state.effectivePriority,
    masterAdvertIntervalMs: state.masterAdvertIntervalMs,
    timerAt: at,
    garpAt: state.garpAt,
    garpBurst: state.garpBurst,
    lowerPriorityQuietUntil: state.lowerPriorityQuietUntil,
    preemptAfter: state.preemptAfter,
    masterAddress: state.masterAddress,
    since: state.since,
    held: state.held,
    wantsMaster: false,
  };
}

/** RFC 5798 §6.4.2, receiving an ADVERTISEMENT while Backup. */
function advertInBackup(params: RouterParams, state: RouterState, advert: Advert, source: string, now: number): StepResult {
  if (advert.priority === 0) {
    // The master is leaving: take over after Skew_Time only.
    const at = now + currentSkewMs(params, state);
    return { state: { ...state, timerAt: at }, actions: [{ type: "set-timer", timer: "protocol", at }] };
  }
  const owner = params.priority === 255;
  const accept = (!params.preempt && !owner) || advert.priority >= state.effectivePriority;
  if (accept) {
    // The common case (every advert of the master): one new state object.
    const learnt = params.version === 3 ? advert.advertIntervalMs : state.masterAdvertIntervalMs;
    const at = now + masterDownIntervalMs({ version: params.version, priority: state.effectivePriority, masterAdvertIntervalMs: learnt });
    return {
      state: { ...state, masterAdvertIntervalMs: learnt, masterAddress: source, timerAt: at, wantsMaster: false },
      actions: [{ type: "set-timer", timer: "protocol", at }],
    };
  }
  if (now < state.preemptAfter) {
    // preempt_delay: let the lower-priority master keep the address until the delay has passed.
    const at = Math.min(now + currentMasterDownMs(params, state), state.preemptAfter);
    return { state: { ...state, timerAt: at, masterAddress: source }, actions: [{ type: "set-timer", timer: "protocol", at }] };
  }
  // Lower priority and we preempt: discard; Master_Down_Timer will fire.
  return nothing(state);
}

/** RFC 5798 §6.4.3, receiving an ADVERTISEMENT while Master. */
function advertInMaster(params: RouterParams, state: RouterState, advert: Advert, source: string, now: number): StepResult {
  if (advert.priority === 0) {
    // Another router is leaving: reassert at once so backups see us.
    const at = now + params.advertIntervalMs;
    return {
      state: { ...state, timerAt: at },
      actions: [
        { type: "send-advert", priority: state.effectivePriority },
        { type: "set-timer", timer: "protocol", at },
      ],
    };
  }
  const higher =
    advert.priority > state.effectivePriority ||
    (advert.priority === state.effectivePriority && compareAddresses(source, params.primaryAddress) > 0);
  if (!higher) return lowerPriorityInMaster(params, state, now);
  const learnt = params.version === 3 ? advert.advertIntervalMs : state.masterAdvertIntervalMs;
  const next: RouterState = { ...state, masterAdvertIntervalMs: learnt, masterAddress: source };
  const at = now + currentMasterDownMs(params, next);
  return {
    state: { ...next, phase: "backup", timerAt: at, garpAt: undefined, garpBurst: undefined, since: now },
    actions: [
      // One last advert of ours: the winner hears a lower-priority master and re-announces.
      { type: "send-advert", priority: state.effectivePriority },
      { type: "cancel-timer", timer: "garp" },
      { type: "remove-addresses" },
      { type: "set-timer", timer: "protocol", at },
      { type: "transition", from: "master", to: "backup", reason: "higher-priority-advert", masterAddress: source },
    ],
  };
}

/**
 * A lower-priority master is (or was just) out there. The RFCs discard its
 * advert; keepalived (and floatip) reassert at once so it backs off now, and
 * re-announce so hosts and switches that learnt its MAC point back at us
 * (garp_lower_prio_repeat; 0 = the advert only).
 */
function lowerPriorityInMaster(params: RouterParams, state: RouterState, now: number): StepResult {
  const actions: RouterAction[] = [{ type: "send-advert", priority: state.effectivePriority }];
  if (params.garpLowerPriorityRepeat === 0) return { state, actions };
  if (state.lowerPriorityQuietUntil !== undefined && now < state.lowerPriorityQuietUntil) return { state, actions };
  actions.push({ type: "announce", burst: "lower-priority" });
  const delay = params.garpLowerPriorityDelayMs;
  // Until the second burst (or one advert interval without one), more lower adverts get only an advert.
  const next: RouterState = { ...state, lowerPriorityQuietUntil: now + (delay > 0 ? delay : params.advertIntervalMs) };
  const at = now + delay;
  if (delay === 0 || (state.garpAt !== undefined && state.garpAt <= at)) return { state: next, actions }; // a burst comes sooner anyway
  actions.push({ type: "set-timer", timer: "garp", at });
  return { state: { ...next, garpAt: at, garpBurst: "lower-priority" }, actions };
}

function onFault(state: RouterState, now: number): StepResult {
  if (state.phase === "fault" || state.phase === "initialize") return nothing(state);
  const actions: RouterAction[] = [
    { type: "cancel-timer", timer: "protocol" },
    { type: "cancel-timer", timer: "garp" },
  ];
  if (state.phase === "master") actions.push({ type: "send-advert", priority: 0 }, { type: "remove-addresses" });
  actions.push({ type: "transition", from: state.phase, to: "fault", reason: "fault" });
  return { state: { ...state, phase: "fault", timerAt: undefined, garpAt: undefined, since: now, wantsMaster: false }, actions };
}

/** keepalived vrrp_state_leave_master with wantstate BACKUP: addresses off, no priority-0 advert. */
function onYield(params: RouterParams, state: RouterState, now: number): StepResult {
  if (state.phase !== "master") return nothing(state);
  const backup = becomeBackup(params, { ...state, masterAdvertIntervalMs: params.advertIntervalMs }, now, "sync-group");
  return {
    state: { ...backup.state, garpBurst: undefined },
    actions: [{ type: "cancel-timer", timer: "garp" }, { type: "remove-addresses" }, ...backup.actions],
  };
}

function onRecovered(params: RouterParams, state: RouterState, now: number): StepResult {
  if (state.phase !== "fault") return nothing(state);
  return becomeBackup(params, { ...state, masterAdvertIntervalMs: params.advertIntervalMs }, now, "recovered");
}

function becomeBackup(params: RouterParams, state: RouterState, now: number, reason: TransitionReason): StepResult {
  const at = now + currentMasterDownMs(params, state);
  return {
    state: { ...state, phase: "backup", timerAt: at, garpAt: undefined, masterAddress: undefined, since: now, wantsMaster: false },
    actions: [
      { type: "set-timer", timer: "protocol", at },
      { type: "transition", from: state.phase, to: "backup", reason },
    ],
  };
}

function becomeMaster(params: RouterParams, state: RouterState, now: number, reason: TransitionReason): StepResult {
  const at = now + params.advertIntervalMs;
  const garpBurst = params.garpDelayMs > 0 ? "delayed" : params.garpRefreshMs > 0 ? "refresh" : undefined;
  const garpAt = garpBurst === undefined ? undefined : now + (garpBurst === "delayed" ? params.garpDelayMs : params.garpRefreshMs);
  const actions: RouterAction[] = [
    { type: "add-addresses" },
    { type: "send-advert", priority: state.effectivePriority },
    { type: "announce", burst: "initial" },
    { type: "set-timer", timer: "protocol", at },
  ];
  if (garpAt !== undefined) actions.push({ type: "set-timer", timer: "garp", at: garpAt });
  actions.push({ type: "transition", from: state.phase, to: "master", reason });
  return {
    state: {
      ...state,
      phase: "master",
      timerAt: at,
      garpAt,
      garpBurst,
      lowerPriorityQuietUntil: undefined,
      masterAddress: undefined,
      since: now,
      wantsMaster: false,
    },
    actions,
  };
}
