/**
 * One `vrrp_instance NAME { ... }` → one entry of the floatip `instances`
 * list (YAML form), recording the source line of every field it sets.
 */
import type { Block } from "./parser.js";
import { args, block, dispatch, fail, integer, mark, seconds, warn, weightArgs, type Ctx, type KeywordSpec } from "./translate-util.js";
import { finishNotifyUser, notifyLine } from "./translate-notify.js";
import { INSTANCE_IGNORED, INSTANCE_UNSUPPORTED } from "./keywords.js";
import { fitAdvertInterval } from "./translate-advert-interval.js";
import { readRouteBlock } from "./translate-routes.js";
import { readRuleBlock } from "./translate-rules.js";
import { readAddresses } from "./translate-addresses.js";
import {
  checkNativeIpv6,
  checkPreempt,
  checkStrict,
  finishGarp,
  finishPriority,
  finishVersion,
  finishVmac,
  setSource,
} from "./translate-instance-checks.js";
import type { Globals, Obj, St } from "./translate-instance-state.js";

const one = (field: string, read: (st: St, b: Block, text: string) => unknown): KeywordSpec<St> => ({
  run: (b, st) => {
    if (!args(st.ctx, b, 1)) return;
    const value = read(st, b, b.args[0]!);
    if (value === undefined) return;
    st.out[field] = value;
    mark(st.ctx, `${st.path}.${field}`, b);
  },
});

const garpField = (field: string, read: (ctx: Ctx, b: Block, text: string) => unknown): KeywordSpec<St> => ({
  run: (b, st) => {
    if (!args(st.ctx, b, 1)) return;
    const value = read(st.ctx, b, b.args[0]!);
    if (value === undefined) return;
    st.garp[field] = value;
    mark(st.ctx, `${st.path}.garp.${field}`, b);
  },
});

/** `oneLine`: also the form `KEYWORD NAME [weight N [reverse]]` on one line (keepalived takes it for track_interface). */
const trackList = (field: "scripts" | "interfaces" | "files" | "processes", usage: string, oneLine = false): KeywordSpec<St> => ({
  repeatable: oneLine,
  run: (b, st) => {
    const single = oneLine && b.children === undefined && b.args.length > 0;
    const children = single ? [{ keyword: b.args[0]!, args: b.args.slice(1), file: b.file, line: b.line }] : block(st.ctx, b, 0, usage);
    if (children === undefined) return;
    mark(st.ctx, `${st.path}.track.${field}`, b);
    for (const entry of children) {
      if (entry.children !== undefined) {
        fail(st.ctx, entry, "a tracked name does not take a { } block");
        continue;
      }
      if (field === "interfaces" && entry.keyword === st.ownInterface) {
        warn(
          st.ctx,
          entry,
          `ignored: ${entry.keyword} is the instance's own interface, which it tracks anyway (down: FAULT); keepalived ignores this entry too`,
        );
        continue;
      }
      let ref: unknown = entry.keyword;
      if (entry.args.length > 0) {
        if (entry.args[0] !== "weight") {
          fail(st.ctx, entry, `unknown option "${entry.args[0]}" (expected: NAME [weight N [reverse]])`);
          continue;
        }
        const w = weightArgs(st.ctx, entry, entry.args.slice(1));
        if (w === undefined) continue;
        ref = { name: entry.keyword, weight: w.weight, ...(w.reverse ? { reverse: true } : {}) };
      }
      mark(st.ctx, `${st.path}.track.${field}[${st.track[field]!.length}]`, entry);
      st.track[field]!.push(ref);
    }
  },
});

