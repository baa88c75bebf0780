/**
 * The OS layer against the real kernel, in a namespace lab: AddressTable,
 * VRRP transports (IPv4/IPv6, multicast/unicast) and the Announcer.
 *
 * The agent's sockets must live in the node namespaces, so each node runs
 * this same file as a worker (FLOATIP_LAB_WORKER=os) that the tests drive
 * over IPC; see osWorker() at the bottom.
 */
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import type { ChildProcess } from "node:child_process";
import { createLab, serveWorker, type Lab, type LabHost, type LabWorker, type WorkerHandlers } from "./netns.js";
import type { Family, VirtualAddress } from "../../agent/config/types.js";
import type { LinkInfo, TransportOptions, VrrpTransport } from "../../agent/os/ports.js";
import { openAddressTable } from "../../agent/os/address-table.js";
import { openAnnouncer } from "../../agent/os/announcer.js";
import { createTransportFactory, installFarewellHandlers } from "../../agent/os/transport.js";
import type { Farewell } from "../../agent/os/ports.js";
import { internetChecksum } from "../../agent/vrrp/checksum.js";
import { parseAddress } from "../../agent/vrrp/address-bytes.js";

const WORKER_ENV = "FLOATIP_LAB_WORKER";
const GROUP = { 4: "224.0.0.18", 6: "ff02::12" } as const;

interface WirePacket {
  readonly transport: number;
  readonly handler: number;
  readonly family: Family;
  readonly payload: string; // hex
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
  readonly ifindex: number;
  readonly ageMs?: number;
}
interface OpenedTransport {
  readonly id: number;
  readonly sourceAddress: string;
  readonly ifindex: number;
}

if (process.env[WORKER_ENV] === "os") serveWorker(osWorker);
else defineTests();

