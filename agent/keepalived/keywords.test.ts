/**
 * Issue 16's keywords, one small fixture each: what real keepalived.conf
 * files carry beyond the basics. Accepted ones translate (or change nothing)
 * with a warning naming the line; refused ones are errors that say why.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseKeepalivedConfig, type KeepalivedLoadResult } from "./load.js";
import { parseKeepalivedText } from "./parser.js";
import { translateKeepalived, translatedKeywords } from "./translate.js";
import { INSTANCE_KEYWORDS } from "./translate-instance.js";
import { GLOBAL_IGNORED, GLOBAL_UNSUPPORTED, INSTANCE_IGNORED, INSTANCE_UNSUPPORTED, ROOT_UNSUPPORTED } from "./keywords.js";
import type { InstanceConfig } from "../config/types.js";

const VIP = "  virtual_ipaddress {\n    192.0.2.5/24\n  }\n";
/** An instance whose body lines start at line 6 (after `pre`, if any, which shifts them). */
const instance = (body: string, vip = VIP) => `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${vip}${body}}\n`;

function load(text: string, lvs?: "skip" | "refuse"): KeepalivedLoadResult {
  return parseKeepalivedConfig(text, "k.conf", undefined, lvs !== undefined ? { lvs } : {});
}

function valid(text: string, lvs?: "skip" | "refuse"): { instance: InstanceConfig; warnings: string[] } {
  const result = load(text, lvs);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return { instance: result.config.instances[0]!, warnings: result.warnings.map((w) => `${w.path}: ${w.message}`) };
}

function invalid(text: string): string[] {
  const result = load(text);
  assert.ok(!result.ok, "expected errors");
  return result.errors.map((e) => `${e.path}: ${e.message}`);
}

const plain = valid(instance("")).instance;

