/**
 * The real edges, opened together: rtnetlink address table, raw VRRP
 * sockets, and the AF_PACKET announcer. The only place that wires them.
 */
import type { AddressProber, AddressTable, Announcer, TransportFactory } from "./ports.js";
import { openAddressTable } from "./address-table.js";
import { openAnnouncer } from "./announcer.js";
import { PacketProber } from "./prober.js";
import { createTransportFactory } from "./transport.js";

export interface SystemEdges {
  readonly addresses: AddressTable;
  readonly transports: TransportFactory;
  readonly announcer: Announcer;
  /** ARP probes / DAD solicitations and the claims that answer them. */
  readonly addressProber: AddressProber;
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
  return {
    addresses,
    announcer,
    addressProber: prober,
    transports: createTransportFactory({ addresses }),
    close() {
      announcer.close();
      prober.close();
      addresses.close();
    },
  };
}
