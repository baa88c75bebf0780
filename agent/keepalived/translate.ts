/**
 * keepalived.conf block tree → the floatip YAML-form object (the input of
 * validateAgentConfig), plus a map from each field path to the statement it
 * came from so validation errors can point at file:line. Anything floatip
 * cannot express is an error; nothing is dropped silently.
 */
import type { SourceError } from "./lexer.js";
import type { Block } from "./parser.js";
import { translateInstance } from "./translate-instance.js";
import { readAddress } from "./translate-addresses.js";
import type { Globals } from "./translate-instance-state.js";
import { SYNC_GROUP_KEYWORDS, translateSyncGroups } from "./translate-sync.js";
import { TRACK_PROCESS_KEYWORDS, translateTrackProcess } from "./translate-process.js";
import {
  args,
  block,
  dispatch,
  fail,
  integer,
  mark,
  newCtx,
  seconds,
  warn,
  weightArgs,
  type Ctx,
  type KeywordSpec,
  type SourceRef,
} from "./translate-util.js";
import { readRouteBlock } from "./translate-routes.js";
import { readRuleBlock } from "./translate-rules.js";
import { GLOBAL_IGNORED, GLOBAL_UNSUPPORTED, LVS_SECTIONS, ROOT_UNSUPPORTED } from "./keywords.js";

export type { SourceRef } from "./translate-util.js";

/**
 * The doc and its source map come back with errors too: the doc then lacks
 * the statements in error, and validating it still finds the problems of the
 * rest, so a file reports all its errors at once.
 */
export type TranslateResult =
  | {
      readonly ok: true;
      readonly doc: Record<string, unknown>;
      readonly sources: ReadonlyMap<string, SourceRef>;
      readonly warnings: readonly SourceError[];
    }
  | {
      readonly ok: false;
      readonly errors: readonly SourceError[];
      readonly doc: Record<string, unknown>;
      readonly sources: ReadonlyMap<string, SourceRef>;
      readonly warnings: readonly SourceError[];
    };

export interface TranslateOptions {
  /**
   * keepalived's load-balancer sections (virtual_server ...): "skip" them with
   * a warning (floatip convert, agent --skip-lvs) or "refuse" them, since
   * running only the VRRP half of such a config may not be what was meant.
   */
  readonly lvs?: "skip" | "refuse";
  /** Warnings may show the password floatip uses (floatip convert, which prints it anyway); default: never. */
  readonly showSecrets?: boolean;
}

type Obj = Record<string, unknown>;

interface Root {
  readonly ctx: Ctx;
  readonly scripts: { readonly out: Obj; readonly path: string }[];
  readonly trackFiles: Obj[];
  readonly instances: Block[];
  readonly staticAddresses: unknown[];
  readonly staticRoutes: Obj[];
  readonly staticRules: Obj[];
  readonly syncGroups: Block[];
  readonly trackProcesses: Obj[];
  readonly notifyFifos: Obj[];
  readonly multicastGroups: Obj;
  scriptUser?: { readonly value: string; readonly b: Block };
  defaultInterface?: { readonly value: string; readonly b: Block };
  /** The static_ipaddress line of each entry, for default_interface. */
  readonly staticLines: Block[];
  version?: { readonly value: number; readonly b: Block };
  strict?: Block;
  startupDelay?: string;
  /** vrrp_min_garp: one gratuitous ARP / NA per takeover, no second burst. */
  minGarp?: Block;
  readonly garpInterval: Map<4 | 6, { readonly value: unknown; readonly b: Block }>;
  readonly garp: Map<string, { readonly value: unknown; readonly b: Block }>;
}

const globalGarp = (field: string, read: (ctx: Ctx, b: Block, text: string) => unknown): KeywordSpec<Root> => ({
  run: (b, root) => {
    if (!args(root.ctx, b, 1)) return;
    const value = read(root.ctx, b, b.args[0]!);
    if (value !== undefined) root.garp.set(field, { value, b });
  },
});

/** vrrp_garp_interval (IPv4) / vrrp_gna_interval (IPv6): the gap between the messages of one burst. */
const globalGarpInterval = (family: 4 | 6): KeywordSpec<Root> => ({
  run: (b, root) => {
    if (!args(root.ctx, b, 1)) return;
    const value = seconds(root.ctx, b, b.args[0]!);
    if (value !== undefined) root.garpInterval.set(family, { value, b });
  },
});

