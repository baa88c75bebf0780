/**
 * Validation of syncGroups (keepalived vrrp_sync_group): each names at least
 * two existing instances, an instance is in one group at most, and the
 * group's tracking is merged into every member's, unweighted. keepalived
 * sets the weights of a member's tracking to 0 so that all members agree on
 * FAULT (mixed priorities across a group make it re-elect forever); a weight
 * given on a member's track entry is therefore an error here, and the weight
 * of the tracked object itself does not apply to members.
 */
import type { InstanceConfig, SyncGroupConfig, TrackRef, Tracking } from "./types.js";
import type { Reader } from "./reader.js";
import { readNotify, readTracking, type Trackables } from "./validate-tracking.js";

export interface SyncContext {
  /** The valid instances, replaced in place by members carrying their group. */
  readonly instances: InstanceConfig[];
  /** List index of each valid instance, for error paths. */
  readonly indices: readonly number[];
  readonly trackables: Trackables;
  /** Names of listed instances that have errors of their own: as members they add no second error. */
  readonly invalidNames?: ReadonlySet<string>;
}

const KINDS = ["scripts", "interfaces", "files", "httpChecks", "processes"] as const;

export function readSyncGroups(r: Reader, value: unknown, path: string, ctx: SyncContext): SyncGroupConfig[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: SyncGroupConfig[] = [];
  const memberOf = new Map<string, string>();
  list.forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const o = r.object(raw, p, ["name", "instances", "track", "notify"]);
    if (o === undefined) return;
    const before = r.errors.length;
    const name = r.string(o["name"], `${p}.name`);
    if (name !== undefined && out.some((g) => g.name === name)) r.fail(`${p}.name`, `name "${name}" is used twice`);
    const members = readMembers(r, o["instances"], `${p}.instances`, ctx);
    const track = o["track"] === undefined ? undefined : readTracking(r, o["track"], `${p}.track`);
    if (track?.pods !== undefined) r.fail(`${p}.track.pods`, "pod tracking is not supported on a sync group; track pods on each member");
    if (track !== undefined) checkGroupRefs(r, track, `${p}.track`, ctx.trackables);
    const notify = o["notify"] === undefined ? undefined : readNotify(r, o["notify"], `${p}.notify`);
    for (const [j, member] of (members ?? []).entries()) {
      const other = memberOf.get(member);
      if (other !== undefined)
        r.fail(`${p}.instances[${j}]`, `instance "${member}" is already in sync group "${other}" (an instance can be in one group only)`);
      else if (name !== undefined) memberOf.set(member, name);
    }
    if (r.errors.length > before || name === undefined || members === undefined) return;
    for (const member of members) {
      const k = ctx.instances.findIndex((inst) => inst.name === member);
      const inst = ctx.instances[k]!;
      checkMemberWeights(r, inst, `instances[${ctx.indices[k] ?? k}].track`, name);
      ctx.instances[k] = { ...inst, syncGroup: name, track: mergeTracking(inst.track, track) };
    }
    out.push({ name, instances: members, ...(notify !== undefined ? { notify } : {}) });
  });
  return out;
}

function readMembers(r: Reader, value: unknown, path: string, ctx: SyncContext): string[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const names: string[] = [];
  list.forEach((raw, j) => {
    const name = r.string(raw, `${path}[${j}]`);
    if (name === undefined) return;
    if (names.includes(name)) r.fail(`${path}[${j}]`, `instance "${name}" is listed twice`);
    else if (ctx.instances.some((inst) => inst.name === name)) names.push(name);
    else if (ctx.invalidNames?.has(name) !== true) r.fail(`${path}[${j}]`, `no instance named "${name}" under instances`);
  });
  if (list.length < 2) r.fail(path, "a sync group needs at least two instances");
  return names;
}

function checkGroupRefs(r: Reader, track: Tracking, path: string, trackables: Trackables): void {
  const known = {
    scripts: new Set(trackables.scripts.map((s) => s.name)),
    files: new Set(trackables.files.map((f) => f.name)),
    httpChecks: new Set(trackables.httpChecks.map((c) => c.name)),
    processes: new Set((trackables.processes ?? []).map((p) => p.name)),
  };
  const what = {
    scripts: ["script", "scripts"],
    files: ["track file", "trackFiles"],
    httpChecks: ["HTTP check", "httpChecks"],
    processes: ["tracked process", "trackProcesses"],
  } as const;
  for (const kind of ["scripts", "files", "httpChecks", "processes"] as const) {
    (track[kind] ?? []).forEach((ref, j) => {
      if (!known[kind].has(ref.name)) r.fail(`${path}.${kind}[${j}]`, `no ${what[kind][0]} named "${ref.name}" under ${what[kind][1]}`);
    });
  }
  for (const kind of KINDS) {
    (track[kind] ?? []).forEach((ref, j) => {
      if (ref.weight !== undefined && ref.weight !== 0)
        r.fail(`${path}.${kind}[${j}].weight`, "a sync group tracks unweighted (FAULT for all members); use weight 0 or leave it out");
    });
  }
}

function checkMemberWeights(r: Reader, inst: InstanceConfig, path: string, group: string): void {
  for (const kind of KINDS) {
    (inst.track[kind] ?? []).forEach((ref, j) => {
      if (ref.weight !== undefined && ref.weight !== 0) {
        r.fail(
          `${path}.${kind}[${j}].weight`,
          `members of sync group "${group}" track unweighted (keepalived forces weight 0 so that all members agree); use weight 0 or leave it out`,
        );
      }
    });
  }
}

/** The member's tracking with every entry unweighted, plus the group's entries it does not have yet. */
function mergeTracking(own: Tracking, group: Tracking | undefined): Tracking {
  const zero = (refs: readonly TrackRef[] | undefined): TrackRef[] => (refs ?? []).map((ref) => ({ ...ref, weight: 0 }));
  const merged = (kind: (typeof KINDS)[number]): TrackRef[] => {
    const mine = zero(own[kind]);
    for (const ref of zero(group?.[kind])) if (!mine.some((m) => m.name === ref.name)) mine.push(ref);
    return mine;
  };
  const httpChecks = merged("httpChecks");
  const processes = merged("processes");
  return {
    ...(own.pods !== undefined ? { pods: { ...own.pods, weight: 0 } } : {}),
    scripts: merged("scripts"),
    interfaces: merged("interfaces"),
    files: merged("files"),
    ...(httpChecks.length > 0 ? { httpChecks } : {}),
    ...(processes.length > 0 ? { processes } : {}),
  };
}
