/**
 * Effective priority and FAULT of one instance from the state of what it
 * tracks, as keepalived computes them (vrrp_track.c, track_file.c):
 *
 * Scripts, HTTP checks and interfaces (weight w, multiplier m = reverse ? -1 : 1):
 *   w = 0:  FAULT while failed / down (with reverse: while OK / up).
 *   w > 0:  w * m added while OK / up, nothing while failed / down.
 *   w < 0:  w * m added while failed / down (i.e. |w| subtracted, or
 *           added with reverse), nothing while OK / up.
 *   A script that has not reported yet ("init") counts for nothing; an
 *   unweighted one in init makes the result `pending` (keepalived holds such
 *   an instance back from MASTER until every unweighted script reported).
 *
 * Track files (value v read from the file):
 *   w = 0:  FAULT while v != 0 (with reverse: while v == 0).
 *   w != 0: s = clamp(v * w * m, -254, 253); s = -254 means FAULT,
 *           otherwise s is added.
 *
 * effective = clamp(base + sum, 1, 254). An address owner (base 255) keeps
 * 255: keepalived drops its weighted scripts and interfaces, turns a track
 * file of weight 1 (the default) into weight 0 and drops other weighted
 * files, so only unweighted tracking (FAULT) applies to it.
 */

export const OWNER_PRIORITY = 255;
const FILE_FAULT = -254;
const FILE_MAX = 253;

export type TrackedStatus =
  | {
      readonly kind: "script";
      readonly name: string;
      readonly weight: number;
      readonly reverse: boolean;
      readonly health: "init" | "ok" | "failed";
    }
  /** An HTTP check (httpChecks); scored exactly like a script. */
  | {
      readonly kind: "http";
      readonly name: string;
      readonly weight: number;
      readonly reverse: boolean;
      readonly health: "init" | "ok" | "failed";
    }
  | { readonly kind: "interface"; readonly name: string; readonly weight: number; readonly reverse: boolean; readonly up: boolean }
  | { readonly kind: "file"; readonly name: string; readonly weight: number; readonly reverse: boolean; readonly value: number }
  /** A tracked process (track_process): quorum met or not; scored like a script. */
  | { readonly kind: "process"; readonly name: string; readonly weight: number; readonly reverse: boolean; readonly up: boolean }
  /** Ready pods on this node matching a selector (Kubernetes); undefined until first observed. Scored like a script: ready > 0 is OK. */
  | {
      readonly kind: "pods";
      readonly name: string;
      readonly weight: number;
      readonly reverse: boolean;
      readonly ready: number | undefined;
    };

export interface HealthInput {
  readonly basePriority: number;
  /** In config order; reasons come out in the same order. */
  readonly tracked: readonly TrackedStatus[];
}

export type ReasonEffect = { readonly type: "priority"; readonly delta: number } | { readonly type: "fault" };

/** One tracked object that changes the outcome: what state it is in and what that does. */
export type HealthReason =
  | { readonly kind: "script"; readonly name: string; readonly health: "ok" | "failed"; readonly effect: ReasonEffect }
  | { readonly kind: "http"; readonly name: string; readonly health: "ok" | "failed"; readonly effect: ReasonEffect }
  | { readonly kind: "interface"; readonly name: string; readonly up: boolean; readonly effect: ReasonEffect }
  | { readonly kind: "file"; readonly name: string; readonly value: number; readonly effect: ReasonEffect }
  | { readonly kind: "pods"; readonly name: string; readonly ready: number; readonly effect: ReasonEffect }
  | { readonly kind: "process"; readonly name: string; readonly up: boolean; readonly effect: ReasonEffect };

export interface HealthResult {
  readonly effectivePriority: number;
  readonly fault: boolean;
  /** An unweighted script has not reported yet. */
  readonly pending: boolean;
  readonly reasons: readonly HealthReason[];
}

/** The result before anything has been observed: base priority, no fault. */
export function neutralHealth(basePriority: number): HealthResult {
  return { effectivePriority: basePriority, fault: false, pending: false, reasons: [] };
}

export function computeHealth(input: HealthInput): HealthResult {
  const owner = input.basePriority >= OWNER_PRIORITY;
  const reasons: HealthReason[] = [];
  let total = input.basePriority;
  let pending = false;
  for (const raw of input.tracked) {
    const item = owner ? ownerView(raw) : raw;
    if (item === undefined) continue;
    if (
      ((item.kind === "script" || item.kind === "http") && item.health === "init") ||
      (item.kind === "pods" && item.ready === undefined)
    ) {
      if (item.weight === 0) pending = true;
      continue;
    }
    const effect = effectOf(item);
    if (effect === undefined) continue;
    if (effect.type === "priority") total += effect.delta;
    reasons.push(reasonOf(item, effect));
  }
  const fault = reasons.some((r) => r.effect.type === "fault");
  const effectivePriority = owner ? OWNER_PRIORITY : Math.min(OWNER_PRIORITY - 1, Math.max(1, total));
  return { effectivePriority, fault, pending, reasons };
}