function defineTests(): void {
  describe("OS layer in a namespace lab", { timeout: 120_000 }, () => {
    let lab: Lab;
    let n1: LabHost, n2: LabHost, client: LabHost;
    let w1: LabWorker, w2: LabWorker;
    const received: WirePacket[] = [];
    const sentBack: WirePacket[] = [];
    const errors: { transport: number; code?: string }[] = [];
    /** The packets with this payload a receiving transport delivered, once there are `count` of them. */
    const arrived = (transport: number, payload: string, count: number) => {
      const found = received.filter((p) => p.transport === transport && p.payload === payload);
      return found.length >= count ? found : undefined;
    };

    before(async () => {
      lab = await createLab({ nodes: 2 });
      [n1, n2] = lab.nodes as [LabHost, LabHost];
      client = lab.client!;
      const script = fileURLToPath(import.meta.url);
      w1 = await lab.startWorker(n1.ns, script, { [WORKER_ENV]: "os" });
      w2 = await lab.startWorker(n2.ns, script, { [WORKER_ENV]: "os" });
      w2.on("packet", (p) => received.push(p as WirePacket));
      w1.on("packet", (p) => sentBack.push(p as WirePacket));
      w1.on("transport-error", (e) => errors.push(e as { transport: number; code?: string }));
    });

    after(async () => {
      await w1?.stop();
      await w2?.stop();
      await lab?.destroy();
    });

    describe("AddressTable", () => {
      it("reports index, MAC and up/down of a link", async () => {
        const [ipLink] = JSON.parse(await lab.exec(n1.ns, ["ip", "-j", "link", "show", "dev", "eth0"])) as {
          ifindex: number;
          address: string;
        }[];
        const link = await w1.call<LinkInfo>("link", "eth0");
        assert.equal(link.name, "eth0");
        assert.equal(link.index, ipLink!.ifindex);
        assert.equal(link.mac, ipLink!.address);
        assert.equal(link.up, true);
        assert.ok(link.addresses.some((a) => a.address === n1.ipv4 && a.prefixLength === 24 && a.family === 4));
        assert.ok(link.addresses.some((a) => a.address === n1.ipv6 && a.prefixLength === 64 && a.family === 6));

        await lab.setLinkDown(n1);
        assert.equal((await w1.call<LinkInfo>("link", "eth0")).up, false, "IFF_UP cleared");
        await lab.setLinkUp(n1);
        await lab.waitFor(async () => (await w1.call<LinkInfo>("link", "eth0")).up, 5000, "n1 eth0 up again");

        await lab.setPortDown(n1);
        assert.equal((await w1.call<LinkInfo>("link", "eth0")).up, false, "no carrier");
        await lab.setPortUp(n1);
        await lab.waitFor(async () => (await w1.call<LinkInfo>("link", "eth0")).up, 5000, "n1 carrier back");
      });

      it("rejects an unknown interface with LinkNotFoundError", async () => {
        await assert.rejects(w1.call("link", "nosuch0"), { name: "LinkNotFoundError" });
      });

      it("adds and removes an IPv4 VIP with its prefix and label, idempotently", async () => {
        const vip: VirtualAddress = { address: "192.0.2.50", family: 4, prefixLength: 32, label: "eth0:vip" };
        await w1.call("add", "eth0", vip);
        await w1.call("add", "eth0", vip);
        const shown = (await lab.addresses(n1.ns, "eth0")).filter((a) => a.address === vip.address);
        assert.equal(shown.length, 1);
        assert.equal(shown[0]!.prefixLength, 32);
        assert.equal(shown[0]!.label, "eth0:vip");
        assert.ok((await w1.call<LinkInfo>("link", "eth0")).addresses.some((a) => a.address === vip.address));

        await w1.call("remove", "eth0", vip);
        await w1.call("remove", "eth0", vip);
        assert.ok(!(await lab.addresses(n1.ns, "eth0")).some((a) => a.address === vip.address));
      });

      it("adds an IPv4 VIP with a shorter prefix as a secondary of the subnet", async () => {
        const vip: VirtualAddress = { address: "192.0.2.51", family: 4, prefixLength: 24 };
        await w1.call("add", "eth0", vip);
        const shown = (await lab.addresses(n1.ns, "eth0")).find((a) => a.address === vip.address);
        assert.equal(shown?.prefixLength, 24);
        assert.ok(shown?.flags.includes("secondary"));
        await w1.call("remove", "eth0", vip);
        assert.ok(!(await lab.addresses(n1.ns, "eth0")).some((a) => a.address === vip.address));
        assert.ok(
          (await lab.addresses(n1.ns, "eth0")).some((a) => a.address === n1.ipv4),
          "primary untouched",
        );
      });

      it("adds and removes an IPv6 VIP with nodad, usable at once", async () => {
        const vip: VirtualAddress = { address: "2001:db8::50", family: 6, prefixLength: 128 };
        await w1.call("add", "eth0", vip);
        await w1.call("add", "eth0", vip);
        const shown = (await lab.addresses(n1.ns, "eth0")).filter((a) => a.address === vip.address);
        assert.equal(shown.length, 1);
        assert.equal(shown[0]!.prefixLength, 128);
        assert.ok(shown[0]!.flags.includes("nodad"));
        assert.ok(!shown[0]!.flags.includes("tentative"));
        await w1.call("remove", "eth0", vip);
        await w1.call("remove", "eth0", vip);
        assert.ok(!(await lab.addresses(n1.ns, "eth0")).some((a) => a.address === vip.address));
      });
    });

    describe("VRRP transports", () => {
      const cases: { family: Family; multicast: boolean; vrid: number }[] = [
        { family: 4, multicast: true, vrid: 41 },
        { family: 4, multicast: false, vrid: 42 },
        { family: 6, multicast: true, vrid: 61 },
        { family: 6, multicast: false, vrid: 62 },
      ];
      for (const c of cases) {
        const mode = c.multicast ? "multicast" : "unicast";
        it(`exchange a VRRP advert over IPv${c.family} ${mode} with TTL 255`, async () => {
          const options: TransportOptions = { interface: "eth0", family: c.family, multicast: c.multicast };
          const sender = await w1.call<OpenedTransport>("openTransport", options, 1);
          const receiver = await w2.call<OpenedTransport>("openTransport", options, 2);
          try {
            const link2 = await w2.call<LinkInfo>("link", "eth0");
            const expectedSource = c.family === 4 ? n1.ipv4 : linkLocal(await w1.call<LinkInfo>("link", "eth0"));
            assert.equal(sender.sourceAddress, expectedSource);
            assert.equal(receiver.ifindex, link2.index);

            const destination = c.multicast ? GROUP[c.family] : c.family === 4 ? n2.ipv4 : n2.ipv6;
            const payload = vrrpV3Advert(c.vrid, sender.sourceAddress, destination, [c.family === 4 ? "192.0.2.50" : "2001:db8::50"]);
            await w1.call("send", sender.id, payload.toString("hex"), destination);

            const got = await lab.waitFor(() => arrived(receiver.id, payload.toString("hex"), 2), 5000, "both handlers to see the advert");
            assert.deepEqual(got.map((p) => p.handler).sort(), [0, 1], "every handler of a shared transport sees it");
            const packet = got[0]!;
            assert.equal(packet.family, c.family);
            assert.equal(packet.ttl, 255);
            assert.equal(packet.source, sender.sourceAddress);
            assert.equal(packet.destination, destination);
            assert.equal(packet.ifindex, link2.index);
            // SO_TIMESTAMPNS: how long it waited in the socket before the handler ran (well under the 100 ms cap here).
            assert.ok(typeof packet.ageMs === "number" && packet.ageMs >= 0 && packet.ageMs < 100, `ageMs ${packet.ageMs}`);

            const groups = await multicastGroups(lab, n2);
            assert.equal(groups.includes(GROUP[c.family]), c.multicast, `${GROUP[c.family]} joined only in multicast mode`);
            await delay(200);
            assert.ok(!sentBack.some((p) => p.transport === sender.id), "own packets are not looped back");
          } finally {
            await w1.call("closeTransport", sender.id);
            await w2.call("closeTransport", receiver.id);
          }
        });
      }

      for (const family of [4, 6] as const) {
        it(`SIGTERM sends the armed farewell from the signal handler, once, and not a disarmed one (IPv${family})`, async () => {
          const script = fileURLToPath(import.meta.url);
          const w3 = await lab.startWorker(n1.ns, script, { [WORKER_ENV]: "os" });
          const options: TransportOptions = { interface: "eth0", family, multicast: true };
          const receiver = await w2.call<OpenedTransport>("openTransport", options, 1);
          try {
            const stopping = new Promise<boolean[]>((resolve) => w3.on("stopping", (sent) => resolve(sent as boolean[])));
            const sender = await w3.call<OpenedTransport>("openTransport", options, 0);
            const armed = vrrpV3Advert(80 + family, sender.sourceAddress, GROUP[family], [family === 4 ? "192.0.2.51" : "2001:db8::51"], 0);
            const dropped = vrrpV3Advert(
              90 + family,
              sender.sourceAddress,
              GROUP[family],
              [family === 4 ? "192.0.2.52" : "2001:db8::52"],
              0,
            );
            const kept = await w3.call<number>("armFarewell", sender.id, armed.toString("hex"), GROUP[family]);
            const gone = await w3.call<number>("armFarewell", sender.id, dropped.toString("hex"), GROUP[family]);
            await w3.call("disarmFarewell", gone);
            await w3.call("listenForStop", [kept, gone]);
            await lab.kill(w3.child, "SIGTERM");
            // The JS listener still ran after the native handler, and saw what it had sent.
            assert.deepEqual(await stopping, [true, false]);
            const [packet] = await lab.waitFor(() => arrived(receiver.id, armed.toString("hex"), 1), 5000, "the farewell");
            assert.equal(packet!.source, sender.sourceAddress);
            assert.equal(packet!.ttl, 255);
            await delay(200);
            assert.equal(arrived(receiver.id, armed.toString("hex"), 2), undefined, "sent once");
            assert.equal(arrived(receiver.id, dropped.toString("hex"), 1), undefined, "the disarmed one stays unsent");
          } finally {
            await lab.kill(w3.child, "SIGKILL");
            await w2.call("closeTransport", receiver.id);
          }
        });
      }

      it("readWaiting delivers the packets queued while the loop was busy, before it returns", async () => {
        const options: TransportOptions = { interface: "eth0", family: 4, multicast: true };
        const sender = await w1.call<OpenedTransport>("openTransport", options, 0);
        const receiver = await w2.call<OpenedTransport>("openTransport", options, 1);
        try {
          const payload = vrrpV3Advert(44, sender.sourceAddress, GROUP[4], ["192.0.2.53"]);
          const busy = w2.call<number>("busyThenReadWaiting", receiver.id, 600);
          await delay(200);
          await w1.call("send", sender.id, payload.toString("hex"), GROUP[4]);
          assert.equal(await busy, 1, "the advert sent during the busy spell came out of readWaiting");
        } finally {
          await w1.call("closeTransport", sender.id);
          await w2.call("closeTransport", receiver.id);
        }
      });

      it("readWaiting delivers a burst larger than one receive batch, every advert once and in order", async () => {
        const options: TransportOptions = { interface: "eth0", family: 4, multicast: true };
        const sender = await w1.call<OpenedTransport>("openTransport", options, 0);
        const receiver = await w2.call<OpenedTransport>("openTransport", options, 1);
        try {
          const vrids = Array.from({ length: 21 }, (_, i) => 100 + i); // the addon reads 8 per system call
          const busy = w2.call<number[]>("busyThenReadWaitingVrids", receiver.id, 1500);
          await delay(200);
          for (const vrid of vrids)
            await w1.call("send", sender.id, vrrpV3Advert(vrid, sender.sourceAddress, GROUP[4], ["192.0.2.53"]).toString("hex"), GROUP[4]);
          assert.deepEqual(await busy, vrids);
        } finally {
          await w1.call("closeTransport", sender.id);
          await w2.call("closeTransport", receiver.id);
        }
      });

      for (const family of [4, 6] as const) {
        it(`with a read delay, a burst is delivered whole and in order after the rest, a packet after a quiet spell at once (IPv${family})`, async () => {
          const options: TransportOptions = { interface: "eth0", family, multicast: true };
          const sender = await w1.call<OpenedTransport>("openTransport", options, 0);
          const receiver = await w2.call<OpenedTransport>("openTransport", options, 1);
          const advert = (vrid: number) =>
            vrrpV3Advert(vrid, sender.sourceAddress, GROUP[family], [family === 4 ? "192.0.2.54" : "2001:db8::54"]);
          try {
            await w2.call("setReadDelay", receiver.id, 80_000); // 80 ms: long enough to see in the packets' age
            const vrids = Array.from({ length: 12 }, (_, i) => 130 + i);
            for (const vrid of vrids) await w1.call("send", sender.id, advert(vrid).toString("hex"), GROUP[family]);
            const burst = await lab.waitFor(
              () => {
                const got = received.filter(
                  (p) => p.transport === receiver.id && vrids.includes(Number.parseInt(p.payload.slice(2, 4), 16)),
                );
                return got.length >= vrids.length ? got : undefined;
              },
              5000,
              "the whole burst",
            );
            assert.deepEqual(
              burst.map((p) => Number.parseInt(p.payload.slice(2, 4), 16)),
              vrids,
              "every advert once, in order",
            );
            assert.ok(burst[0]!.ageMs! < 40, `the first was read at once (age ${burst[0]!.ageMs} ms)`);
            const waited = Math.max(...burst.slice(1).map((p) => p.ageMs ?? 0));
            assert.ok(waited >= 20, `the rest of the burst waited for the rest to end (age up to ${waited} ms)`);
            await delay(400); // a rest that finds nothing hands the socket back to its poll
            const lone = advert(150).toString("hex");
            await w1.call("send", sender.id, lone, GROUP[family]);
            const [after] = await lab.waitFor(() => arrived(receiver.id, lone, 1), 5000, "the packet after a quiet spell");
            assert.ok(after!.ageMs! < 40, `read at once (age ${after!.ageMs} ms)`);
          } finally {
            await w1.call("closeTransport", sender.id);
            await w2.call("closeTransport", receiver.id);
          }
        });
      }

      it("sends from a configured IPv6 source address", async () => {
        const options: TransportOptions = { interface: "eth0", family: 6, multicast: true, source: n1.ipv6 };
        const sender = await w1.call<OpenedTransport>("openTransport", options, 1);
        const receiver = await w2.call<OpenedTransport>("openTransport", { ...options, source: undefined }, 1);
        try {
          assert.equal(sender.sourceAddress, n1.ipv6);
          const payload = vrrpV3Advert(63, n1.ipv6, GROUP[6], ["2001:db8::50"]);
          await w1.call("send", sender.id, payload.toString("hex"), GROUP[6]);
          const [packet] = await lab.waitFor(() => arrived(receiver.id, payload.toString("hex"), 1), 5000, "the advert");
          assert.equal(packet!.source, n1.ipv6);
        } finally {
          await w1.call("closeTransport", sender.id);
          await w2.call("closeTransport", receiver.id);
        }
      });

      for (const c of [
        { family: 4 as Family, mode: "unicast", destination: () => n2.ipv4 },
        { family: 4 as Family, mode: "multicast", destination: () => GROUP[4] },
        { family: 6 as Family, mode: "unicast", destination: () => n2.ipv6 },
        { family: 6 as Family, mode: "multicast", destination: () => GROUP[6] },
      ]) {
        it(`reports the TTL a packet arrived with (IPv${c.family} ${c.mode}, plain raw socket, TTL 64)`, async () => {
          const receiver = await w2.call<OpenedTransport>("openTransport", { interface: "eth0", family: c.family, multicast: true }, 1);
          try {
            const payload = vrrpV3Advert(70 + c.family, "::", "::", []).toString("hex");
            await w1.call("rawSend", c.family, c.destination(), payload, 64);
            const [packet] = await lab.waitFor(() => arrived(receiver.id, payload, 1), 5000, "the TTL-64 packet");
            assert.equal(packet!.ttl, 64);
            assert.equal(packet!.destination, c.destination());
          } finally {
            await w2.call("closeTransport", receiver.id);
          }
        });
      }

      it("passes send errors to onError instead of throwing", async () => {
        const t4 = await w1.call<OpenedTransport>("openTransport", { interface: "eth0", family: 4, multicast: false }, 1);
        const t6 = await w1.call<OpenedTransport>("openTransport", { interface: "eth0", family: 6, multicast: false }, 1);
        await lab.setLinkDown(n1);
        try {
          await w1.call("send", t4.id, "00", n2.ipv4);
          await w1.call("send", t6.id, "00", n2.ipv6);
          await lab.waitFor(() => errors.some((e) => e.transport === t4.id) && errors.some((e) => e.transport === t6.id), 5000, "errors");
          // Both find no route once the link is down (ENETUNREACH). IPv6 used to refuse the source on a down link
          // (EINVAL); the VRRP socket has IPV6_FREEBIND now (a deleted link-local still sends the priority-0 advert).
          assert.equal(errors.find((e) => e.transport === t4.id)?.code, "ENETUNREACH");
          assert.equal(errors.find((e) => e.transport === t6.id)?.code, "ENETUNREACH");
        } finally {
          await lab.setLinkUp(n1);
          await w1.call("closeTransport", t4.id);
          await w1.call("closeTransport", t6.id);
        }
      });
    });

    describe("Announcer", () => {
      const FAKE_MAC = "02:00:5e:00:99:99";
      for (const family of [4, 6] as Family[]) {
        const vip: VirtualAddress =
          family === 4 ? { address: "192.0.2.60", family, prefixLength: 32 } : { address: "2001:db8::60", family, prefixLength: 128 };
        const kind = family === 4 ? "a gratuitous ARP" : "an unsolicited NA";
        it(`sends ${kind} the neighbour sees and learns from`, async () => {
          const link1 = await w1.call<LinkInfo>("link", "eth0");
          await lab.exec(client.ns, ["ip", "neigh", "replace", vip.address, "lladdr", FAKE_MAC, "dev", "eth0", "nud", "stale"]);
          const capture = await startCapture(lab, client, family === 4 ? "arp" : "icmp6");
          try {
            await w1.call("add", "eth0", vip);
            await w1.call("announce", "eth0", vip);
            const expected =
              family === 4
                ? `${link1.mac} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Request who-has ${vip.address} (ff:ff:ff:ff:ff:ff) tell ${vip.address}, length 28`
                : `${link1.mac} > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: (hlim 255, next-header ICMPv6 (58) payload length: 32) ${linkLocal(link1)} > ff02::1: [icmp6 sum ok] ICMP6, neighbor advertisement, length 32, tgt is ${vip.address}, Flags [override]`;
            await lab.waitFor(() => capture.output().includes(expected), 5000, `tcpdump to show: ${expected}\n${capture.output()}`);
            if (family === 6)
              assert.match(capture.output(), new RegExp(`destination link-address option \\(2\\), length 8 \\(1\\): ${link1.mac}`));
            await lab.waitFor(async () => (await neighbour(lab, client, vip.address)) === link1.mac, 5000, "the neighbour cache update");
          } finally {
            await lab.kill(capture.child);
            await w1.call("remove", "eth0", vip);
          }
        });
      }
    });
  });
}