/** notify_fifo / vrrp_notify_fifo PATH [USER [GROUP]]: floatip has only VRRP events, so both carry the same lines. */
const notifyFifo: KeywordSpec<Root> = {
  run: (b, root) => {
    if (!args(root.ctx, b, 1, 3, "PATH [USER [GROUP]]")) return;
    const [path, user, group] = b.args;
    const at = `notifyFifos[${root.notifyFifos.length}]`;
    root.notifyFifos.push({ path, ...(user !== undefined ? { user } : {}), ...(group !== undefined ? { group } : {}) });
    for (const field of ["", ".path", ".user", ".group"]) mark(root.ctx, `${at}${field}`, b);
  },
};

/** vrrp_mcast_group4 / vrrp_mcast_group6 ADDRESS: checked by validation (multicast, IPv6 link-local scope). */
const multicastGroup = (field: "ipv4" | "ipv6"): KeywordSpec<Root> => ({
  run: (b, root) => {
    if (!args(root.ctx, b, 1)) return;
    root.multicastGroups[field] = b.args[0];
    mark(root.ctx, `multicastGroups.${field}`, b);
  },
});

const GLOBAL_SPECS: Readonly<Record<string, KeywordSpec<Root>>> = {
  vrrp_mcast_group4: multicastGroup("ipv4"),
  vrrp_mcast_group6: multicastGroup("ipv6"),
  notify_fifo: notifyFifo,
  vrrp_notify_fifo: notifyFifo,
  enable_script_security: {
    run: (b, root) => {
      if (!args(root.ctx, b, 0)) return;
      warn(
        root.ctx,
        b,
        "floatip does not check script file modes: keepalived refuses to run a script as root that another user can change, floatip runs it; keep scripts and their directories writable by root only",
      );
    },
  },
  default_interface: {
    run: (b, root) => {
      if (!args(root.ctx, b, 1)) return;
      root.defaultInterface = { value: b.args[0]!, b };
    },
  },
  script_user: {
    run: (b, root) => {
      const value = userSpec(root.ctx, b);
      if (value !== undefined) root.scriptUser = { value, b };
    },
  },
  vrrp_version: {
    run: (b, root) => {
      if (!args(root.ctx, b, 1)) return;
      const version = integer(root.ctx, b, b.args[0]!);
      if (version !== undefined && version !== 2 && version !== 3) return void fail(root.ctx, b, `must be 2 or 3, got ${version}`);
      if (version !== undefined) root.version = { value: version, b };
    },
  },
  vrrp_garp_master_delay: globalGarp("delay", (ctx, b, text) => seconds(ctx, b, text, true)),
  vrrp_garp_master_repeat: globalGarp("repeat", integer),
  vrrp_garp_master_refresh: globalGarp("refresh", (ctx, b, text) => seconds(ctx, b, text, true)),
  vrrp_garp_master_refresh_repeat: globalGarp("refreshRepeat", integer),
  vrrp_garp_lower_prio_repeat: globalGarp("lowerPriorityRepeat", integer),
  vrrp_garp_lower_prio_delay: globalGarp("lowerPriorityDelay", (ctx, b, text) => seconds(ctx, b, text, true)),
  vrrp_garp_interval: globalGarpInterval(4),
  vrrp_gna_interval: globalGarpInterval(6),
  vrrp_min_garp: {
    run: (b, root) => {
      if (!args(root.ctx, b, 0, 1, "vrrp_min_garp [on|off]")) return;
      const value = b.args[0] ?? "on";
      if (!["on", "off", "true", "false", "yes", "no"].includes(value)) return void fail(root.ctx, b, `must be on or off, got "${value}"`);
      if (["on", "true", "yes"].includes(value)) root.minGarp = b;
    },
  },
  vrrp_startup_delay: {
    run: (b, root) => {
      if (!args(root.ctx, b, 1)) return;
      const ms = seconds(root.ctx, b, b.args[0]!);
      if (ms === undefined) return;
      root.startupDelay = ms as string;
      mark(root.ctx, "startupDelay", b);
    },
  },
  vrrp_strict: {
    run: (b, root) => {
      if (!args(root.ctx, b, 0)) return;
      root.strict = b;
      warn(
        root.ctx,
        b,
        "floatip checks what strict mode forbids in the config (unicast_peer, authentication) and adds no firewall rule: a master accepts traffic to its virtual addresses",
      );
    },
  },
};

/**
 * `user USER [GROUP]` / `script_user USER [GROUP]`: floatip's user spec,
 * "USER" or "USER:GROUP" (the group defaults to the user's primary group, as
 * keepalived's does); undefined after reporting a bad line.
 */
