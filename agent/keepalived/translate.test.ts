import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseKeepalivedText } from "./parser.js";
import { translateKeepalived, type TranslateResult } from "./translate.js";
import type { SourceError } from "./lexer.js";

type Obj = Record<string, unknown>;

function translate(text: string): TranslateResult {
  const parsed = parseKeepalivedText(text, "k.conf");
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
  return translateKeepalived(parsed.blocks, "k.conf");
}

function doc(text: string): Obj {
  const result = translate(text);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.doc;
}

function errors(text: string): readonly SourceError[] {
  const result = translate(text);
  assert.ok(!result.ok, "expected errors");
  return result.errors;
}

const VIP = "  virtual_ipaddress {\n    192.0.2.5\n  }\n";
const instance = (body: string, vip = VIP) => `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${vip}${body}}\n`;
const BASE: Obj = { name: "VI_1", interface: "eth0", virtualRouterID: 51, addresses: ["192.0.2.5"], version: 2 };
const SCRIPT = 'vrrp_script chk {\n  script "/bin/check"\n}\n';

describe("keepalived translation: vrrp_instance keywords", () => {
  const cases: readonly [string, string, Obj, string?][] = [
    ["state MASTER", "  state MASTER\n  priority 150\n", { initialState: "master", priority: 150 }],
    ["state MASTER without priority is the address owner", "  state MASTER\n", { initialState: "master", priority: 255 }],
    ["state BACKUP", "  state BACKUP\n", { initialState: "backup" }],
    ["priority", "  priority 90\n", { priority: 90 }],
    ["priority 255 without state starts master", "  priority 255\n", { priority: 255, initialState: "master" }],
    ["advert_int", "  advert_int 3\n", { advertisementInterval: "3s" }],
    ["advert_int fractional with version 3", "  version 3\n  advert_int 0.1\n", { version: 3, advertisementInterval: "100ms" }],
    ["version 3", "  version 3\n", { version: 3 }],
    ["nopreempt", "  nopreempt\n", { preempt: false }],
    ["preempt", "  preempt\n", { preempt: true }],
    ["preempt_delay", "  preempt_delay 2.5\n", { preemptDelay: "2500ms" }],
    [
      "authentication PASS",
      "  authentication {\n    auth_type PASS\n    auth_pass s3cret\n  }\n",
      { authentication: { type: "pass", password: "s3cret" } },
    ],
    [
      "unicast_src_ip and unicast_peer",
      "  unicast_src_ip 192.0.2.11\n  unicast_peer {\n    192.0.2.12\n    192.0.2.13\n  }\n",
      { unicast: { source: "192.0.2.11", peers: ["192.0.2.12", "192.0.2.13"] } },
    ],
    ["unicast_peer alone", "  unicast_peer {\n    192.0.2.12\n  }\n", { unicast: { peers: ["192.0.2.12"] } }],
    ["track_script", "  track_script {\n    chk\n  }\n", { track: { scripts: ["chk"] } }, SCRIPT],
    [
      "track_script with weight",
      "  track_script {\n    chk weight -10\n  }\n",
      { track: { scripts: [{ name: "chk", weight: -10 }] } },
      SCRIPT,
    ],
    [
      "track_script with weight reverse",
      "  track_script {\n    chk weight 5 reverse\n  }\n",
      { track: { scripts: [{ name: "chk", weight: 5, reverse: true }] } },
      SCRIPT,
    ],
    [
      "track_interface",
      "  track_interface {\n    eth1\n    eth2 weight -20\n  }\n",
      { track: { interfaces: ["eth1", { name: "eth2", weight: -20 }] } },
    ],
    [
      "track_file",
      "  track_file {\n    tf weight 2\n  }\n",
      { track: { files: [{ name: "tf", weight: 2 }] } },
      "track_file tf {\n  file /run/tf\n}\n",
    ],
    ["notify", "  notify /etc/keepalived/notify.sh\n", { notify: { any: "/etc/keepalived/notify.sh" } }],
    [
      "notify quoted with arguments",
      '  notify "/etc/keepalived/notify.sh --verbose"\n',
      { notify: { any: "/etc/keepalived/notify.sh --verbose" } },
    ],
    ["notify_master", "  notify_master /m.sh\n", { notify: { master: "/m.sh" } }],
    ["notify_backup", "  notify_backup /b.sh\n", { notify: { backup: "/b.sh" } }],
    ["notify_fault", "  notify_fault /f.sh\n", { notify: { fault: "/f.sh" } }],
    ["notify_stop", "  notify_stop /s.sh\n", { notify: { stop: "/s.sh" } }],
    ["garp_master_delay", "  garp_master_delay 10\n", { garp: { delay: "10s" } }],
    ["garp_master_repeat", "  garp_master_repeat 3\n", { garp: { repeat: 3 } }],
    ["garp_master_refresh", "  garp_master_refresh 60\n", { garp: { refresh: "60s" } }],
    ["garp_master_refresh_repeat", "  garp_master_refresh_repeat 2\n", { garp: { refreshRepeat: 2 } }],
    ["garp_lower_prio_repeat", "  garp_lower_prio_repeat 0\n", { garp: { lowerPriorityRepeat: 0 } }],
    ["garp_lower_prio_delay", "  garp_lower_prio_delay 10\n", { garp: { lowerPriorityDelay: "10s" } }],
    [
      "global vrrp_garp_lower_prio_*",
      "  garp_lower_prio_repeat 4\n",
      { garp: { lowerPriorityRepeat: 4, lowerPriorityDelay: "2s" } },
      "global_defs {\n  vrrp_garp_lower_prio_delay 2\n  vrrp_garp_lower_prio_repeat 1\n}\n",
    ],
    ["global vrrp_version", "", { version: 3 }, "global_defs {\n  vrrp_version 3\n}\n"],
    [
      "global vrrp_garp_master_*",
      "  garp_master_repeat 4\n",
      { garp: { repeat: 4, delay: "1s", refresh: "30s", refreshRepeat: 3 } },
      "global_defs {\n  vrrp_garp_master_delay 1\n  vrrp_garp_master_repeat 2\n  vrrp_garp_master_refresh 30\n  vrrp_garp_master_refresh_repeat 3\n}\n",
    ],
    ["global_defs accepted keywords", "", {}, "global_defs {\n  router_id lb1\n  enable_script_security\n}\n"],
  ];
  for (const [name, body, patch, before] of cases) {
    it(name, () => {
      const d = doc(`${before ?? ""}${instance(body)}`);
      assert.deepEqual((d["instances"] as Obj[])[0], { ...BASE, ...patch });
    });
  }

  const addressCases: readonly [string, string, unknown[], Obj?][] = [
    ["plain address", "192.0.2.5", ["192.0.2.5"]],
    ["with prefix", "192.0.2.5/24", ["192.0.2.5/24"]],
    ["dev and label", "192.0.2.5/24 dev eth1 label eth1:vip", [{ address: "192.0.2.5/24", device: "eth1", label: "eth1:vip" }]],
    ["scope global", "192.0.2.5/24 scope global dev eth1", [{ address: "192.0.2.5/24", device: "eth1" }]],
    ["IPv6 runs version 3, as keepalived", "2001:db8::5/64", ["2001:db8::5/64"], { version: 3 }],
  ];
  for (const [name, line, addresses, patch] of addressCases) {
    it(`virtual_ipaddress: ${name}`, () => {
      const d = doc(instance("", `  virtual_ipaddress {\n    ${line}\n  }\n`));
      assert.deepEqual((d["instances"] as Obj[])[0], { ...BASE, addresses, ...patch });
    });
  }
});

