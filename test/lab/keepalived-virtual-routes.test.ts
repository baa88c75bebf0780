/**
 * keepalived virtual_routes next to real keepalived 2.2.7, both roles: the
 * routes are in the routing table of the master only, and they move with
 * the master (agent from a keepalived.conf; keepalived with the same block).
 * (issue 16: "virtual_routes present only on the master".)
 */
import { describeMasterOnlyInterop } from "./master-only-interop.js";

const VIP = "192.0.2.55";

describeMasterOnlyInterop({
  feature: "virtual_routes",
  noun: "routes",
  vip: VIP,
  vrid: 62,
  blocks: (ifname) => `    virtual_routes {
        198.51.100.0/24 via 192.0.2.254
        src ${VIP} to 203.0.113.0/25 via 192.0.2.254 metric 7
        blackhole 203.0.113.128/25
        203.0.113.192/26 via 198.51.100.1 dev ${ifname} onlink
    }
`,
  read: async (lab, host) => {
    const text = await lab.exec(host.ns, ["ip", "-4", "route", "show"]);
    return text.split("\n").filter((l) => /198\.51\.100\.|203\.0\.113\./.test(l));
  },
  // As `ip route` prints them.
  expected: [
    /^198\.51\.100\.0\/24 via 192\.0\.2\.254 dev \S+/,
    /^203\.0\.113\.0\/25 via 192\.0\.2\.254 dev \S+ .*src 192\.0\.2\.55 metric 7/,
    /^blackhole 203\.0\.113\.128\/25/,
    // A gateway outside every subnet of the interface: only onlink lets the kernel take it.
    /^203\.0\.113\.192\/26 via 198\.51\.100\.1 dev \S+ .*onlink/,
  ],
});
