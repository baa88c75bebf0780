/**
 * The real edges, opened together: rtnetlink address table, raw VRRP
 * sockets, and the AF_PACKET announcer. The only place that wires them.
 */
import type { AddressTable, Announcer, TransportFactory } from "./ports.js";
import { openAddressTable } from "./address-table.js";
import { openAnnouncer } from "./announcer.js";
import { createTransportFactory } from "./transport.js";

export interface SystemEdges {
  readonly addresses: AddressTable;
  readonly transports: TransportFactory;
  readonly announcer: Announcer;
  close(): void;
}

export async function openSystemEdges(): Promise<SystemEdges> {
  const addresses = await openAddressTable();
  let announcer: Announcer;
  try {
    announcer = await openAnnouncer({ addresses });
  } catch (error) {
    addresses.close();
    throw error;
  }
  return {
    addresses,
    announcer,
    transports: createTransportFactory({ addresses }),
    close() {
      announcer.close();
      addresses.close();
    },
  };
}