describe("keepalived translation: vrrp_script and track_file", () => {
  const cases: readonly [string, string, Obj][] = [
    ["script quoted", "", {}],
    ["interval", "  interval 2\n", { interval: "2s" }],
    ["interval fractional", "  interval 0.5\n", { interval: "500ms" }],
    ["timeout", "  timeout 3\n", { timeout: "3s" }],
    ["weight", "  weight -4\n", { weight: -4 }],
    ["weight reverse", "  weight -4 reverse\n", { weight: -4, reverse: true }],
    ["fall", "  fall 3\n", { fall: 3 }],
    ["rise", "  rise 2\n", { rise: 2 }],
    ["init_fail", "  init_fail\n", { initFail: true }],
    ["user", "  user nobody\n", { user: "nobody" }],
  ];
  for (const [name, body, patch] of cases) {
    it(name, () => {
      const d = doc(`vrrp_script chk {\n  script "/bin/check --fast"\n${body}}\n${instance("")}`);
      assert.deepEqual(d["scripts"], [{ name: "chk", command: "/bin/check --fast", ...patch }]);
    });
  }

  it("global script_user is the default user of scripts", () => {
    const d = doc(
      `vrrp_script a {\n  script /a\n}\nvrrp_script b {\n  script /b\n  user root\n}\nglobal_defs {\n  script_user keepalived_script\n}\n${instance("")}`,
    );
    assert.deepEqual(d["scripts"], [
      { name: "a", command: "/a", user: "keepalived_script" },
      { name: "b", command: "/b", user: "root" },
    ]);
  });

  for (const keyword of ["track_file", "vrrp_track_file"]) {
    it(`${keyword} (file, weight)`, () => {
      const d = doc(`${keyword} tf {\n  file /run/tf\n  weight -3\n}\n${instance("")}`);
      assert.deepEqual(d["trackFiles"], [{ name: "tf", path: "/run/tf", weight: -3 }]);
    });
  }
});