describe("keepalived keywords accepted with a warning (issue 16 item 1)", () => {
  it("notification_email block and the other mail settings", () => {
    const text = `global_defs {
  notification_email {
    ops@example.org
  }
  notification_email_from lb@example.org
  smtp_server 192.0.2.25
  smtp_connect_timeout 30
  router_id LB_A
}
${instance("  smtp_alert\n")}`;
    const { instance: got, warnings } = valid(text);
    assert.deepEqual(got, plain);
    const mail = "ignored: floatip sends no e-mail; run a notify script (notify, notify_master ...) to alert on transitions";
    assert.deepEqual(warnings, [
      `k.conf:2: notification_email: ${mail}`,
      `k.conf:5: notification_email_from: ${mail}`,
      `k.conf:6: smtp_server: ${mail}`,
      `k.conf:7: smtp_connect_timeout: ${mail}`,
      "k.conf:8: router_id: ignored: a label of this keepalived process; floatip has no use for it",
      `k.conf:16: smtp_alert: ${mail}`,
    ]);
  });

  for (const [keyword, why] of Object.entries(GLOBAL_IGNORED)) {
    it(`global_defs ${keyword}`, () => {
      const { instance: got, warnings } = valid(`global_defs {\n  ${keyword} x\n}\n${instance("")}`);
      assert.deepEqual(got, plain);
      assert.deepEqual(warnings, [`k.conf:2: ${keyword}: ignored: ${why}`]);
    });
  }
  for (const [keyword, why] of Object.entries(INSTANCE_IGNORED)) {
    it(`vrrp_instance ${keyword}`, () => {
      const { instance: got, warnings } = valid(instance(`  ${keyword}\n`));
      assert.deepEqual(got, plain);
      assert.deepEqual(warnings, [`k.conf:7: ${keyword}: ignored: ${why}`]);
    });
  }

  it("higher_prio_send_advert and debug say what floatip does instead", () => {
    const { warnings } = valid(instance("  higher_prio_send_advert\n  debug 2\n"));
    assert.match(warnings[0]!, /^k.conf:7: higher_prio_send_advert: ignored: floatip always does this/);
    assert.match(warnings[1]!, /^k.conf:8: debug: ignored: floatip's log detail is set with floatip agent --log-level$/);
  });
});

describe("keepalived tolerance floatip matches (issue 16 item 2)", () => {
  it("auth_pass longer than 8 bytes: the 8 bytes keepalived sends, shown in the warning", () => {
    const { instance: got, warnings } = valid(instance("  authentication {\n    auth_type PASS\n    auth_pass 0123456789\n  }\n"));
    assert.deepEqual(got.authentication, { type: "pass", password: "01234567" });
    // The agent logs its warnings: the password stays out of them (floatip convert shows it).
    assert.deepEqual(warnings, [
      "k.conf:9: auth_pass: is longer than 8 bytes; keepalived sends only the first 8 and floatip uses the same 8 (so both interoperate); floatip convert shows them",
    ]);
    const shown = parseKeepalivedConfig(
      instance("  authentication {\n    auth_type PASS\n    auth_pass 0123456789\n  }\n"),
      "k.conf",
      undefined,
      { showSecrets: true },
    );
    assert.deepEqual(
      shown.warnings.map((w) => w.message),
      [
        'auth_pass: is longer than 8 bytes; keepalived sends only the first 8, "01234567", and floatip uses the same 8 (so both interoperate)',
      ],
    );
  });

  it("auth_pass of exactly 8 bytes: no warning", () => {
    const { instance: got, warnings } = valid(instance("  authentication {\n    auth_type PASS\n    auth_pass 01234567\n  }\n"));
    assert.equal(got.authentication?.password, "01234567");
    assert.deepEqual(warnings, []);
  });

  it("state SLAVE reads as BACKUP", () => {
    const { instance: got, warnings } = valid(instance("  state SLAVE\n  priority 90\n"));
    assert.equal(got.initialState, "backup");
    assert.deepEqual(warnings, ["k.conf:7: state: SLAVE is read as BACKUP, as keepalived does"]);
  });

  it("one-line track_interface, also with a weight and repeated", () => {
    const { instance: got, warnings } = valid(instance("  track_interface eth1\n  track_interface eth2 weight -20\n"));
    assert.deepEqual(got.track.interfaces, [{ name: "eth1" }, { name: "eth2", weight: -20 }]);
    assert.deepEqual(warnings, []);
  });

  it("a VIP listed twice: added once, with a warning", () => {
    const { instance: got, warnings } = valid(
      instance("", "  virtual_ipaddress {\n    192.0.2.5/24\n    192.0.2.6/24\n    192.0.2.5/24\n  }\n"),
    );
    assert.deepEqual(
      got.addresses.map((a) => a.address),
      ["192.0.2.5", "192.0.2.6"],
    );
    assert.deepEqual(warnings, [
      "k.conf:7: 192.0.2.5/24: 192.0.2.5/24 is listed twice (first at k.conf:5); floatip adds it once, as keepalived does",
    ]);
  });

  it("a VIP listed twice with different settings is an error", () => {
    assert.deepEqual(invalid(instance("", "  virtual_ipaddress {\n    192.0.2.5/24\n    192.0.2.5/25 dev eth1\n  }\n")), [
      "k.conf:6: 192.0.2.5/25: 192.0.2.5 is listed twice with different settings (first at k.conf:5); keep one of them",
    ]);
  });
});

describe("keepalived LVS sections (issue 16 item 4)", () => {
  const text = `${instance("")}virtual_server_group web {
  192.0.2.5 80
}
virtual_server 192.0.2.5 80 {
  delay_loop 6
  real_server 198.51.100.10 80 {
    TCP_CHECK {
      connect_timeout 3
    }
  }
}
virtual_server group web {
  lb_algo rr
}
`;
  it("skip: the VRRP part converts, each skipped block is named", () => {
    const { instance: got, warnings } = valid(text, "skip");
    assert.deepEqual(got, plain);
    const why = "LVS is keepalived's load balancer, not part of floatip; only the VRRP part is converted";
    assert.deepEqual(warnings, [
      `k.conf:8: virtual_server_group: skipped virtual_server_group web: ${why}`,
      `k.conf:11: virtual_server: skipped virtual_server 192.0.2.5 80: ${why}`,
      `k.conf:19: virtual_server: skipped virtual_server group web: ${why}`,
    ]);
  });

  it("refuse (agent without --skip-lvs): every LVS block is an error", () => {
    const errors = invalid(text);
    assert.deepEqual(
      errors.map((e) => e.split(": ")[0]),
      ["k.conf:8", "k.conf:11", "k.conf:19"],
    );
    assert.match(
      errors[1]!,
      /virtual_server: LVS \(keepalived's load balancer\) is not part of floatip; run the VRRP part alone with floatip agent --skip-lvs, or remove virtual_server 192.0.2.5 80$/,
    );
  });
});

describe("keepalived VRRP knobs (issue 16 item 3)", () => {
  it("mcast_src_ip sets the multicast adverts' source address", () => {
    const { instance: got, warnings } = valid(instance("  mcast_src_ip 192.0.2.11\n"));
    assert.equal(got.source, "192.0.2.11");
    assert.equal(got.unicast, undefined);
    assert.deepEqual(warnings, []);
  });

  it("mcast_src_ip with unicast_peer is the unicast source, as in keepalived", () => {
    const { instance: got } = valid(instance("  mcast_src_ip 192.0.2.11\n  unicast_peer {\n    192.0.2.12\n  }\n"));
    assert.deepEqual(got.unicast, { source: "192.0.2.11", peers: ["192.0.2.12"] });
    assert.equal(got.source, undefined);
  });

  it("unicast_src_ip without unicast_peer sets the source of multicast adverts", () => {
    const { instance: got } = valid(instance("  unicast_src_ip 192.0.2.11\n"));
    assert.equal(got.source, "192.0.2.11");
  });

  it("mcast_src_ip of the wrong family names the line", () => {
    assert.deepEqual(invalid(instance("  mcast_src_ip 2001:db8::1\n")), [
      "k.conf:7: mcast_src_ip: must be IPv4 like the instance's addresses",
    ]);
  });

  it("accept is floatip's behaviour: no warning; no_accept: a warning", () => {
    assert.deepEqual(valid(instance("  accept\n")).warnings, []);
    assert.match(
      valid(instance("  no_accept\n")).warnings[0]!,
      /^k.conf:7: no_accept: ignored: floatip never adds firewall rules and never filters traffic to the virtual addresses/,
    );
  });

  it("vrrp_skip_check_adv_addr: accepted with a warning", () => {
    const { instance: got, warnings } = valid(`global_defs {\n  vrrp_skip_check_adv_addr\n}\n${instance("")}`);
    assert.deepEqual(got, plain);
    assert.match(warnings[0]!, /^k.conf:2: vrrp_skip_check_adv_addr: ignored: floatip skips every check for a repeat of the last advert/);
  });

  it("vrrp_garp_interval applies to IPv4 instances, vrrp_gna_interval to IPv6 ones", () => {
    const globals = "global_defs {\n  vrrp_garp_interval 0.01\n  vrrp_gna_interval 0.02\n}\n";
    const v4 = valid(`${globals}${instance("")}`).instance;
    assert.equal(v4.garp.intervalMs, 10);
    const v6 = valid(`${globals}${instance("", "  virtual_ipaddress {\n    2001:db8::5/64\n  }\n")}`).instance;
    assert.equal(v6.garp.intervalMs, 20);
  });

  it("unicast_ttl: accepted, floatip sends 255", () => {
    const { warnings } = valid(instance("  unicast_ttl 10\n  unicast_peer {\n    192.0.2.12\n  }\n"));
    assert.match(warnings[0]!, /^k.conf:7: unicast_ttl: ignored: floatip always sends TTL 255/);
  });

  it("vrrp_strict: accepted with a warning; the unicast peers and authentication it forbids are errors", () => {
    const strict = "global_defs {\n  vrrp_strict\n}\n";
    assert.deepEqual(valid(`${strict}${instance("")}`).warnings, [
      "k.conf:2: vrrp_strict: floatip checks what strict mode forbids in the config (unicast_peer, authentication) and adds no firewall rule: a master accepts traffic to its virtual addresses",
    ]);
    assert.deepEqual(
      invalid(
        `${strict}${instance("  unicast_peer {\n    192.0.2.12\n  }\n  authentication {\n    auth_type PASS\n    auth_pass x\n  }\n")}`,
      ),
      [
        "k.conf:10: unicast_peer: vrrp_strict at k.conf:2 forbids unicast peers (keepalived drops them); remove one of them",
        "k.conf:13: authentication: vrrp_strict at k.conf:2 forbids authentication (keepalived drops it); remove one of them",
      ],
    );
    assert.deepEqual(invalid(instance("  strict_mode on\n  unicast_peer {\n    192.0.2.12\n  }\n")), [
      "k.conf:8: unicast_peer: strict_mode at k.conf:7 forbids unicast peers (keepalived drops them); remove one of them",
    ]);
    assert.equal(valid(instance("  strict_mode off\n  unicast_peer {\n    192.0.2.12\n  }\n")).instance.unicast?.peers[0], "192.0.2.12");
  });
});

describe("keepalived keywords floatip refuses, each with its reason (issue 16 item 3)", () => {
  const where: readonly [string, Readonly<Record<string, string>>, (k: string) => string, string][] = [
    ["top level", ROOT_UNSUPPORTED, (k) => `${k} x {\n}\n${instance("")}`, "k.conf:1"],
    ["global_defs", GLOBAL_UNSUPPORTED, (k) => `global_defs {\n  ${k} x\n}\n${instance("")}`, "k.conf:2"],
    ["vrrp_instance", INSTANCE_UNSUPPORTED, (k) => instance(`  ${k}\n`), "k.conf:7"],
  ];
  for (const [block, table, fixture, at] of where) {
    for (const [keyword, why] of Object.entries(table)) {
      it(`${block}: ${keyword}`, () => {
        const errors = invalid(fixture(keyword));
        assert.equal(errors.length, 1, JSON.stringify(errors));
        assert.match(errors[0]!, new RegExp(`^${at}: ${keyword}: keepalived feature not supported by floatip \\(in [^)]+\\): `));
        assert.ok(errors[0]!.endsWith(why), errors[0]);
      });
    }
  }

  it("the issue's list is covered (refused with a reason, or translated)", () => {
    const translated = [...Object.values(translatedKeywords()).flat(), ...INSTANCE_KEYWORDS];
    const all = {
      ...ROOT_UNSUPPORTED,
      ...GLOBAL_UNSUPPORTED,
      ...INSTANCE_UNSUPPORTED,
      ...Object.fromEntries(translated.map((k) => [k, "translated"])),
    };
    for (const k of [
      "vrrp_sync_group",
      "virtual_routes",
      "static_routes",
      "static_ipaddress",
      "virtual_rules",
      "use_vmac",
      "track_process",
      "track_bfd",
      "vmac_xmit_base",
      "native_ipv6",
      "virtual_ipaddress_excluded",
      "notify_fifo",
      "vrrp_mcast_group4",
      "vrrp_mcast_group6",
      "vrrp_startup_delay",
      "dont_track_primary",
    ]) {
      assert.ok(Object.hasOwn(all, k), k);
    }
  });

  it("translation keeps going after a refused keyword (the doc still holds the rest)", () => {
    const parsed = parseKeepalivedText(instance("  use_ipvlan\n  priority 90\n"), "k.conf");
    assert.ok(parsed.ok);
    const translated = translateKeepalived(parsed.blocks, "k.conf");
    assert.ok(!translated.ok);
    assert.equal((translated.doc["instances"] as Record<string, unknown>[])[0]!["priority"], 90);
  });
});
