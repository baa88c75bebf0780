/**
 * `make demo`: three nodes and a client on a bridge, three floatip agents
 * sharing 192.0.2.5. Shows the master, kills it (process and link), shows
 * the VIP move with the measured failover time, then a graceful handover,
 * and removes everything it made.
 */
import { createLab, type Lab, type LabHost } from "./netns.js";
import { AddressWatch, Scratch, holders, soleHolder, startAgent, stopSpeaker, type Speaker } from "./vrrp-lab.js";

const VIP = "192.0.2.5";
const ADVERT_MS = 100;
const PRIORITIES = [100, 150, 120];

const say = (text: string) => process.stdout.write(`${text}\n`);
const skew = (p: number) => ((256 - p) * ADVERT_MS) / 256;
const masterDown = (p: number) => 3 * ADVERT_MS + skew(p);

async function macOf(lab: Lab, host: LabHost): Promise<string> {
  const out = JSON.parse(await lab.exec(host.ns, ["ip", "-j", "link", "show", host.ifname])) as { address: string }[];
  return out[0]?.address ?? "?";
}

async function clientView(lab: Lab, macs: Map<string, string>): Promise<string> {
  const client = lab.client!;
  const ping = await lab.exec(client.ns, ["ping", "-c", "1", "-W", "1", VIP]).then(
    () => "replies",
    () => "no reply",
  );
  const neigh = JSON.parse(await lab.exec(client.ns, ["ip", "-j", "neigh", "show", VIP])) as { lladdr?: string }[];
  const mac = neigh[0]?.lladdr ?? "none";
  return `client ping ${VIP}: ${ping}; its ARP entry points at ${mac} (${macs.get(mac) ?? "unknown"})`;
}

async function main(): Promise<void> {
  say("floatip demo: three agents share 192.0.2.5 (VRRPv3, adverts every 100 ms)\n");
  const lab = await createLab({ nodes: 3 });
  const scratch = new Scratch();
  const watch = new AddressWatch(lab);
  const agents: Speaker[] = [];
  try {
    await watch.start(lab.nodes);
    const macs = new Map<string, string>();
    for (const host of lab.nodes) macs.set(await macOf(lab, host), host.name);
    lab.nodes.forEach((host, i) => {
      say(`  ${host.name}  ${host.ipv4.padEnd(12)}  priority ${PRIORITIES[i]}`);
      agents.push(
        startAgent({
          lab,
          host,
          scratch,
          config: {
            instances: [
              {
                name: "demo",
                interface: host.ifname,
                virtualRouterID: 51,
                priority: PRIORITIES[i],
                advertisementInterval: `${ADVERT_MS}ms`,
                addresses: [`${VIP}/24`],
                garp: { repeat: 2, delay: 0 },
              },
            ],
          },
        }),
      );
    });
    const master = await soleHolder(lab, VIP, 10_000);
    say(`\nelected: ${master} is master and holds ${VIP} (ip addr on each node: ${JSON.stringify(await holders(lab, VIP))})`);
    say(`  ${await clientView(lab, macs)}`);

    const index = lab.nodes.findIndex((h) => h.name === master);
    const victim = lab.nodes[index]!;
    say(`\nkilling ${master}: agent SIGKILL and its link cut (a node lost)`);
    const cut = Date.now();
    await Promise.all([stopSpeaker(lab, agents[index]!, "SIGKILL"), lab.setPortDown(victim)]);
    const next = await lab.waitFor(
      () => lab.nodes.map((h) => watch.first(VIP, true, cut, h.name)).find((e) => e !== undefined && e.host !== master),
      10_000,
      "the VIP on another node",
    );
    const nextPriority = PRIORITIES[lab.nodes.findIndex((h) => h.name === next.host)]!;
    say(
      `  ${next.host} took ${VIP} after ${(next.at - cut).toFixed(1)} ms (Master_Down_Interval for priority ${nextPriority}: ${masterDown(nextPriority).toFixed(1)} ms)`,
    );
    say(`  ${await clientView(lab, macs)}`);

    const nextIndex = lab.nodes.findIndex((h) => h.name === next.host);
    say(`\ngraceful stop of ${next.host} (SIGTERM): it sends priority 0 and releases the VIP`);
    const sent = Date.now();
    await stopSpeaker(lab, agents[nextIndex]!, "SIGTERM");
    const last = await lab.waitFor(
      () =>
        lab.nodes
          .map((h) => watch.first(VIP, true, sent, h.name))
          .find((e) => e !== undefined && e.host !== next.host && e.host !== master),
      10_000,
      "the VIP on the last node",
    );
    const lastPriority = PRIORITIES[lab.nodes.findIndex((h) => h.name === last.host)]!;
    say(
      `  ${last.host} took ${VIP} ${(last.at - sent).toFixed(1)} ms after the signal (Skew_Time for priority ${lastPriority}: ${skew(lastPriority).toFixed(1)} ms)`,
    );
    say(`  ${await clientView(lab, macs)}`);
  } finally {
    await Promise.all(agents.map((a) => stopSpeaker(lab, a, "SIGTERM").catch(() => undefined)));
    await watch.stop();
    await lab.destroy();
    scratch.cleanup();
    say("\nlab removed.");
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