function userSpec(ctx: Ctx, b: Block): string | undefined {
  if (!args(ctx, b, 1, 2, "USER [GROUP]")) return undefined;
  const [user, group] = b.args as [string, string | undefined];
  if (user.includes(":") || group?.includes(":"))
    return fail(ctx, b, 'give the user and the group as two words: USER GROUP, not "USER:GROUP"');
  return group === undefined ? user : `${user}:${group}`;
}

interface ScriptSt {
  readonly ctx: Ctx;
  readonly out: Obj;
  readonly path: string;
}

const scriptField = (field: string, read: (ctx: Ctx, b: Block, text: string) => unknown): KeywordSpec<ScriptSt> => ({
  run: (b, st) => {
    if (!args(st.ctx, b, 1)) return;
    const value = read(st.ctx, b, b.args[0]!);
    if (value === undefined) return;
    st.out[field] = value;
    mark(st.ctx, `${st.path}.${field}`, b);
  },
});

const SCRIPT_SPECS: Readonly<Record<string, KeywordSpec<ScriptSt>>> = {
  script: scriptField("command", (ctx, b, text) => (text.trim() === "" ? fail(ctx, b, "needs a command") : text)),
  interval: scriptField("interval", (ctx, b, text) => seconds(ctx, b, text)),
  timeout: scriptField("timeout", (ctx, b, text) => (/^[0.]+$/.test(text) ? fail(ctx, b, "must be more than 0") : seconds(ctx, b, text))),
  fall: scriptField("fall", integer),
  rise: scriptField("rise", integer),
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
  init_fail: {
    run: (b, st) => {
      if (!args(st.ctx, b, 0)) return;
      st.out["initFail"] = true;
      mark(st.ctx, `${st.path}.initFail`, b);
    },
  },
  user: {
    run: (b, st) => {
      const value = userSpec(st.ctx, b);
      if (value === undefined) return;
      st.out["user"] = value;
      mark(st.ctx, `${st.path}.user`, b);
    },
  },
};

function vrrpScript(b: Block, root: Root): void {
  const { ctx } = root;
  const children = block(ctx, b, 1, 'vrrp_script NAME { script "COMMAND ARGS" ... }');
  if (children === undefined) return;
  const name = b.args[0]!;
  const first = root.scripts.find((s) => s.out["name"] === name);
  if (first !== undefined) return void fail(ctx, b, `a vrrp_script named "${name}" is already defined`);
  const path = `scripts[${root.scripts.length}]`;
  const st: ScriptSt = { ctx, out: { name }, path };
  mark(ctx, path, b);
  mark(ctx, `${path}.name`, b);
  const scriptLine = children.find((c) => c.keyword === "script");
  if (scriptLine !== undefined && scriptLine.args.length > 1) {
    fail(
      ctx,
      scriptLine,
      `takes one argument, got ${scriptLine.args.length}: quote the command with its arguments, e.g. script "${scriptLine.args.join(" ")}"`,
    );
    return;
  }
  dispatch(ctx, children, `vrrp_script ${name}`, SCRIPT_SPECS, {}, st);
  if (scriptLine === undefined) fail(ctx, b, "needs a script line");
  root.scripts.push(st);
}

function trackFile(b: Block, root: Root): void {
  const { ctx } = root;
  const children = block(ctx, b, 1, "track_file NAME { file PATH; weight N }");
  if (children === undefined) return;
  const name = b.args[0]!;
  if (root.trackFiles.some((t) => t["name"] === name)) return void fail(ctx, b, `a track file named "${name}" is already defined`);
  const path = `trackFiles[${root.trackFiles.length}]`;
  const out: Obj = { name };
  mark(ctx, path, b);
  dispatch<Obj>(
    ctx,
    children,
    `${b.keyword} ${name}`,
    {
      file: {
        run: (c) => {
          if (!args(ctx, c, 1)) return;
          out["path"] = c.args[0];
          mark(ctx, `${path}.path`, c);
        },
      },
      weight: {
        run: (c) => {
          if (!args(ctx, c, 1, 2, "weight N")) return;
          const w = weightArgs(ctx, c, c.args);
          if (w === undefined) return;
          if (w.reverse)
            return void fail(
              ctx,
              c,
              "weight ... reverse on a track file is not supported by floatip (reverse it per instance in track_file)",
            );
          out["weight"] = w.weight;
          mark(ctx, `${path}.weight`, c);
        },
      },
    },
    { unsupported: { init_file: "not supported yet" } },
    out,
  );
  if (!children.some((c) => c.keyword === "file")) fail(ctx, b, "needs a file line");
  root.trackFiles.push(out);
}

