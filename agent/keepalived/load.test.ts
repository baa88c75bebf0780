import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadKeepalivedFile, parseKeepalivedConfig } from "./load.js";
import { parseKeepalivedText } from "./parser.js";
import { translateKeepalived } from "./translate.js";
import { fakeIo } from "./fake-io.js";
import { DEFAULT_GARP } from "../config/types.js";

const FIXTURE = `vrrp_script chk_sshd {
        script "/usr/bin/pkill -0 sshd"
        interval 5
        weight -4
        fall 2
        rise 1
}
vrrp_instance vrrp {
        interface ens3
        virtual_router_id 67
        state MASTER
        priority 100
        virtual_ipaddress {
            192.0.2.5
        }
        authentication {
                auth_type PASS
                auth_pass XXXXXX
        }
        track_script {
                chk_sshd
        }
        notify /etc/keepalived/notify.sh
}
`;

const instance = (body: string) => `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    192.0.2.5
  }
${body}}
`;

describe("keepalived.conf fixture", () => {
  it("translates to the floatip YAML form", () => {
    const parsed = parseKeepalivedText(FIXTURE, "keepalived.conf");
    assert.ok(parsed.ok);
    const translated = translateKeepalived(parsed.blocks, "keepalived.conf");
    assert.ok(translated.ok, JSON.stringify(!translated.ok && translated.errors));
    assert.deepEqual(translated.doc, {
      scripts: [{ name: "chk_sshd", command: "/usr/bin/pkill -0 sshd", interval: "5s", weight: -4, fall: 2, rise: 1 }],
      instances: [
        {
          name: "vrrp",
          interface: "ens3",
          virtualRouterID: 67,
          version: 2,
          initialState: "master",
          priority: 100,
          addresses: ["192.0.2.5"],
          authentication: { type: "pass", password: "XXXXXX" },
          track: { scripts: ["chk_sshd"] },
          notify: { any: "/etc/keepalived/notify.sh" },
        },
      ],
    });
  });

  it("validates to the full AgentConfig", () => {
    const result = parseKeepalivedConfig(FIXTURE, "keepalived.conf");
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(result.config, {
      scripts: [
        {
          name: "chk_sshd",
          command: "/usr/bin/pkill -0 sshd",
          intervalMs: 5000,
          timeoutMs: 5000,
          weight: -4,
          reverse: false,
          fall: 2,
          rise: 1,
          initFail: false,
        },
      ],
      trackFiles: [],
      instances: [
        {
          name: "vrrp",
          interface: "ens3",
          virtualRouterId: 67,
          version: 2,
          family: 4,
          priority: 100,
          advertIntervalMs: 1000,
          preempt: true,
          preemptDelayMs: 0,
          initialState: "master",
          addresses: [{ address: "192.0.2.5", family: 4, prefixLength: 32 }],
          authentication: { type: "pass", password: "XXXXXX" },
          garp: DEFAULT_GARP,
          track: { scripts: [{ name: "chk_sshd" }], interfaces: [], files: [] },
          notify: { any: "/etc/keepalived/notify.sh", timeoutMs: 30_000 },
        },
      ],
    });
  });
});

describe("keepalived validation errors map back to file:line", () => {
  const bad: readonly [string, string, string, RegExp][] = [
    ["priority 300", instance("  priority 300\n"), "k.conf:7", /^priority: must be between 1 and 255, got 300$/],
    [
      "virtual_router_id 0",
      instance("").replace("virtual_router_id 51", "virtual_router_id 0"),
      "k.conf:3",
      /^virtual_router_id: must be between 1 and 255, got 0$/,
    ],
    ["advert_int 0", instance("  advert_int 0\n"), "k.conf:7", /^advert_int: must be between 1000ms and 255s for VRRPv2/],
    ["version 4", instance("  version 4\n"), "k.conf:7", /^version: must be between 2 and 3, got 4$/],
    ["bad address", instance("").replace("192.0.2.5", "192.0.2.300"), "k.conf:5", /^192.0.2.300: "192.0.2.300" is not an IP address$/],
    [
      "long label",
      instance("").replace("192.0.2.5", "192.0.2.5 label eth0:a-long-label"),
      "k.conf:5",
      /^192.0.2.5: must be at most 15 characters \(label\)$/,
    ],
    [
      "empty virtual_ipaddress",
      instance("").replace("    192.0.2.5\n", ""),
      "k.conf:4",
      /^virtual_ipaddress: must list at least one address$/,
    ],
    [
      "IPv6 with version 2",
      instance("  version 2\n").replace("192.0.2.5", "2001:db8::5"),
      "k.conf:7",
      /^version: VRRPv2 carries IPv4 only/,
    ],
    [
      "authentication with version 3",
      instance("  version 3\n  authentication {\n    auth_type PASS\n    auth_pass x\n  }\n"),
      "k.conf:8",
      /^authentication: authentication exists in VRRPv2 only/,
    ],
    [
      "auth_pass longer than 8 bytes, cut inside a character",
      instance("  authentication {\n    auth_type PASS\n    auth_pass 1234567\u00e9\n  }\n"),
      "k.conf:9",
      /^auth_pass: is longer than 8 bytes and its 8th byte falls inside a character/,
    ],
    [
      "script weight 300",
      'vrrp_script c {\n  script "/x"\n  weight 300\n}\n' + instance(""),
      "k.conf:3",
      /^weight: must be between -253 and 253, got 300$/,
    ],
    [
      "script fall 0",
      'vrrp_script c {\n  script "/x"\n  fall 0\n}\n' + instance(""),
      "k.conf:3",
      /^fall: must be between 1 and 1000000, got 0$/,
    ],
    ["track_script unknown", instance("  track_script {\n    nope\n  }\n"), "k.conf:8", /^nope: no script named "nope" under scripts$/],
    [
      "track weight 254",
      'vrrp_script c {\n  script "/x"\n}\n' + instance("  track_script {\n    c weight 254\n  }\n"),
      "k.conf:11",
      /^c: must be between -253 and 253, got 254 \(weight\)$/,
    ],
    ["bad unicast peer", instance("  unicast_peer {\n    peer1\n  }\n"), "k.conf:8", /^peer1: "peer1" is not an IP address$/],
    ["garp_master_repeat 0", instance("  garp_master_repeat 0\n"), "k.conf:7", /^garp_master_repeat: must be between 1 and 100, got 0$/],
    [
      "global garp default",
      "global_defs {\n  vrrp_garp_master_repeat 0\n}\n" + instance(""),
      "k.conf:2",
      /^vrrp_garp_master_repeat: must be between 1 and 100/,
    ],
    [
      "same VRID twice",
      instance("") + instance("").replace("VI_1", "VI_2"),
      "k.conf:10",
      /^virtual_router_id: instances "VI_1" and "VI_2" both use virtualRouterID 51/,
    ],
  ];
  for (const [name, text, path, message] of bad) {
    it(name, () => {
      const result = parseKeepalivedConfig(text, "k.conf");
      assert.ok(!result.ok, "expected errors");
      assert.equal(result.errors.length, 1, JSON.stringify(result.errors));
      assert.equal(result.errors[0]!.path, path);
      assert.match(result.errors[0]!.message, message);
    });
  }

  it("accepts advert_int 0.15 with version 3 (150 ms is whole centiseconds)", () => {
    const result = parseKeepalivedConfig(instance("  version 3\n  advert_int 0.15\n"), "k.conf");
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.equal(result.config.instances[0]!.advertIntervalMs, 150);
  });

  it("reports translation and syntax errors in the same shape", () => {
    const syntax = parseKeepalivedConfig("vrrp_instance X {\n", "k.conf");
    assert.ok(!syntax.ok);
    assert.deepEqual(syntax.errors, [{ path: "k.conf:1", message: "vrrp_instance: '{' opened here is never closed with '}'" }]);
    const none = parseKeepalivedConfig("", "k.conf");
    assert.ok(!none.ok);
    assert.deepEqual(none.errors, [{ path: "k.conf", message: "vrrp_instance: no vrrp_instance found; floatip needs at least one" }]);
  });
});

