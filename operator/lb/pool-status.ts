/**
 * A VirtualIPPool's status (pure): per-family total / allocated / free
 * counts (saturating at 2^53-1) and three conditions:
 *
 *   Ready      True: valid and overlapping no older pool; False: Invalid or Overlap.
 *   Overlap    True: some addresses are an older pool's (the pool is refused),
 *              a VirtualIP's or a node's own (those are never given out).
 *   Exhausted  True: a family of the pool has no free address.
 */
import type { Family } from "../../agent/config/types.js";
import type { PoolFamilyCounts, VirtualIPPool, VirtualIPPoolStatus } from "../api/pool.js";
import type { Condition } from "../api/types.js";
import { condition } from "../api/condition.js";
import type { Group } from "./allocate.js";
import { foreignUser, type PoolState } from "./pools.js";
import { rangeSize, saturate } from "../api/ranges.js";

export interface PoolStatusInput {
  readonly pool: VirtualIPPool;
  readonly state: PoolState;
  readonly groups: readonly Group[];
  readonly now: Date;
}

export function poolStatus(input: PoolStatusInput): VirtualIPPoolStatus {
  const { pool, state, now } = input;
  const name = pool.metadata.name;
  const gen = pool.metadata.generation;
  const previous = pool.status;
  const cond = (type: string, isTrue: boolean, reason: string, message: string): Condition =>
    condition(previous, now, gen, type, isTrue, reason, message);
  if (state.kind === "invalid") {
    const message = state.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    return {
      ...(gen !== undefined ? { observedGeneration: gen } : {}),
      conditions: [
        cond("Ready", false, "Invalid", message),
        cond("Overlap", false, "NoOverlap", "the spec is invalid"),
        cond("Exhausted", false, "Invalid", "the spec is invalid"),
      ],
    };
  }
  const counts = new Map<Family, { total: bigint; allocated: bigint; foreign: bigint; nodes: number }>();
  for (const range of state.config.ranges) {
    const c = counts.get(range.family) ?? { total: 0n, allocated: 0n, foreign: 0n, nodes: 0 };
    c.total += rangeSize(range);
    counts.set(range.family, c);
  }
  if (state.kind === "usable") {
    for (const group of input.groups) for (const a of group.addresses) if (a.pool === name) counts.get(a.family)!.allocated++;
    for (const f of state.foreign) {
      const c = counts.get(f.family)!;
      c.foreign++;
      if ("node" in f) c.nodes++;
    }
  }
  const family = (f: Family): PoolFamilyCounts | undefined => {
    const c = counts.get(f);
    if (c === undefined) return undefined;
    const free = state.kind === "usable" ? c.total - c.allocated - c.foreign : 0n;
    return { total: saturate(c.total), allocated: saturate(c.allocated), free: saturate(free) };
  };
  const v4 = family(4);
  const v6 = family(6);
  const allocated = (v4?.allocated ?? 0) + (v6?.allocated ?? 0);
  const free = Math.min(Number.MAX_SAFE_INTEGER, (v4?.free ?? 0) + (v6?.free ?? 0));
  const empty = [v4, v6].flatMap((c, i) => (c !== undefined && c.free === 0 ? [`IPv${i === 0 ? 4 : 6}`] : []));
  const onNodes = [...counts.entries()].filter(([f]) => empty.includes(`IPv${f}`)).reduce((n, [, c]) => n + c.nodes, 0);
  const foreign = state.kind === "usable" ? state.foreign : [];
  const floated = foreign.filter((f) => "vip" in f);
  const nodeOwned = foreign.filter((f) => "node" in f);
  const are = (list: readonly unknown[]) => (list.length === 1 ? "is" : "are");
  const overlapMessage = [
    ...(floated.length > 0
      ? [`${floated.map((f) => `${f.address} (${foreignUser(f)})`).join(", ")} ${are(floated)} floated by a VirtualIP and never given out`]
      : []),
    ...(nodeOwned.length > 0
      ? [`${nodeOwned.map((f) => `${f.address} (${foreignUser(f)})`).join(", ")} ${are(nodeOwned)} node addresses and never given out`]
      : []),
  ].join("; ");
  const conditions =
    state.kind === "overlap"
      ? [
          cond(
            "Ready",
            false,
            "Overlap",
            `"${state.range}" overlaps "${state.otherRange}" of the older VirtualIPPool ${state.other}; this pool gives out no address`,
          ),
          cond("Overlap", true, "PoolOverlap", `"${state.range}" overlaps "${state.otherRange}" of VirtualIPPool ${state.other}`),
          cond("Exhausted", true, "Refused", "this pool gives out no address while it overlaps an older one"),
        ]
      : [
          cond("Ready", true, "Valid", `${free} of ${saturate([...counts.values()].reduce((s, c) => s + c.total, 0n))} addresses free`),
          foreign.length > 0
            ? cond("Overlap", true, floated.length > 0 ? "VirtualIPOverlap" : "NodeAddressOverlap", overlapMessage)
            : cond("Overlap", false, "NoOverlap", "no address is another pool's, a VirtualIP's or a node's"),
          empty.length > 0
            ? cond(
                "Exhausted",
                true,
                "NoFreeAddress",
                `no free ${empty.join(" or ")} address${onNodes > 0 ? ` (${onNodes} node address${onNodes === 1 ? "" : "es"} in the pool ${onNodes === 1 ? "is" : "are"} never given out)` : ""}`,
              )
            : cond("Exhausted", false, "FreeAddresses", "every family has free addresses"),
        ];
  return {
    allocated,
    free,
    ...(v4 !== undefined ? { ipv4: v4 } : {}),
    ...(v6 !== undefined ? { ipv6: v6 } : {}),
    ...(gen !== undefined ? { observedGeneration: gen } : {}),
    conditions,
  };
}