const ROOT_SPECS: Readonly<Record<string, KeywordSpec<Root>>> = {
  global_defs: {
    run: (b, root) => {
      const children = block(root.ctx, b, 0, "global_defs { ... }");
      if (children !== undefined)
        dispatch(root.ctx, children, "global_defs", GLOBAL_SPECS, { ignored: GLOBAL_IGNORED, unsupported: GLOBAL_UNSUPPORTED }, root);
    },
  },
  vrrp_script: { run: vrrpScript, repeatable: true },
  track_file: { run: trackFile, repeatable: true },
  vrrp_track_file: { run: trackFile, repeatable: true },
  vrrp_instance: { run: (b, root) => void root.instances.push(b), repeatable: true },
  // One block each: a second would restart the list's line marks at [0].
  static_ipaddress: {
    run: (b, root) => {
      const children = block(root.ctx, b, 0, "static_ipaddress { ADDRESS[/PREFIX] dev IFNAME [label LABEL] ... }");
      if (children === undefined) return;
      mark(root.ctx, "staticAddresses", b);
      for (const entry of children) {
        const address = readAddress(root.ctx, entry);
        if (address === undefined) continue;
        mark(root.ctx, `staticAddresses[${root.staticAddresses.length}]`, entry);
        root.staticAddresses.push(address);
        root.staticLines.push(entry);
      }
    },
  },
  static_routes: {
    run: (b, root) => void root.staticRoutes.push(...(readRouteBlock(root.ctx, b, "staticRoutes") ?? [])),
  },
  static_rules: {
    run: (b, root) => void root.staticRules.push(...(readRuleBlock(root.ctx, b, "staticRules") ?? [])),
  },
  vrrp_sync_group: { run: (b, root) => void root.syncGroups.push(b), repeatable: true },
  vrrp_track_process: { run: (b, root) => translateTrackProcess(root.ctx, b, root.trackProcesses), repeatable: true },
};

/**
 * vrrp_min_garp, as keepalived 2.2.7 applies it: the default burst becomes
 * one message (vrrp_garp_master_repeat 1) with no second burst
 * (vrrp_garp_master_delay 0); a value set by those keywords stays.
 * (keepalived's default refresh is already none, as floatip's.)
 */
function applyMinGarp(root: Root): void {
  const b = root.minGarp;
  if (b === undefined) return;
  if (!root.garp.has("repeat")) root.garp.set("repeat", { value: 1, b });
  if (!root.garp.has("delay")) root.garp.set("delay", { value: seconds(root.ctx, b, "0", true), b });
  if (root.garp.has("refresh") && !root.garp.has("refreshRepeat"))
    warn(
      root.ctx,
      b,
      "keepalived also sets vrrp_garp_master_refresh_repeat to 0 unless it is set; floatip keeps its default for the vrrp_garp_master_refresh messages (set vrrp_garp_master_refresh_repeat to choose how many)",
    );
}

/**
 * A static_ipaddress line without dev goes on default_interface, eth0 when
 * that is not set, as keepalived 2.2.7 places it (a virtual address without
 * dev goes on its instance's interface instead). The device is written out,
 * so the YAML says where each address goes.
 */
function placeStaticAddresses(root: Root): void {
  const fallback = root.defaultInterface;
  root.staticAddresses.forEach((entry, i) => {
    if (typeof entry === "object" && entry !== null && (entry as Obj)["device"] !== undefined) return;
    const line = root.staticLines[i]!;
    const device = fallback?.value ?? "eth0";
    root.staticAddresses[i] = typeof entry === "string" ? { address: entry, device } : { ...(entry as Obj), device };
    mark(root.ctx, `staticAddresses[${i}].device`, fallback?.b ?? line);
    if (fallback === undefined)
      warn(
        root.ctx,
        line,
        `no dev: added to eth0, keepalived's default interface for static addresses (set dev, or default_interface in global_defs)`,
      );
  });
}

function lvsSpec(mode: "skip" | "refuse"): KeywordSpec<Root> {
  return {
    repeatable: true,
    run: (b, root) => {
      const what = `${b.keyword}${b.args.length > 0 ? ` ${b.args.join(" ")}` : ""}`;
      if (mode === "skip")
        warn(root.ctx, b, `skipped ${what}: LVS is keepalived's load balancer, not part of floatip; only the VRRP part is converted`);
      else
        fail(
          root.ctx,
          b,
          `LVS (keepalived's load balancer) is not part of floatip; run the VRRP part alone with floatip agent --skip-lvs, or remove ${what}`,
        );
    },
  };
}

/** The keywords floatip translates, by block (for the support table in docs/keepalived.md and its test). */
export function translatedKeywords(): Readonly<
  Record<"top level" | "global_defs" | "vrrp_script" | "vrrp_sync_group" | "vrrp_track_process", readonly string[]>
