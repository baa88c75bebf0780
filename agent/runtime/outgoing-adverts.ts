/**
 * The adverts a router sends: their bytes, one per destination, and the
 * priority-0 ones kept armed while it is master (the stop signal's handler
 * and the tracked interfaces' going down send them: transport.armFarewell).
 *
 * One cache: the bytes depend on the priority and on the advert's content
 * (version, family, VRID, interval, addresses, authentication, destinations,
 * the socket's source address for the checksum). The content is read from
 * the config in one place, use(): when it differs from the last one, every
 * encoded priority is dropped and armed farewells are armed again with the
 * new bytes (and the tracked interfaces they wait for). Encoding happens on
 * first use of a priority; a master's priority 0 is encoded when it is armed,
 * so a FAULT sends it from the event that caused it.
 */
import type { InstanceConfig } from "../config/types.js";
import type { Farewell, VrrpTransport } from "../os/ports.js";
import { encodeAdvert } from "../vrrp/codec.js";
import { multicastGroup, type Advert } from "../vrrp/packet.js";
import type { Logger } from "../../base/logger.js";
import type { AdvertCounts } from "./metrics.js";

export interface OutgoingAdvertsDeps {
  readonly transport: VrrpTransport;
  readonly log: Logger;
  /** The instance's advert counters (`sent` counts here). */
  readonly counts: () => AdvertCounts;
}

export interface AdvertPacket {
  readonly destination: string;
  readonly payload: Buffer;
}

/** What an advert's bytes depend on besides the priority. */
interface Content {
  readonly advert: Omit<Advert, "priority">;
  readonly destinations: readonly string[];
  readonly source: string;
  /** Interfaces whose going down sends the armed priority-0 adverts. */
  readonly linkDown: readonly string[];
}

export class OutgoingAdverts {
  private content: Content;
  private key: string;
  /** Encoded adverts by priority, for `key`. At most 256 entries (priorities 0..255). */
  private readonly byPriority = new Map<number, readonly AdvertPacket[]>();
  /** While master: the armed priority-0 adverts, one per destination (undefined where the transport cannot arm). */
  private farewells: readonly (Farewell | undefined)[] | undefined;

  constructor(
    config: InstanceConfig,
    private readonly deps: OutgoingAdvertsDeps,
  ) {
    this.content = contentOf(config, deps.transport.sourceAddress);
    this.key = JSON.stringify(this.content);
  }

  /**
   * The config (or the socket's source address) may have changed: the one
   * place the cache is invalidated; armed farewells are armed again.
   */
  use(config: InstanceConfig): void {
    const content = contentOf(config, this.deps.transport.sourceAddress);
    const key = JSON.stringify(content);
    if (key === this.key) return;
    this.content = content;
    this.key = key;
    this.byPriority.clear();
    if (this.farewells !== undefined) this.arm();
  }

  /** Send the advert with `priority` to each destination; failures are logged (the next interval tries again). */
  send(priority: number): void {
    const { transport, log } = this.deps;
    let packets;
    try {
      packets = this.packets(priority);
    } catch (error) {
      log.log("error", "encoding advert failed", { error });
      return;
    }
    // After the stop signal sent the priority-0 advert, an advert due before the stop path runs must not undo it.
    if (priority !== 0 && this.farewellSent(0)) return;
    for (let i = 0; i < packets.length; i++) {
      const { destination, payload } = packets[i]!;
      if (priority === 0 && this.farewellSent(i)) {
        // The stop signal's handler sent it already; a second one would restart the backups' Skew_Time.
        this.deps.counts().sent++;
        log.log("debug", "priority-0 advert went out from the stop signal's handler", { destination });
        continue;
      }
      try {
        transport.send(payload, destination);
        this.deps.counts().sent++;
      } catch (error) {
        log.log("error", "sending advert failed", { destination, error });
      }
    }
  }

  /** The adverts for `priority`, one per destination; throws if the advert cannot be encoded. */
  private packets(priority: number): readonly AdvertPacket[] {
    const cached = this.byPriority.get(priority);
    if (cached !== undefined) return cached;
    const { advert, destinations, source } = this.content;
    const full: Advert = { ...advert, priority };
    const packets = destinations.map((destination) => ({ destination, payload: encodeAdvert(full, { source, destination }) }));
    this.byPriority.set(priority, packets);
    return packets;
  }

  /**
   * Becoming master: encode the priority-0 adverts (a FAULT sends them from
   * the event that caused it) and arm them for the stop signal and for the
   * tracked interfaces whose loss means FAULT.
   */
  arm(): void {
    this.disarm();
    const { transport } = this.deps;
    try {
      const packets = this.packets(0);
      if (transport.armFarewell === undefined) return;
      this.farewells = packets.map(({ destination, payload }) => transport.armFarewell?.(payload, destination, this.content.linkDown));
    } catch (error) {
      this.deps.log.log("warn", "cannot keep the priority-0 advert ready for a stop signal", { error });
    }
  }

  /** No longer master: the stop signal and the tracked interfaces must not send them. */
  disarm(): void {
    for (const farewell of this.farewells ?? []) farewell?.disarm();
    this.farewells = undefined;
  }

  /** The stop signal's handler (or a link going down) sent the armed advert for destination `index` already. */
  private farewellSent(index: number): boolean {
    return this.farewells?.[index]?.sent() === true;
  }
}

function contentOf(config: InstanceConfig, source: string): Content {
  const advert: Omit<Advert, "priority"> = {
    version: config.version,
    family: config.family,
    virtualRouterId: config.virtualRouterId,
    advertIntervalMs: config.advertIntervalMs,
    addresses: config.addresses.map((a) => a.address),
    ...(config.version === 2
      ? config.authentication
        ? { authType: 1, password: Buffer.from(config.authentication.password, "utf8") }
        : { authType: 0 }
      : {}),
  };
  const destinations = config.unicast?.peers ?? [multicastGroup(config)];
  return { advert, destinations, source, linkDown: linkDownTriggers(config) };
}

/**
 * The tracked interfaces whose going down alone puts the instance in FAULT
 * (weight 0, not reversed: health/priority.ts), so its priority-0 advert
 * may leave before the agent has seen the event.
 */
export function linkDownTriggers(config: InstanceConfig): string[] {
  return config.track.interfaces.filter((t) => (t.weight ?? 0) === 0 && (t.reverse ?? false) === false).map((t) => t.name);
}
