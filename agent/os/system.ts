/**
 * The real edges, opened together: rtnetlink address table, raw VRRP
 * sockets, the AF_PACKET announcer and the clock (whose precise timers are a
 * timerfd). The only place that wires them.
 */
import { performance } from "node:perf_hooks";
import { systemClock, type Clock } from "../../base/clock.js";
import { PreciseScheduler } from "../../base/precise-scheduler.js";
import type {
  AddressProber,
  AddressTable,
  Announcer,
  LinkMonitor,
  RouteTable,
  TransportFactory,
  VirtualMacLinks,
  InterfaceFlags,
} from "./ports.js";
import { openAddressTable } from "./address-table.js";
import { openLinkMonitor } from "./link-monitor.js";
import { openRouteTable } from "./route-table.js";
import { openVirtualMacLinks, procSysctl } from "./vmac-links.js";
import { SysctlPromoteSecondaries } from "./promote-secondaries.js";
import { openAnnouncer } from "./announcer.js";
import { PacketProber } from "./prober.js";
import { createTransportFactory, loadFloatipNet } from "./transport.js";

/** The timerfd wakes a takeover's final stretch this much early; the rest is waited out on the CPU. */
const PRECISE_EARLY_MS = 0.1;

export interface SystemEdges {
  readonly addresses: AddressTable;
  readonly transports: TransportFactory;
  readonly announcer: Announcer;
  /** ARP probes / DAD solicitations and the claims that answer them. */
  readonly addressProber: AddressProber;
  readonly clock: Clock;
  /** Link and address events from rtnetlink. */
  readonly monitor: LinkMonitor;
  /** Routes that follow master state (virtual_routes). */
  readonly routes: RouteTable;
  /** The macvlans of use_vmac instances. */
  readonly vmacs: VirtualMacLinks;
  readonly promoteSecondaries: InterfaceFlags;
  close(): void;
}

/** Opens the edges; pass an address table already opened (e.g. to read interfaces before validating a config). */
export { openAddressTable };

export async function openSystemEdges(opened?: AddressTable): Promise<SystemEdges> {
  const addresses = opened ?? (await openAddressTable());
  let announcer: Announcer;
  let prober: AddressProber;
  try {
    announcer = await openAnnouncer({ addresses });
  } catch (error) {
    addresses.close();
    throw error;
  }
  try {
    prober = PacketProber.open({ addresses });
  } catch (error) {
    announcer.close();
    addresses.close();
    throw error;
  }
  let monitor: LinkMonitor;
  try {
    monitor = await openLinkMonitor({ addresses });
  } catch (error) {
    prober.close();
    announcer.close();
    addresses.close();
    throw error;
  }
  let routes: RouteTable;
  let vmacs: VirtualMacLinks;
  try {
    routes = await openRouteTable();
    vmacs = await openVirtualMacLinks().catch((error: unknown) => {
      routes.close();
      throw error;
    });
  } catch (error) {
    monitor.close();
    prober.close();
    announcer.close();
    addresses.close();
    throw error;
  }
  // A master's priority-0 advert leaves from C when a tracked interface goes down; without it, from JS a little later.
  let trigger: { close(): void } | undefined;
  try {
    trigger = loadFloatipNet().openLinkTrigger();
  } catch {
    trigger = undefined;
  }
  const precise = new PreciseScheduler({
    now: () => performance.now(),
    open: (onFire) => loadFloatipNet().openPreciseTimer(onFire),
    earlyMs: PRECISE_EARLY_MS,
  });
  return {
    addresses,
    announcer,
    addressProber: prober,
    transports: createTransportFactory({ addresses }),
    clock: systemClock({ precise }),
    monitor,
    routes,
    vmacs,
    promoteSecondaries: new SysctlPromoteSecondaries(procSysctl),
    close() {
      trigger?.close();
      vmacs.close();
      routes.close();
      monitor.close();
      precise.close();
      announcer.close();
      prober.close();
      addresses.close();
    },
  };
}