> {
  return {
    "top level": Object.keys(ROOT_SPECS),
    global_defs: Object.keys(GLOBAL_SPECS),
    vrrp_script: Object.keys(SCRIPT_SPECS),
    vrrp_sync_group: SYNC_GROUP_KEYWORDS,
    vrrp_track_process: TRACK_PROCESS_KEYWORDS,
  };
}

/** Translates a parsed keepalived.conf; `file` names the top file for errors not tied to a line. */
export function translateKeepalived(blocks: readonly Block[], file: string, options: TranslateOptions = {}): TranslateResult {
  const ctx = newCtx(options.showSecrets === true);
  const root: Root = {
    ctx,
    scripts: [],
    trackFiles: [],
    instances: [],
    syncGroups: [],
    trackProcesses: [],
    notifyFifos: [],
    multicastGroups: {},
    staticAddresses: [],
    staticLines: [],
    staticRoutes: [],
    staticRules: [],
    garp: new Map(),
    garpInterval: new Map(),
  };
  const lvs = lvsSpec(options.lvs ?? "refuse");
  const specs = { ...ROOT_SPECS, ...Object.fromEntries(LVS_SECTIONS.map((k) => [k, lvs])) };
  dispatch(ctx, blocks, "the top level", specs, { unsupported: ROOT_UNSUPPORTED }, root);
  if (root.scriptUser !== undefined) {
    for (const s of root.scripts) {
      if (s.out["user"] !== undefined) continue;
      s.out["user"] = root.scriptUser.value;
      mark(ctx, `${s.path}.user`, root.scriptUser.b);
    }
  }
  placeStaticAddresses(root);
  applyMinGarp(root);
  const globals: Globals = {
    ...(root.version !== undefined ? { version: root.version } : {}),
    ...(root.strict !== undefined ? { strict: root.strict } : {}),
    ...(root.scriptUser !== undefined ? { scriptUser: root.scriptUser } : {}),
    garp: root.garp,
    garpInterval: root.garpInterval,
  };
  const instances: Obj[] = [];
  const names = new Map<string, Block>();
  for (const b of root.instances) {
    const name = b.args[0];
    const other = name === undefined ? undefined : names.get(name);
    if (other !== undefined) {
      fail(ctx, b, `a vrrp_instance named "${name}" is already defined at ${other.file}:${other.line}`);
      continue;
    }
    if (name !== undefined) names.set(name, b);
    const instance = translateInstance(ctx, b, instances.length, globals);
    if (instance !== undefined) instances.push(instance);
  }
  if (root.instances.length === 0)
    ctx.errors.push({ file, line: 0, keyword: "vrrp_instance", message: "no vrrp_instance found; floatip needs at least one" });
  if (root.instances.length > 0) mark(ctx, "instances", root.instances[root.instances.length - 1]!);
  const weights = {
    scripts: new Map(root.scripts.map((s) => [String(s.out["name"]), Number(s.out["weight"] ?? 0)])),
    files: new Map(root.trackFiles.map((t) => [String(t["name"]), Number(t["weight"] ?? 1)])),
    processes: new Map(root.trackProcesses.map((t) => [String(t["name"]), Number(t["weight"] ?? 1)])),
  };
  const syncGroups = translateSyncGroups(ctx, root.syncGroups, instances, weights, root.scriptUser);
  const doc: Obj = {
    ...(root.scripts.length > 0 ? { scripts: root.scripts.map((s) => s.out) } : {}),
    ...(root.trackFiles.length > 0 ? { trackFiles: root.trackFiles } : {}),
    ...(root.trackProcesses.length > 0 ? { trackProcesses: root.trackProcesses } : {}),
    instances,
    ...(root.staticAddresses.length > 0 ? { staticAddresses: root.staticAddresses } : {}),
    ...(root.staticRoutes.length > 0 ? { staticRoutes: root.staticRoutes } : {}),
    ...(root.staticRules.length > 0 ? { staticRules: root.staticRules } : {}),
    ...(syncGroups.length > 0 ? { syncGroups } : {}),
    ...(root.startupDelay !== undefined ? { startupDelay: root.startupDelay } : {}),
    ...(root.notifyFifos.length > 0 ? { notifyFifos: root.notifyFifos } : {}),
    ...(Object.keys(root.multicastGroups).length > 0 ? { multicastGroups: root.multicastGroups } : {}),
  };
  const { sources, warnings, errors } = ctx;
  return errors.length > 0 ? { ok: false, errors, doc, sources, warnings } : { ok: true, doc, sources, warnings };
}
