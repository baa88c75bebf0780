/**
 * A VRRP sync group (keepalived vrrp_sync_group) as a pure function:
 *
 *     stepSyncGroup(state, members, event) -> { state, actions }
 *
 * `members` is every member's view after the event (its phase, whether it
 * wants master, whether it is in FAULT for a cause of its own); the runtime
 * (agent/runtime/sync-groups.ts) performs the actions on the members'
 * routers and runs the group's notify commands. Members are always held
 * (state-machine.ts): none takes over by itself, the group decides.
 *
 * The rules, as keepalived 2.2.7 applies them (vrrp_sync.c):
 *   - FAULT: a member in FAULT for its own cause puts every member in FAULT
 *     (a master leaves with a priority-0 advert). The group leaves FAULT, to
 *     BACKUP, once no member has a cause of its own left.
 *   - BACKUP: a member leaving master (it heard a higher priority) makes
 *     every other master member leave master too, without a priority-0
 *     advert; the peers' group takes over on its own.
 *   - MASTER: only together. A member whose Master_Down_Timer fired wants
 *     master; once every other member is master or wants master too, all
 *     backups take over at once. A member that became master by itself
 *     (not held: never, in floatip) pulls the others along the same way.
 *   - Group notify on each group state change: MASTER, BACKUP, FAULT; STOP
 *     once every member has stopped.
 */
import type { Phase } from "./state-machine.js";

export type GroupPhase = "initialize" | "backup" | "master" | "fault";

export interface MemberView {
  readonly phase: Phase;
  readonly wantsMaster: boolean;
  /** In FAULT for a cause other than the group (its tracking, its interface...). */
  readonly ownFault: boolean;
}

export type SyncEvent =
  | { readonly type: "transition"; readonly member: string; readonly from: Phase; readonly to: Phase }
  | { readonly type: "want-master"; readonly member: string }
  /** A member's fault causes changed without (or after) a transition. */
  | { readonly type: "fault-causes"; readonly member: string };

export type SyncAction =
  /** Put the member in FAULT for the group (on) or lift that cause (off). */
  | { readonly type: "fault"; readonly member: string; readonly on: boolean }
  | { readonly type: "take-over"; readonly member: string }
  | { readonly type: "yield"; readonly member: string }
  | { readonly type: "notify"; readonly state: "MASTER" | "BACKUP" | "FAULT" | "STOP" };

export interface SyncStep {
  readonly state: GroupPhase;
  readonly actions: readonly SyncAction[];
}

export function stepSyncGroup(state: GroupPhase, members: ReadonlyMap<string, MemberView>, event: SyncEvent): SyncStep {
  const names = [...members.keys()];
  const others = names.filter((n) => n !== event.member);
  const view = (n: string): MemberView => members.get(n)!;
  if (names.every((n) => view(n).phase === "initialize")) {
    // Stopped (or not started yet): STOP once, after it ran.
    return state === "initialize" ? { state, actions: [] } : { state: "initialize", actions: [{ type: "notify", state: "STOP" }] };
  }
  if (names.some((n) => view(n).ownFault)) {
    if (state === "fault") return { state, actions: [] };
    return {
      state: "fault",
      actions: [...names.map((member) => ({ type: "fault" as const, member, on: true })), { type: "notify", state: "FAULT" }],
    };
  }
  if (state === "fault") {
    return {
      state: "backup",
      actions: [...names.map((member) => ({ type: "fault" as const, member, on: false })), { type: "notify", state: "BACKUP" }],
    };
  }
  if (event.type === "want-master") {
    if (state === "master") return { state, actions: [{ type: "take-over", member: event.member }] };
    const ready = others.every((n) => view(n).phase === "master" || (view(n).phase === "backup" && view(n).wantsMaster));
    if (!ready) return { state, actions: [] };
    return { state: "master", actions: [...takeOvers(names, view), { type: "notify", state: "MASTER" }] };
  }
  if (event.type === "fault-causes") return { state, actions: [] };
  if (event.to === "master") {
    if (state === "master") return { state, actions: [] };
    return { state: "master", actions: [...takeOvers(others, view), { type: "notify", state: "MASTER" }] };
  }
  if (event.to === "backup" && event.from === "master" && state === "master") {
    const yields = others.filter((n) => view(n).phase === "master").map((member) => ({ type: "yield" as const, member }));
    return { state: "backup", actions: [...yields, { type: "notify", state: "BACKUP" }] };
  }
  if (event.to === "backup" && state === "initialize") return { state: "backup", actions: [{ type: "notify", state: "BACKUP" }] };
  return { state, actions: [] };
}

function takeOvers(names: readonly string[], view: (n: string) => MemberView): SyncAction[] {
  return names.filter((n) => view(n).phase === "backup").map((member) => ({ type: "take-over" as const, member }));
}
