/**
 * keepalived virtual_rules next to real keepalived 2.2.7, both roles: the
 * policy rules (installed through rtnetlink RTM_NEWRULE / RTM_DELRULE) are
 * in the rule list of the master only, and move with the master (agent from
 * a keepalived.conf; keepalived with the same blocks).
 */
import { describeMasterOnlyInterop } from "./master-only-interop.js";

const VIP = "192.0.2.55";

describeMasterOnlyInterop({
  feature: "virtual_rules",
  noun: "rules",
  vip: VIP,
  vrid: 63,
  // The rules name the interface; every lab node's interface has its own name.
  blocks: (ifname) => `    virtual_routes {
        default via 192.0.2.254 table 100
    }
    virtual_rules {
        from ${VIP} table 100 priority 1000
        to 198.51.100.0/24 table 100 preference 1001
        from all iif ${ifname} fwmark 0x10/0xff table 100 priority 1002
    }
`,
  read: async (lab, host) => {
    const text = await lab.exec(host.ns, ["ip", "-4", "rule", "show"]);
    return text.split("\n").filter((l) => /lookup 100\b/.test(l));
  },
  // As `ip rule` prints them.
  expected: [
    /^1000:\s+from 192\.0\.2\.55 lookup 100\b/,
    /^1001:\s+from all to 198\.51\.100\.0\/24 lookup 100\b/,
    /^1002:\s+from all fwmark 0x10\/0xff iif \S+ lookup 100\b/,
  ],
});
