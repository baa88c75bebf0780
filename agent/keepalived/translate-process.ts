/**
 * `vrrp_track_process NAME { ... }` → an entry of the floatip
 * `trackProcesses` list (YAML form). The instance's (and sync group's)
 * `track_process { NAME [weight N [reverse]] }` is read with the other
 * track_* lists.
 */
import type { Block } from "./parser.js";
import { args, block, dispatch, fail, integer, mark, seconds, weightArgs, type Ctx, type KeywordSpec } from "./translate-util.js";

type Obj = Record<string, unknown>;

interface St {
  readonly ctx: Ctx;
  readonly path: string;
  readonly out: Obj;
}

const field = (name: string, read: (st: St, b: Block, text: string) => unknown): KeywordSpec<St> => ({
  run: (b, st) => {
    if (!args(st.ctx, b, 1)) return;
    const value = read(st, b, b.args[0]!);
    if (value === undefined) return;
    st.out[name] = value;
    mark(st.ctx, `${st.path}.${name}`, b);
  },
});

const delay = (name: "forkDelay" | "terminateDelay"): KeywordSpec<St> => field(name, (st, b, text) => seconds(st.ctx, b, text));

const SPECS: Readonly<Record<string, KeywordSpec<St>>> = {
  process: {
    run: (b, st) => {
      if (b.children !== undefined || b.args.length === 0) return void args(st.ctx, b, 1);
      st.out["process"] = b.args[0];
      mark(st.ctx, `${st.path}.process`, b);
      if (b.args.length > 1) {
        st.out["args"] = b.args.slice(1);
        mark(st.ctx, `${st.path}.args`, b);
      }
    },
  },
  param_match: {
    run: (b, st) => {
      if (!args(st.ctx, b, 0, 1, "param_match [partial|initial]")) return;
      const value = b.args[0] ?? "exact";
      if (value !== "exact" && value !== "partial" && value !== "initial")
        return void fail(st.ctx, b, `must be partial or initial, got "${value}"`);
      st.out["argsMatch"] = value;
      mark(st.ctx, `${st.path}.argsMatch`, b);
    },
  },
  weight: {
    run: (b, st) => {
      if (!args(st.ctx, b, 1, 2, "weight N [reverse]")) return;
      const w = weightArgs(st.ctx, b, b.args);
      if (w === undefined) return;
      st.out["weight"] = w.weight;
      mark(st.ctx, `${st.path}.weight`, b);
      if (w.reverse) {
        st.out["reverse"] = true;
        mark(st.ctx, `${st.path}.reverse`, b);
      }
    },
  },
  quorum: field("quorum", (st, b, text) => integer(st.ctx, b, text)),
  quorum_max: field("quorumMax", (st, b, text) => integer(st.ctx, b, text)),
  fork_delay: delay("forkDelay"),
  terminate_delay: delay("terminateDelay"),
  delay: {
    run: (b, st) => {
      if (!args(st.ctx, b, 1)) return;
      const value = seconds(st.ctx, b, b.args[0]!);
      if (value === undefined) return;
      for (const name of ["forkDelay", "terminateDelay"]) {
        if (st.out[name] !== undefined) continue; // fork_delay / terminate_delay win, whatever their order
        st.out[name] = value;
        mark(st.ctx, `${st.path}.${name}`, b);
      }
    },
  },
  full_command: {
    run: (b, st) => {
      if (!args(st.ctx, b, 0)) return;
      st.out["fullCommand"] = true;
      mark(st.ctx, `${st.path}.fullCommand`, b);
    },
  },
};

/** The vrrp_track_process keywords floatip translates (for the support table). */
export const TRACK_PROCESS_KEYWORDS: readonly string[] = Object.keys(SPECS);

/** Translates one vrrp_track_process block into `list` (its YAML-form entry). */
export function translateTrackProcess(ctx: Ctx, b: Block, list: Obj[]): void {
  const children = block(ctx, b, 1, "vrrp_track_process NAME { process NAME [ARGS...] ... }");
  if (children === undefined) return;
  const name = b.args[0]!;
  if (list.some((t) => t["name"] === name)) return void fail(ctx, b, `a vrrp_track_process named "${name}" is already defined`);
  const path = `trackProcesses[${list.length}]`;
  const st: St = { ctx, path, out: { name } };
  mark(ctx, path, b);
  mark(ctx, `${path}.name`, b);
  // fork_delay / terminate_delay first, so that `delay` only fills in what they leave.
  const ordered = [...children.filter((c) => c.keyword !== "delay"), ...children.filter((c) => c.keyword === "delay")];
  dispatch(ctx, ordered, `vrrp_track_process ${name}`, SPECS, {}, st);
  if (!children.some((c) => c.keyword === "process")) fail(ctx, b, "needs a process line");
  // keepalived: a bare param_match without parameters means "no parameters at all"; partial / initial without any match every process.
  if (st.out["argsMatch"] !== undefined && st.out["args"] === undefined) {
    if (st.out["argsMatch"] === "exact") st.out["args"] = [];
    else delete st.out["argsMatch"];
  }
  if (st.out["argsMatch"] === "exact") delete st.out["argsMatch"];
  list.push(st.out);
}