// ---------- worker side (runs inside a node namespace) ----------

function osWorker(emit: (event: string, data: unknown) => void): WorkerHandlers {
  const tableReady = openAddressTable();
  const announcerReady = tableReady.then((addresses) => openAnnouncer({ addresses }));
  const transports = new Map<number, VrrpTransport>();
  const farewells = new Map<number, Farewell>();
  let nextId = 1;
  return {
    link: async (ifname: string) => (await tableReady).link(ifname),
    add: async (ifname: string, address: VirtualAddress) => (await tableReady).add(ifname, address),
    remove: async (ifname: string, address: VirtualAddress) => (await tableReady).remove(ifname, address),
    announce: async (ifname: string, address: VirtualAddress) => (await announcerReady).announce(ifname, address),
    openTransport: async (options: TransportOptions, handlers: number): Promise<OpenedTransport> => {
      const transport = await createTransportFactory({ addresses: await tableReady }).open(options);
      const id = nextId++;
      transports.set(id, transport);
      for (let handler = 0; handler < handlers; handler++) {
        transport.onPacket((p) => emit("packet", { ...p, payload: p.payload.toString("hex"), transport: id, handler }));
      }
      transport.onError((e) => emit("transport-error", { transport: id, message: e.message, code: (e as { code?: string }).code }));
      return { id, sourceAddress: transport.sourceAddress, ifindex: transport.ifindex };
    },
    send: (id: number, payload: string, destination: string) => transports.get(id)!.send(Buffer.from(payload, "hex"), destination),
    setReadDelay: (id: number, us: number) => transports.get(id)!.setReadDelay?.(us),
    closeTransport: (id: number) => {
      transports.get(id)?.close();
      transports.delete(id);
    },
    rawSend: (family: Family, destination: string, payload: string, ttl: number) => rawSend(family, destination, payload, ttl),
    armFarewell: (id: number, payload: string, destination: string) => {
      const farewell = transports.get(id)!.armFarewell?.(Buffer.from(payload, "hex"), destination);
      if (farewell === undefined) throw new Error("the transport cannot arm a farewell");
      const fid = nextId++;
      farewells.set(fid, farewell);
      return fid;
    },
    disarmFarewell: (fid: number) => farewells.get(fid)?.disarm(),
    /** Keeps the loop busy for ms, then counts the packets readWaiting() hands to the handlers. */
    busyThenReadWaiting: (id: number, ms: number) => {
      const transport = transports.get(id)!;
      let delivered = 0;
      transport.onPacket(() => delivered++);
      const until = Date.now() + ms;
      while (Date.now() < until) {
        // the loop cannot read the socket meanwhile
      }
      delivered = 0;
      transport.readWaiting?.();
      return delivered;
    },
    busyThenReadWaitingVrids: (id: number, ms: number) => {
      const transport = transports.get(id)!;
      const vrids: number[] = [];
      transport.onPacket((p) => vrids.push(p.payload[1]!));
      const until = Date.now() + ms;
      while (Date.now() < until) {
        // the loop cannot read the socket meanwhile
      }
      vrids.length = 0;
      transport.readWaiting?.();
      return vrids;
    },
    /** As the agent does: a JS listener first, then the native handler in front of it. */
    listenForStop: (report: number[]) => {
      process.on("SIGTERM", () => {
        emit(
          "stopping",
          report.map((fid) => farewells.get(fid)?.sent() ?? false),
        );
        setTimeout(() => process.exit(0), 100);
      });
      installFarewellHandlers(["SIGTERM"]);
    },
  };
}