/** What an address owner keeps of a tracked object (undefined: ignored). */
function ownerView(item: TrackedStatus): TrackedStatus | undefined {
  if (item.weight === 0) return item;
  if (item.kind === "file" && item.weight === 1) return { ...item, weight: 0 };
  return undefined;
}

function effectOf(item: TrackedStatus): ReasonEffect | undefined {
  const m = item.reverse ? -1 : 1;
  if (item.kind === "file") {
    if (item.weight === 0) return (item.value !== 0) === !item.reverse ? { type: "fault" } : undefined;
    const status = Math.max(FILE_FAULT, Math.min(FILE_MAX, item.value * item.weight * m));
    if (status === FILE_FAULT) return { type: "fault" };
    return status === 0 ? undefined : { type: "priority", delta: status };
  }
  const good =
    item.kind === "script" || item.kind === "http" ? item.health === "ok" : item.kind === "pods" ? (item.ready ?? 0) > 0 : item.up;
  if (item.weight === 0) return good === !item.reverse ? undefined : { type: "fault" };
  if (good && item.weight > 0) return { type: "priority", delta: item.weight * m };
  if (!good && item.weight < 0) return { type: "priority", delta: item.weight * m };
  return undefined;
}

function reasonOf(item: TrackedStatus, effect: ReasonEffect): HealthReason {
  switch (item.kind) {
    case "script":
      return { kind: "script", name: item.name, health: item.health === "ok" ? "ok" : "failed", effect };
    case "http":
      return { kind: "http", name: item.name, health: item.health === "ok" ? "ok" : "failed", effect };
    case "interface":
      return { kind: "interface", name: item.name, up: item.up, effect };
    case "file":
      return { kind: "file", name: item.name, value: item.value, effect };
    case "pods":
      return { kind: "pods", name: item.name, ready: item.ready ?? 0, effect };
    case "process":
      return { kind: "process", name: item.name, up: item.up, effect };
  }
}

/** "script chk_http failed (-50)", "interface eth1 down (FAULT)", "file maint = 3 (+30)". */
export function describeReason(reason: HealthReason): string {
  const effect = reason.effect.type === "fault" ? "FAULT" : `${reason.effect.delta > 0 ? "+" : ""}${reason.effect.delta}`;
  switch (reason.kind) {
    case "script":
      return `script ${reason.name} ${reason.health === "ok" ? "ok" : "failed"} (${effect})`;
    case "http":
      return `HTTP check ${reason.name} ${reason.health === "ok" ? "ok" : "failed"} (${effect})`;
    case "interface":
      return `interface ${reason.name} ${reason.up ? "up" : "down"} (${effect})`;
    case "file":
      return `file ${reason.name} = ${reason.value} (${effect})`;
    case "pods":
      return `pods ${reason.name}: ${reason.ready} ready on this node (${effect})`;
    case "process":
      return `process ${reason.name} ${reason.up ? "running" : "not running"} (${effect})`;
  }
}

/** E.g. "priority 150→100 after script chk failed (-50)" or "FAULT: interface eth1 down (FAULT)". */
export function describeHealthChange(before: HealthResult, after: HealthResult): string {
  const added = after.reasons.filter((r) => !before.reasons.some((b) => sameReason(b, r)));
  const removed = before.reasons.filter((b) => !after.reasons.some((r) => sameReason(b, r)));
  const why =
    added.length > 0 ? added.map(describeReason).join(", ") : removed.length > 0 ? `${removed.map(describeReason).join(", ")} cleared` : "";
  const parts: string[] = [];
  if (after.fault && !before.fault) parts.push("FAULT");
  if (!after.fault && before.fault) parts.push("fault cleared");
  if (after.effectivePriority !== before.effectivePriority) parts.push(`priority ${before.effectivePriority}→${after.effectivePriority}`);
  if (parts.length === 0) parts.push(`priority ${after.effectivePriority}`);
  return why === "" ? parts.join(", ") : `${parts.join(", ")} after ${why}`;
}

export function sameReason(a: HealthReason, b: HealthReason): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function sameHealth(a: HealthResult, b: HealthResult): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