describe("loadKeepalivedFile", () => {
  it("reads the file and its includes through io, errors name the included file", async () => {
    const io = fakeIo({
      "/etc/keepalived/keepalived.conf": "include conf.d/*.conf\n",
      "/etc/keepalived/conf.d/10-scripts.conf": 'vrrp_script chk {\n  script "/bin/chk"\n}\n',
      "/etc/keepalived/conf.d/20-vi.conf": instance("  track_script {\n    chk\n  }\n  priority 0\n"),
    });
    const result = await loadKeepalivedFile("/etc/keepalived/keepalived.conf", io);
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [
      { path: "/etc/keepalived/conf.d/20-vi.conf:10", message: "priority: must be between 1 and 255, got 0" },
    ]);
  });

  it("loads a config split over includes", async () => {
    const io = fakeIo({
      "/k/keepalived.conf": "global_defs {\n  include defs.conf\n}\ninclude vi.conf\n",
      "/k/defs.conf": "script_user nobody\n",
      "/k/vi.conf": 'vrrp_script chk {\n  script "/bin/chk"\n}\n' + instance("  track_script {\n    chk\n  }\n"),
    });
    const result = await loadKeepalivedFile("/k/keepalived.conf", io);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.equal(result.config.scripts[0]!.user, "nobody");
  });

  it("reports an unreadable file", async () => {
    const result = await loadKeepalivedFile("/nope.conf", fakeIo({}));
    assert.ok(!result.ok);
    assert.equal(result.errors[0]!.path, "/nope.conf");
    assert.match(result.errors[0]!.message, /^cannot read: /);
  });
});

describe("keepalived errors come all at once, sorted by file and line (issue 16 item 5)", () => {
  it("lexer and parser errors together", () => {
    const result = parseKeepalivedConfig('vrrp_script c {\n  script "/bin/true\n}\n}\n', "k.conf");
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [
      { path: "k.conf:2", message: "script: unterminated quoted string" },
      { path: "k.conf:4", message: "}: '}' without a matching '{'" },
    ]);
  });

  it("translation and validation errors together, in line order, over the included files in include order", () => {
    const io = fakeIo({
      "/k/top.conf": "",
      "/k/a.conf": "global_defs {\n  smtp_server 192.0.2.25\n  vrrp_lower_prio_no_advert\n}\n",
      "/k/b.conf": instance("  priority 300\n").replace("virtual_router_id 51", "virtual_router_id 0"),
    });
    const top = 'include b.conf\ninclude a.conf\nvrrp_script c {\n  script "/x"\n  intreval 2\n}\n';
    const result = parseKeepalivedConfig(top, "/k/top.conf", io);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => `${e.path}: ${e.message.split(":")[0]}`),
      ["/k/top.conf:5: intreval", "/k/b.conf:3: virtual_router_id", "/k/b.conf:7: priority", "/k/a.conf:3: vrrp_lower_prio_no_advert"],
    );
    assert.deepEqual(
      result.warnings.map((w) => w.path),
      ["/k/a.conf:2"],
    );
  });

  it("leaves out what a refused statement caused: a missing field it would have set", () => {
    // interface with two words fails translation; validation alone would also say the interface is missing.
    const result = parseKeepalivedConfig(instance("").replace("interface eth0", "interface eth0 eth1"), "k.conf");
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [{ path: "k.conf:2", message: "interface: takes 1 argument, got 2" }]);
  });
});
