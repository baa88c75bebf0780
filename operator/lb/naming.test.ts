import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { vipName } from "./naming.js";
import { DNS_SUBDOMAIN } from "../api/limits.js";

describe("names of owned VirtualIPs", () => {
  const cases: [string, string][] = [
    ["192.0.2.10", "lb-192-0-2-10"],
    ["2001:db8::10", "lb-2001-db8--10"],
    ["2001:db8::", "lb-2001-db8--0"],
    ["::1", "lb---1"],
  ];
  for (const [address, name] of cases) {
    it(`${address} → ${name}, a valid object name`, () => {
      assert.equal(vipName(address), name);
      assert.match(name, DNS_SUBDOMAIN);
    });
  }
});