/** Sends protocol 112 with a chosen TTL from a plain raw-socket socket (kernel-built IP header). */
function rawSend(family: Family, destination: string, payloadHex: string, ttl: number): Promise<void> {
  const raw = createRequire(import.meta.url)("raw-socket") as {
    createSocket(o: { protocol: number; addressFamily: number }): {
      setOption(level: number, option: number, value: number | Buffer, length?: number): void;
      send(b: Buffer, o: number, l: number, a: string, cb: (e: Error | null) => void): void;
      close(): void;
    };
    AddressFamily: { IPv4: number; IPv6: number };
  };
  const socket = raw.createSocket({ protocol: 112, addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6 });
  const device = Buffer.from("eth0\0");
  socket.setOption(1, 25, device, device.length); // SOL_SOCKET, SO_BINDTODEVICE
  if (family === 4) {
    socket.setOption(0, 2, ttl); // IP_TTL
    socket.setOption(0, 33, ttl); // IP_MULTICAST_TTL
  } else {
    socket.setOption(41, 16, ttl); // IPV6_UNICAST_HOPS
    socket.setOption(41, 18, ttl); // IPV6_MULTICAST_HOPS
  }
  const payload = Buffer.from(payloadHex, "hex");
  return new Promise((resolve, reject) =>
    socket.send(payload, 0, payload.length, destination, (error) => {
      socket.close();
      if (error) reject(error);
      else resolve();
    }),
  );
}

