/**
 * keepalived's mcast_src_ip, run by the agent from a keepalived.conf next to
 * real keepalived: the agent's multicast adverts leave from that address
 * (not the interface's primary one), and keepalived, hearing them, stays
 * backup while the agent holds the VIP. (issue 16: the source address
 * changes what is on the wire, so it is checked on the wire.)
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { holders, keepalivedConf, startKeepalived, startAgent } from "./vrrp-lab.js";
import { useLab } from "./lab-fixture.js";

const VIP = "203.0.113.5";
const SOURCE = "198.51.100.22";
const VRID = 61;

describe("keepalived mcast_src_ip on the wire", { timeout: 60_000 }, () => {
  const fx = useLab({ nodes: 2, client: false, stopSignal: "SIGKILL" });

  it("the agent's adverts leave from mcast_src_ip and keepalived accepts them", async () => {
    const [n1, n2] = [fx.lab.nodes[0]!, fx.lab.nodes[1]!];
    // The source must be an address of the host (as for keepalived): a second one on the interface.
    await fx.lab.exec(n2.ns, ["ip", "addr", "add", `${SOURCE}/32`, "dev", n2.ifname]);
    const peer = startKeepalived({
      lab: fx.lab,
      host: n1,
      scratch: fx.scratch,
      conf: keepalivedConf({ ifname: n1.ifname, vrid: VRID, priority: 98, version: 2, advertInt: "1", vips: [VIP] }),
    });
    fx.running.push(peer);
    const conf = `vrrp_instance VI_1 {
  interface ${n2.ifname}
  virtual_router_id ${VRID}
  priority 100
  advert_int 1
  mcast_src_ip ${SOURCE}
  virtual_ipaddress {
    ${VIP}
  }
}
`;
    const agent = startAgent({ lab: fx.lab, host: n2, scratch: fx.scratch, config: conf });
    fx.running.push(agent);
    const diag = () => `agent log:\n${agent.output().slice(-3000)}\nkeepalived:\n${peer.output().slice(-2000)}`;

    await fx.lab
      .waitFor(async () => (await holders(fx.lab, VIP)).join() === "n2", 10_000, "agent master")
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    // Three adverts seen from n1's side of the segment.
    const dump = await fx.lab.exec(n1.ns, ["sh", "-c", `timeout 8 tcpdump -i ${n1.ifname} -n -l -c 3 'ip proto 112' 2>/dev/null; true`]);
    const adverts = dump.split("\n").filter((l) => l.includes("VRRP"));
    assert.equal(adverts.length, 3, dump);
    for (const line of adverts)
      assert.match(
        line,
        new RegExp(`IP ${SOURCE.replace(/\./g, "\\.")} > 224\\.0\\.0\\.18: VRRPv2, Advertisement, vrid ${VRID}, prio 100`),
        dump,
      );
    // keepalived took them as the master's: it never claimed the VIP.
    assert.deepEqual(await holders(fx.lab, VIP), ["n2"], diag());
  });
});