const SPECS: Readonly<Record<string, KeywordSpec<St>>> = {
  state: one("initialState", (st, b, text) => {
    if (text === "SLAVE") warn(st.ctx, b, "SLAVE is read as BACKUP, as keepalived does");
    else if (text !== "MASTER" && text !== "BACKUP") return fail(st.ctx, b, `must be MASTER or BACKUP, got "${text}"`);
    st.state = b;
    return text === "MASTER" ? "master" : "backup";
  }),
  interface: one("interface", (st, b, text) =>
    text.length > 15 ? fail(st.ctx, b, `interface names have at most 15 characters, got "${text}"`) : text,
  ),
  virtual_router_id: one("virtualRouterID", (st, b, text) => integer(st.ctx, b, text)),
  priority: one("priority", (st, b, text) => {
    st.priority = b;
    return integer(st.ctx, b, text);
  }),
  advert_int: one("advertisementInterval", (st, b, text) => {
    st.advertInt = b;
    return seconds(st.ctx, b, text);
  }),
  version: one("version", (st, b, text) => integer(st.ctx, b, text)),
  nopreempt: { run: (b, st) => setPreempt(st, b, false) },
  preempt: { run: (b, st) => setPreempt(st, b, true) },
  preempt_delay: one("preemptDelay", (st, b, text) => {
    st.preemptDelay = b;
    return seconds(st.ctx, b, text);
  }),
  virtual_ipaddress: { run: (b, st) => readAddresses(st, b) },
  virtual_ipaddress_excluded: { run: (b, st) => readAddresses(st, b, "excludedAddresses") },
  authentication: { run: (b, st) => readAuthentication(st, b) },
  // keepalived reads both into one setting: the source address of the instance's adverts.
  unicast_src_ip: { run: (b, st) => setSource(st, b) },
  mcast_src_ip: { run: (b, st) => setSource(st, b) },
  accept: { run: (b, st) => void args(st.ctx, b, 0) },
  promote_secondaries: {
    run: (b, st) => {
      if (!args(st.ctx, b, 0)) return;
      st.out["promoteSecondaries"] = true;
      mark(st.ctx, `${st.path}.promoteSecondaries`, b);
    },
  },
  strict_mode: {
    run: (b, st) => {
      if (!args(st.ctx, b, 0, 1, "strict_mode [on|off]")) return;
      const value = b.args[0] ?? "on";
      if (!["on", "off", "true", "false", "yes", "no"].includes(value)) return void fail(st.ctx, b, `must be on or off, got "${value}"`);
      if (["on", "true", "yes"].includes(value)) st.strict = b;
    },
  },
  unicast_peer: { run: (b, st) => readPeers(st, b) },
  native_ipv6: {
    run: (b, st) => {
      if (args(st.ctx, b, 0)) st.nativeIpv6 = b;
    },
  },
  track_script: trackList("scripts", "track_script { NAME [weight N [reverse]] ... }"),
  track_interface: trackList("interfaces", "track_interface { IFNAME [weight N [reverse]] ... }", true),
  track_file: trackList("files", "track_file { NAME [weight N [reverse]] ... }"),
  track_process: trackList("processes", "track_process { NAME [weight N [reverse]] ... }"),
  notify: notifyLine<St>("any"),
  notify_master: notifyLine<St>("master"),
  notify_backup: notifyLine<St>("backup"),
  notify_fault: notifyLine<St>("fault"),
  notify_stop: notifyLine<St>("stop"),
  garp_master_delay: garpField("delay", (ctx, b, text) => seconds(ctx, b, text, true)),
  garp_master_repeat: garpField("repeat", integer),
  garp_master_refresh: garpField("refresh", (ctx, b, text) => seconds(ctx, b, text, true)),
  garp_master_refresh_repeat: garpField("refreshRepeat", integer),
  garp_lower_prio_repeat: garpField("lowerPriorityRepeat", integer),
  garp_lower_prio_delay: garpField("lowerPriorityDelay", (ctx, b, text) => seconds(ctx, b, text, true)),
  dont_track_primary: {
    run: (b, st) => {
      if (!args(st.ctx, b, 0)) return;
      st.out["trackInterface"] = false;
      mark(st.ctx, `${st.path}.trackInterface`, b);
    },
  },
  use_vmac: {
    run: (b, st) => {
      if (!args(st.ctx, b, 0, 1, "use_vmac [IFNAME]")) return;
      const vmac = (st.out["vmac"] ??= {}) as Obj;
      if (b.args[0] !== undefined) vmac["name"] = b.args[0];
      mark(st.ctx, `${st.path}.vmac`, b);
      if (b.args[0] !== undefined) mark(st.ctx, `${st.path}.vmac.name`, b);
    },
  },
  vmac_xmit_base: {
    run: (b, st) => {
      if (!args(st.ctx, b, 0)) return;
      st.vmacXmitBase = b;
    },
  },
  virtual_routes: {
    run: (b, st) => {
      const routes = readRouteBlock(st.ctx, b, `${st.path}.routes`);
      if (routes !== undefined && routes.length > 0) st.out["routes"] = routes;
    },
  },
  virtual_rules: {
    run: (b, st) => {
      const rules = readRuleBlock(st.ctx, b, `${st.path}.rules`);
      if (rules !== undefined && rules.length > 0) st.out["rules"] = rules;
    },
  },
};