describe("keepalived translation: errors", () => {
  const cases: readonly [string, string, number, string, RegExp][] = [
    [
      "misspelt instance keyword",
      instance("  priorty 100\n"),
      7,
      "priorty",
      /unknown keyword in vrrp_instance VI_1; did you mean "priority"\?/,
    ],
    ["misspelt root keyword", "vrrp_instanse X {\n}\n", 1, "vrrp_instanse", /did you mean "vrrp_instance"/],
    ["misspelt script keyword", 'vrrp_script c {\n  script "/x"\n  intreval 2\n}\n', 3, "intreval", /did you mean "interval"/],
    ["unknown keyword", instance("  frobnicate\n"), 7, "frobnicate", /unknown keyword in vrrp_instance VI_1$/],
    [
      "unsupported instance feature",
      instance("  use_ipvlan\n"),
      7,
      "use_ipvlan",
      /not supported by floatip \(in vrrp_instance VI_1\): not supported yet: floatip aliases the VIP on the interface itself/,
    ],
    [
      "unsupported global_defs",
      "global_defs {\n  vrrp_lower_prio_no_advert\n}\n",
      2,
      "vrrp_lower_prio_no_advert",
      /not supported by floatip \(in global_defs\): not supported: a floatip master always answers a lower-priority advert with its own/,
    ],
    [
      "LVS section (agent)",
      "virtual_server 192.0.2.1 80 {\n}\n",
      1,
      "virtual_server",
      /LVS \(keepalived's load balancer\) is not part of floatip; run the VRRP part alone with floatip agent --skip-lvs, or remove virtual_server 192.0.2.1 80$/,
    ],
    ["sync group without members", "vrrp_sync_group G {\n}\n", 1, "vrrp_sync_group", /needs a group \{ \.\.\. \} block/],
    [
      "AH authentication",
      instance("  authentication {\n    auth_type AH\n    auth_pass x\n  }\n"),
      8,
      "auth_type",
      /AH \(IPsec\) authentication is not supported/,
    ],
    ["bad auth_type", instance("  authentication {\n    auth_type pass\n    auth_pass x\n  }\n"), 8, "auth_type", /must be PASS or AH/],
    ["auth_pass missing", instance("  authentication {\n    auth_type PASS\n  }\n"), 7, "authentication", /needs auth_pass/],
    ["state lower case", instance("  state master\n"), 7, "state", /must be MASTER or BACKUP/],
    ["too many arguments", instance("  priority 100 200\n"), 7, "priority", /takes 1 argument, got 2/],
    ["missing argument", instance("").replace("interface eth0", "interface"), 2, "interface", /takes 1 argument, got 0/],
    ["not an integer", instance("  priority high\n"), 7, "priority", /must be an integer, got "high"/],
    ["not seconds", instance("  advert_int 1s\n"), 7, "advert_int", /must be a number of seconds/],
    ["finer than a millisecond", instance("  preempt_delay 0.0001\n"), 7, "preempt_delay", /1 ms resolution/],
    ["whole seconds only", instance("  garp_master_delay 0.5\n"), 7, "garp_master_delay", /whole number of seconds/],
    [
      "duplicate keyword",
      instance("  priority 100\n  priority 101\n"),
      8,
      "priority",
      /given twice in vrrp_instance VI_1 \(first at k.conf:7\)/,
    ],
    ["nopreempt and preempt", instance("  nopreempt\n  preempt\n"), 8, "preempt", /conflicts with nopreempt at k.conf:7/],
    [
      "nopreempt with state MASTER",
      instance("  state MASTER\n  priority 100\n  nopreempt\n"),
      9,
      "nopreempt",
      /keepalived ignores nopreempt with state MASTER at line 7/,
    ],
    [
      "nopreempt with priority 255",
      instance("  priority 255\n  nopreempt\n"),
      8,
      "nopreempt",
      /keepalived ignores nopreempt with priority 255/,
    ],
    [
      "preempt_delay with state MASTER",
      instance("  state MASTER\n  preempt_delay 5\n"),
      8,
      "preempt_delay",
      /ignores preempt_delay with state MASTER/,
    ],
    [
      "preempt_delay with nopreempt",
      instance("  nopreempt\n  preempt_delay 5\n"),
      8,
      "preempt_delay",
      /ignores preempt_delay with nopreempt/,
    ],
    ["script timeout 0", 'vrrp_script c {\n  script "/x"\n  timeout 0\n}\n', 3, "timeout", /must be more than 0/],
    ["block where none belongs", instance("  priority 100 {\n  }\n"), 7, "priority", /does not take a \{ \} block/],
    ["no block where one belongs", instance("  track_script chk\n"), 7, "track_script", /needs a \{ \} block/],
    [
      "brd without a value",
      instance("", "  virtual_ipaddress {\n    192.0.2.5/24 brd\n  }\n"),
      5,
      "192.0.2.5/24",
      /address option "brd" needs a value/,
    ],
    ["other scope", instance("", "  virtual_ipaddress {\n    192.0.2.5 scope link\n  }\n"), 5, "192.0.2.5", /only "scope global"/],
    [
      "unknown address option",
      instance("", "  virtual_ipaddress {\n    192.0.2.5 devv eth1\n  }\n"),
      5,
      "192.0.2.5",
      /unknown address option "devv"/,
    ],
    ["address option without value", instance("", "  virtual_ipaddress {\n    192.0.2.5 dev\n  }\n"), 5, "192.0.2.5", /needs a value/],
    ["track weight option misspelt", instance("  track_interface {\n    eth1 wieght 2\n  }\n"), 8, "eth1", /unknown option "wieght"/],
    ["notify with too many words", instance("  notify /n.sh root wheel extra\n"), 7, "notify", /COMMAND \[USER \[GROUP\]\]/],
    [
      "script with unquoted arguments",
      "vrrp_script c {\n  script /bin/check --fast\n}\n",
      2,
      "script",
      /quote the command with its arguments/,
    ],
    ["script missing", "vrrp_script c {\n  interval 2\n}\n", 1, "vrrp_script", /needs a script line/],
    ["script user and group in one word", 'vrrp_script c {\n  script "/x"\n  user nobody:nogroup\n}\n', 3, "user", /two words: USER GROUP/],
    ["script user, group and more", 'vrrp_script c {\n  script "/x"\n  user nobody nogroup extra\n}\n', 3, "user", /USER \[GROUP\]/],
    ["script weight option", 'vrrp_script c {\n  script "/x"\n  weight 2 backwards\n}\n', 3, "weight", /unknown weight option "backwards"/],
    ["track file reverse", "track_file t {\n  file /t\n  weight 2 reverse\n}\n", 3, "weight", /reverse on a track file is not supported/],
    ["track file init_file", "track_file t {\n  file /t\n  init_file 0\n}\n", 3, "init_file", /not supported/],
    ["script_user and group in one word", "global_defs {\n  script_user a:b\n}\n", 2, "script_user", /two words: USER GROUP/],
    ["vrrp_version 4", "global_defs {\n  vrrp_version 4\n}\n", 2, "vrrp_version", /must be 2 or 3/],
    ["instance without name", "vrrp_instance {\n}\n", 1, "vrrp_instance", /takes 1 argument before '\{'/],
    ["interface name too long", instance("").replace("eth0", "a-very-long-interface"), 2, "interface", /at most 15 characters/],
    [
      "unicast_src_ip and mcast_src_ip",
      instance("  unicast_src_ip 192.0.2.1\n  mcast_src_ip 192.0.2.2\n"),
      8,
      "mcast_src_ip",
      /sets the same source address as unicast_src_ip at k.conf:7; give one of them/,
    ],
    [
      "peer options",
      instance("  unicast_peer {\n    192.0.2.2 min_ttl 2\n  }\n"),
      8,
      "192.0.2.2",
      /peer options \(min_ttl 2\) are not supported/,
    ],
  ];
  for (const [name, text, line, keyword, message] of cases) {
    it(name, () => {
      const found = errors(text).find((e) => e.line === line && e.keyword === keyword);
      assert.ok(found !== undefined, `no error at line ${line} for ${keyword}: ${JSON.stringify(errors(text))}`);
      assert.equal(found.file, "k.conf");
      assert.match(found.message, message);
    });
  }

  it("names missing required keywords at the vrrp_instance line", () => {
    const errs = errors("vrrp_instance VI_1 {\n  state BACKUP\n}\n");
    assert.deepEqual(
      errs.map((e) => `${e.line} ${e.keyword}: ${e.message}`),
      ["1 vrrp_instance: needs interface", "1 vrrp_instance: needs virtual_router_id", "1 vrrp_instance: needs virtual_ipaddress"],
    );
  });

  it("rejects a config without instances and duplicate names", () => {
    assert.deepEqual(errors("global_defs {\n  router_id x\n}\n"), [
      { file: "k.conf", line: 0, keyword: "vrrp_instance", message: "no vrrp_instance found; floatip needs at least one" },
    ]);
    const dup = errors(`${instance("")}${instance("")}`);
    assert.match(dup[0]!.message, /a vrrp_instance named "VI_1" is already defined at k.conf:1/);
    assert.equal(dup[0]!.line, 8);
    const dupScript = errors(`${SCRIPT}${SCRIPT}${instance("")}`);
    assert.match(dupScript[0]!.message, /vrrp_script named "chk" is already defined/);
  });
});