// ---------- helpers ----------

/** A VRRPv3 advert (RFC 5798 §5.1) with its checksum over the pseudo-header. */
function vrrpV3Advert(vrid: number, source: string, destination: string, addresses: readonly string[], priority = 100): Buffer {
  const family = source.includes(":") ? 6 : 4;
  const bytes = addresses.map((a) => Buffer.from(parse(a)));
  const packet = Buffer.concat([Buffer.from([0x31, vrid, priority, addresses.length, 0x00, 100, 0, 0]), ...bytes]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(packet.length);
  const pseudo =
    family === 4
      ? Buffer.concat([Buffer.from(parse(source)), Buffer.from(parse(destination)), Buffer.from([0, 112]), length.subarray(2)])
      : Buffer.concat([Buffer.from(parse(source)), Buffer.from(parse(destination)), length, Buffer.from([0, 0, 0, 112])]);
  packet.writeUInt16BE(internetChecksum(Buffer.concat([pseudo, packet])), 6);
  return packet;
}

function parse(text: string): Uint8Array {
  const parsed = parseAddress(text);
  if (!parsed.ok) throw new TypeError(parsed.error);
  return parsed.bytes;
}

function linkLocal(link: LinkInfo): string {
  const found = link.addresses.find((a) => a.family === 6 && a.address.startsWith("fe80:"));
  assert.ok(found, `no link-local address on ${link.name}`);
  return found.address;
}

async function multicastGroups(lab: Lab, host: LabHost): Promise<string[]> {
  const out = await lab.exec(host.ns, ["ip", "maddr", "show", "dev", host.ifname]);
  return [...out.matchAll(/\binet6?\s+([0-9a-f:.]+)/g)].map((m) => m[1]!);
}

async function neighbour(lab: Lab, host: LabHost, address: string): Promise<string | undefined> {
  const out = await lab.exec(host.ns, ["ip", "-j", "neigh", "show", address, "dev", host.ifname]);
  return (JSON.parse(out) as { lladdr?: string }[])[0]?.lladdr;
}

interface Capture {
  readonly child: ChildProcess;
  output(): string;
}

/** tcpdump in host's namespace, line-buffered; resolves once it is listening. */
async function startCapture(lab: Lab, host: LabHost, filter: string): Promise<Capture> {
  const child = lab.spawnIn(host.ns, ["tcpdump", "-i", host.ifname, "-nn", "-e", "-vv", "-l", filter]);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  await lab.waitFor(() => stderr.includes("listening on"), 5000, `tcpdump to start (${stderr})`);
  return { child, output: () => stdout };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
