/**
 * Keywords found in keepalived.conf files in the field (issue 16): each is
 * translated, accepted with a warning naming its line and what floatip does
 * instead, or refused with the reason, never silently dropped.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseKeepalivedText } from "./parser.js";
import { translateKeepalived, type TranslateResult } from "./translate.js";

function translate(text: string): TranslateResult {
  const parsed = parseKeepalivedText(text, "k.conf");
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
  return translateKeepalived(parsed.blocks, "k.conf");
}

const instance = (body: string, vip = "192.0.2.5/24") =>
  `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    ${vip}\n  }\n${body}}\n`;

/** The warnings as "line keyword: message" for compact assertions. */
const warnings = (r: TranslateResult): string[] => r.warnings.map((w) => `${w.line} ${w.keyword}: ${w.message}`);

describe("keepalived field configs: virtual_ipaddress brd", () => {
  for (const option of ["brd", "broadcast"]) {
    it(`${option} is accepted with a warning naming the line; the address is kept`, () => {
      const r = translate(instance("", `192.0.2.5/24 ${option} 192.0.2.255 dev eth0`));
      assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
      assert.deepEqual((r.doc["instances"] as Record<string, unknown>[])[0]!["addresses"], [{ address: "192.0.2.5/24", device: "eth0" }]);
      assert.equal(r.warnings.length, 1);
      assert.match(
        warnings(r)[0]!,
        new RegExp(`^5 192.0.2.5/24: ignored "${option} 192.0.2.255": floatip adds the address without a broadcast address`),
      );
    });
  }
});

describe("keepalived field configs: global_defs", () => {
  const accepted: readonly [string, RegExp][] = [
    ["dynamic_interfaces", /follows an interface that is deleted and created again while it runs/],
    ["dynamic_interfaces allow_if_changes", /must exist when floatip starts/],
    ["process_name keepalived-lb", /a label of this keepalived process/],
    ["bfd_rt_priority 10", /process scheduling of keepalived/],
    ["vrrp_netlink_monitor_rcv_bufs 1048576", /netlink buffers itself/],
    ["log_unknown_vrids", /--log-level/],
    ["umask 022", /UMask=/],
    ["config_save_dir /var/tmp/k", /writes none of them/],
    ["include_check", /a file it cannot read is an error/],
    ["reload_check_config", /rejected whole/],
    ["random_seed 42", /_RANDOM/],
    ["disable_local_igmp", /igmp_link_local_mcast_reports/],
    ["lvs_flush_on_stop", /LVS is keepalived's load balancer/],
    ["enable_script_security", /does not check script file modes/],
  ];
  for (const [line, message] of accepted) {
    it(`accepts "${line}" with a warning`, () => {
      const r = translate(`global_defs {\n  ${line}\n}\n${instance("")}`);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
      assert.equal(r.warnings.length, 1);
      assert.equal(r.warnings[0]!.line, 2);
      assert.match(r.warnings[0]!.message, message);
    });
  }
  const refused: readonly [string, RegExp][] = [
    ["vrrp_notify_priority_changes", /not supported yet/],
    ["vrrp_down_timer_adverts 5", /Master_Down_Interval/],
    ["reload_time_file /run/k/reload", /SIGHUP/],
    ["reload_file /run/k/reloading", /logs each reload's outcome/],
    ["startup_script_timeout 10", /service manager/],
  ];
  for (const [line, message] of refused) {
    it(`refuses "${line}" with the reason`, () => {
      const r = translate(`global_defs {\n  ${line}\n}\n${instance("")}`);
      assert.ok(!r.ok);
      assert.equal(r.errors.length, 1);
      assert.equal(r.errors[0]!.line, 2);
      assert.match(r.errors[0]!.message, /keepalived feature not supported by floatip \(in global_defs\)/);
      assert.match(r.errors[0]!.message, message);
    });
  }
});

describe("keepalived field configs: script_user and notify commands", () => {
  it("runs notify commands as script_user too, as keepalived does (notify.user)", () => {
    const r = translate(
      `global_defs {\n  script_user keepalived_script\n}\n${instance('  notify_master "/etc/keepalived/notify.sh master"\n')}`,
    );
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.deepEqual(warnings(r), []);
    assert.deepEqual((r.doc["instances"] as Record<string, unknown>[])[0]!["notify"], {
      master: "/etc/keepalived/notify.sh master",
      user: "keepalived_script",
    });
  });
  it("says nothing without notify commands", () => {
    const r = translate(`global_defs {\n  script_user keepalived_script\n}\n${instance("")}`);
    assert.deepEqual(warnings(r), []);
  });
});

describe("keepalived field configs: track_interface naming the instance's own interface", () => {
  it("drops the entry with a warning, as keepalived 2.2.7 does (its own interface is tracked anyway)", () => {
    const r = translate(instance("  track_interface {\n    eth0 weight -50\n    eth1 weight -50\n  }\n"));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.deepEqual((r.doc["instances"] as Record<string, unknown>[])[0]!["track"], { interfaces: [{ name: "eth1", weight: -50 }] });
    assert.deepEqual(warnings(r), [
      "8 eth0: ignored: eth0 is the instance's own interface, which it tracks anyway (down: FAULT); keepalived ignores this entry too",
    ]);
  });
  it("leaves no empty track list behind", () => {
    const r = translate(instance("  track_interface eth0\n"));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.equal((r.doc["instances"] as Record<string, unknown>[])[0]!["track"], undefined);
    assert.equal(r.warnings.length, 1);
  });
});