function setPreempt(st: St, b: Block, value: boolean): void {
  if (!args(st.ctx, b, 0)) return;
  if (st.preempt !== undefined && st.preempt.keyword !== b.keyword) {
    return void fail(st.ctx, b, `conflicts with ${st.preempt.keyword} at ${st.preempt.file}:${st.preempt.line}`);
  }
  st.preempt = b;
  st.out["preempt"] = value;
  mark(st.ctx, `${st.path}.preempt`, b);
}

function readAuthentication(st: St, b: Block): void {
  const children = block(st.ctx, b, 0, "authentication { auth_type PASS; auth_pass SECRET }");
  if (children === undefined) return;
  st.authBlock = b;
  const auth: Obj = {};
  const path = `${st.path}.authentication`;
  const before = st.ctx.errors.length;
  mark(st.ctx, path, b);
  dispatch<Obj>(
    st.ctx,
    children,
    "authentication",
    {
      auth_type: {
        run: (c) => {
          if (!args(st.ctx, c, 1)) return;
          const type = c.args[0]!;
          if (type === "AH")
            return void fail(st.ctx, c, "AH (IPsec) authentication is not supported by floatip; use auth_type PASS or drop authentication");
          if (type !== "PASS") return void fail(st.ctx, c, `must be PASS or AH, got "${type}"`);
          auth["type"] = "pass";
          mark(st.ctx, `${path}.type`, c);
        },
      },
      auth_pass: {
        run: (c) => {
          if (!args(st.ctx, c, 1)) return;
          const password = truncatePassword(st.ctx, c, c.args[0]!);
          if (password === undefined) return;
          auth["password"] = password;
          mark(st.ctx, `${path}.password`, c);
        },
      },
    },
    {},
    auth,
  );
  if (auth["type"] === undefined && !children.some((c) => c.keyword === "auth_type")) fail(st.ctx, b, "needs auth_type PASS");
  if (auth["password"] === undefined && !children.some((c) => c.keyword === "auth_pass")) fail(st.ctx, b, "needs auth_pass");
  if (st.ctx.errors.length === before) st.out["authentication"] = auth;
}

/** RFC 3768 §5.3.6 has room for 8 bytes; keepalived sends the first 8 of a longer password, so floatip must too. */
function truncatePassword(ctx: Ctx, b: Block, password: string): string | undefined {
  const bytes = Buffer.from(password, "utf8");
  if (bytes.length <= 8) return password;
  const kept = bytes.subarray(0, 8).toString("utf8");
  if (Buffer.byteLength(kept, "utf8") !== 8) {
    return fail(
      ctx,
      b,
      "is longer than 8 bytes and its 8th byte falls inside a character; keepalived sends only the first 8 bytes: give a password of at most 8 bytes",
    );
  }
  // The agent's warnings go to its log, which must not carry the password; convert prints it anyway.
  const shown = ctx.showSecrets ? `, "${kept}",` : "";
  warn(
    ctx,
    b,
    `is longer than 8 bytes; keepalived sends only the first 8${shown} and floatip uses the same 8 (so both interoperate)${ctx.showSecrets ? "" : "; floatip convert shows them"}`,
  );
  return kept;
}

