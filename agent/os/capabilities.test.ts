import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkCapabilities, missingCapabilitiesMessage, parseEffectiveCapabilities, readCapabilityCheck } from "./capabilities.js";

/** The lines of a real /proc/self/status around the capability sets. */
const status = (capEff: string) =>
  `Name:\tnode\nUmask:\t0022\nState:\tR (running)\nCapInh:\t0000000000000000\nCapPrm:\t${capEff}\nCapEff:\t${capEff}\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\n`;

describe("capability check", () => {
  const rows: readonly [string, string, readonly string[] | "ok"][] = [
    ["root (every capability)", "000001ffffffffff", "ok"],
    ["exactly CAP_NET_ADMIN and CAP_NET_RAW", "0000000000003000", "ok"],
    ["CAP_NET_ADMIN only", "0000000000001000", ["CAP_NET_RAW"]],
    ["CAP_NET_RAW only", "0000000000002000", ["CAP_NET_ADMIN"]],
    ["none", "0000000000000000", ["CAP_NET_ADMIN", "CAP_NET_RAW"]],
    ["root without CAP_NET_RAW (bounding set dropped)", "000001ffffffdfff", ["CAP_NET_RAW"]],
    ["everything but the two", "000001ffffffcfff", ["CAP_NET_ADMIN", "CAP_NET_RAW"]],
  ];
  for (const [name, mask, want] of rows) {
    it(name, () => {
      const check = checkCapabilities(status(mask));
      if (want === "ok") assert.deepEqual(check, { ok: true });
      else {
        assert.equal(check.ok, false);
        assert.deepEqual(check.ok === false && check.missing.map((c) => c.name), want);
      }
    });
  }

  it("a status without a readable CapEff is unknown, with the reason", () => {
    assert.deepEqual(checkCapabilities("Name:\tnode\n"), { ok: "unknown", reason: "no CapEff line in /proc/self/status" });
    assert.deepEqual(parseEffectiveCapabilities("CapEff:\tzz\n"), { ok: false, reason: 'CapEff is not a hexadecimal mask: "zz"' });
    assert.deepEqual(parseEffectiveCapabilities("CapEff:\t0000000000003000\n"), { ok: true, mask: 0x3000n });
  });

  it("the message names exactly what is missing and how to grant it", () => {
    const check = checkCapabilities(status("0000000000001000"));
    assert.ok(check.ok === false);
    const message = missingCapabilitiesMessage(check.missing);
    const first = message.split("\n")[0]!;
    assert.match(
      first,
      /^floatip agent: missing CAP_NET_RAW \(for the raw VRRP sockets and gratuitous ARP \/ neighbour advertisements\); nothing was changed\.$/,
    );
    assert.doesNotMatch(first, /CAP_NET_ADMIN/);
    assert.match(message, /AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW/);
    assert.match(message, /capabilities\.add: \[NET_ADMIN, NET_RAW\]/);
  });

  it("reads the edge through the injected reader; an unreadable file is unknown", async () => {
    assert.deepEqual(await readCapabilityCheck(async () => status("0000000000003000")), { ok: true });
    const failed = await readCapabilityCheck(async () => {
      throw new Error("ENOENT: no such file");
    });
    assert.deepEqual(failed, { ok: "unknown", reason: "cannot read /proc/self/status: ENOENT: no such file" });
  });

  it("this process (the test runs as root in CI) has both", async () => {
    const check = await readCapabilityCheck();
    if (process.getuid?.() === 0) assert.deepEqual(check, { ok: true });
    else assert.notEqual(check.ok, "unknown");
  });
});
