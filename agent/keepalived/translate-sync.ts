/**
 * `vrrp_sync_group NAME { group { ... } ... }` → an entry of the floatip
 * `syncGroups` list (YAML form). keepalived sets the tracking weights of a
 * member instance to 0 (with a log line) so that all members agree on
 * FAULT; floatip's validation does the same and refuses an explicit weight,
 * so the conversion drops a member's weights here, with a warning.
 */
import type { Block } from "./parser.js";
import { SYNC_GROUP_IGNORED, SYNC_GROUP_UNSUPPORTED } from "./keywords.js";
import { finishNotifyUser, notifyLine, type NotifyUserLine } from "./translate-notify.js";
import { block, dispatch, fail, mark, warn, weightArgs, type Ctx, type KeywordSpec } from "./translate-util.js";

type Obj = Record<string, unknown>;

interface GroupSt {
  readonly ctx: Ctx;
  readonly path: string;
  readonly out: Obj;
  readonly track: Record<"scripts" | "interfaces" | "files" | "processes", unknown[]>;
  readonly notify: Obj;
  readonly notifyLines: NotifyUserLine[];
  members?: { readonly names: string[]; readonly b: Block };
}

const groupTrack = (field: "scripts" | "interfaces" | "files" | "processes", usage: string): KeywordSpec<GroupSt> => ({
  run: (b, st) => {
    const children = block(st.ctx, b, 0, usage);
    if (children === undefined) return;
    mark(st.ctx, `${st.path}.track.${field}`, b);
    for (const entry of children) {
      if (entry.children !== undefined) {
        fail(st.ctx, entry, "a tracked name does not take a { } block");
        continue;
      }
      if (entry.args.length > 0) {
        if (entry.args[0] !== "weight") {
          fail(st.ctx, entry, `unknown option "${entry.args[0]}" (expected: NAME [weight N [reverse]])`);
          continue;
        }
        const w = weightArgs(st.ctx, entry, entry.args.slice(1));
        if (w === undefined) continue;
        if (w.weight !== 0) {
          fail(
            st.ctx,
            entry,
            "a weight on sync group tracking is not supported by floatip: the group's tracking puts every member in FAULT (weight 0)",
          );
          continue;
        }
      }
      mark(st.ctx, `${st.path}.track.${field}[${st.track[field].length}]`, entry);
      st.track[field].push(entry.keyword);
    }
  },
});

const SPECS: Readonly<Record<string, KeywordSpec<GroupSt>>> = {
  group: {
    run: (b, st) => {
      const children = block(st.ctx, b, 0, "group { INSTANCE INSTANCE ... }");
      if (children === undefined) return;
      const names: string[] = [];
      for (const entry of children) {
        if (entry.children !== undefined || entry.args.length > 0) {
          fail(st.ctx, entry, "list one vrrp_instance name per line");
          continue;
        }
        mark(st.ctx, `${st.path}.instances[${names.length}]`, entry);
        names.push(entry.keyword);
      }
      mark(st.ctx, `${st.path}.instances`, b);
      st.members = { names, b };
      st.out["instances"] = names;
    },
  },
  track_script: groupTrack("scripts", "track_script { NAME ... }"),
  track_interface: groupTrack("interfaces", "track_interface { IFNAME ... }"),
  track_file: groupTrack("files", "track_file { NAME ... }"),
  track_process: groupTrack("processes", "track_process { NAME ... }"),
  notify: notifyLine<GroupSt>("any"),
  notify_master: notifyLine<GroupSt>("master"),
  notify_backup: notifyLine<GroupSt>("backup"),
  notify_fault: notifyLine<GroupSt>("fault"),
  notify_stop: notifyLine<GroupSt>("stop"),
};

/** The vrrp_sync_group keywords floatip translates (for the support table). */
export const SYNC_GROUP_KEYWORDS: readonly string[] = Object.keys(SPECS);

export interface Weights {
  /** Weight of each vrrp_script / track_file by name, as the doc has them. */
  readonly scripts: ReadonlyMap<string, number>;
  readonly files: ReadonlyMap<string, number>;
  readonly processes: ReadonlyMap<string, number>;
}

/** Translates the sync groups and drops the members' tracking weights (warnings); returns the YAML-form list. */
export function translateSyncGroups(
  ctx: Ctx,
  blocks: readonly Block[],
  instances: readonly Obj[],
  weights: Weights,
  scriptUser?: { readonly value: string; readonly b: Block },
): Obj[] {
  const out: Obj[] = [];
  const names = new Map<string, Block>();
  for (const b of blocks) {
    const children = block(ctx, b, 1, "vrrp_sync_group NAME { group { INSTANCE ... } }");
    if (children === undefined) continue;
    const name = b.args[0]!;
    const other = names.get(name);
    if (other !== undefined) {
      fail(ctx, b, `a vrrp_sync_group named "${name}" is already defined at ${other.file}:${other.line}`);
      continue;
    }
    names.set(name, b);
    const path = `syncGroups[${out.length}]`;
    const st: GroupSt = {
      ctx,
      path,
      out: { name },
      track: { scripts: [], interfaces: [], files: [], processes: [] },
      notify: {},
      notifyLines: [],
    };
    mark(ctx, path, b);
    mark(ctx, `${path}.name`, b);
    dispatch(ctx, children, `vrrp_sync_group ${name}`, SPECS, { ignored: SYNC_GROUP_IGNORED, unsupported: SYNC_GROUP_UNSUPPORTED }, st);
    if (st.members === undefined) fail(ctx, b, "needs a group { ... } block listing its instances");
    const track = Object.fromEntries(Object.entries(st.track).filter(([, list]) => list.length > 0));
    if (Object.keys(track).length > 0) st.out["track"] = track;
    finishNotifyUser(st, scriptUser);
    if (Object.keys(st.notify).length > 0) st.out["notify"] = st.notify;
    for (const member of st.members?.names ?? []) {
      const k = instances.findIndex((i) => i["name"] === member);
      if (k >= 0) unweighMember(ctx, instances[k]!, `instances[${k}]`, name, weights);
    }
    out.push(st.out);
  }
  return out;
}

/** keepalived: "tracking weights of members are set to 0"; warn where that changes something. */
function unweighMember(ctx: Ctx, instance: Obj, path: string, group: string, weights: Weights): void {
  const track = instance["track"] as Record<string, unknown[]> | undefined;
  if (track === undefined) return;
  for (const kind of ["scripts", "interfaces", "files", "processes"] as const) {
    (track[kind] ?? []).forEach((ref, j) => {
      const source = ctx.sources.get(`${path}.track.${kind}[${j}]`);
      const at = source === undefined ? undefined : { keyword: source.keyword, args: [], file: source.file, line: source.line };
      const name = typeof ref === "string" ? ref : String((ref as Obj)["name"]);
      const own = typeof ref === "string" ? undefined : ((ref as Obj)["weight"] as number | undefined);
      const inherited = kind === "interfaces" ? undefined : weights[kind].get(name);
      const weight = own ?? inherited ?? 0;
      if (weight === 0) return;
      if (own !== undefined) track[kind]![j] = { ...(ref as Obj), weight: 0 };
      if (at !== undefined)
        warn(
          ctx,
          at,
          `weight ${weight} of ${name} is set to 0: ${instance["name"]} is in vrrp_sync_group ${group}, whose members track unweighted (FAULT), as keepalived does`,
        );
    });
  }
}