function readPeers(st: St, b: Block): void {
  const children = block(st.ctx, b, 0, "unicast_peer { ADDRESS ... }");
  if (children === undefined) return;
  st.peerBlock = b;
  const peers: unknown[] = [];
  st.peers = peers;
  mark(st.ctx, `${st.path}.unicast`, b);
  mark(st.ctx, `${st.path}.unicast.peers`, b);
  for (const entry of children) {
    if (entry.children !== undefined || entry.args.length > 0) {
      fail(
        st.ctx,
        entry,
        entry.children !== undefined
          ? "a peer does not take a { } block"
          : `peer options (${entry.args.join(" ")}) are not supported by floatip`,
      );
      continue;
    }
    mark(st.ctx, `${st.path}.unicast.peers[${peers.length}]`, entry);
    peers.push(entry.keyword);
  }
}

/** The vrrp_instance keywords floatip translates (for the support table in docs/keepalived.md and its test). */
export const INSTANCE_KEYWORDS: readonly string[] = Object.keys(SPECS);

/** Translates one vrrp_instance; returns the YAML-form instance (without the statements in error, which it reports), undefined without a block. */
export function translateInstance(ctx: Ctx, b: Block, index: number, globals: Globals): Obj | undefined {
  const children = block(ctx, b, 1, "vrrp_instance NAME { ... }");
  if (children === undefined) return undefined;
  const path = `instances[${index}]`;
  const st: St = {
    ctx,
    path,
    out: { name: b.args[0] },
    garp: {},
    notify: {},
    notifyLines: [],
    track: { scripts: [], interfaces: [], files: [], processes: [] },
  };
  st.ownInterface = children.find((c) => c.keyword === "interface")?.args[0];
  mark(ctx, path, b);
  mark(ctx, `${path}.name`, b);
  dispatch(ctx, children, `vrrp_instance ${b.args[0]}`, SPECS, { ignored: INSTANCE_IGNORED, unsupported: INSTANCE_UNSUPPORTED }, st);
  for (const [keyword, field] of [
    ["interface", "interface"],
    ["virtual_router_id", "virtualRouterID"],
    ["virtual_ipaddress", "addresses"],
  ] as const) {
    if (st.out[field] === undefined && !children.some((c) => c.keyword === keyword)) fail(ctx, b, `needs ${keyword}`);
  }
  checkNativeIpv6(st);
  finishVersion(st, b, globals);
  fitAdvertInterval(ctx, st.out, st.advertInt);
  finishPriority(st);
  checkPreempt(st);
  finishGarp(st, globals);
  checkStrict(st, st.strict ?? globals.strict);
  if (st.source !== undefined && st.peers === undefined) {
    st.out["source"] = st.source.value;
    mark(ctx, `${st.path}.source`, st.source.b);
  }
  if (st.peers !== undefined) {
    st.out["unicast"] = { ...(st.source !== undefined ? { source: st.source.value } : {}), peers: st.peers };
    if (st.source !== undefined) mark(ctx, `${st.path}.unicast.source`, st.source.b);
  }
  finishVmac(st);
  const track = Object.fromEntries(Object.entries(st.track).filter(([, list]) => list.length > 0));
  if (Object.keys(track).length > 0) st.out["track"] = track;
  finishNotifyUser(st, globals.scriptUser);
  if (Object.keys(st.notify).length > 0) st.out["notify"] = st.notify;
  // Returned even after errors: validating what did translate reports the rest of the file's problems too.
  return st.out;
}
