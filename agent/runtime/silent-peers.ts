/**
 * A firewall that drops IP protocol 112 makes every peer master. Peers that
 * are backups are silent too, so a master only warns about a configured
 * unicast peer never heard from at all, once it has been master for 3 advert
 * intervals, and once per peer.
 */
import type { InstanceConfig } from "../config/types.js";
import type { Clock, TimerHandle } from "../../base/clock.js";
import { HeardPeers } from "./heard-peers.js";
import type { Logger } from "../../base/logger.js";

export interface SilentPeersDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** Still master when the check comes due. */
  readonly master: () => boolean;
}

export class SilentPeers {
  /** Configured unicast peers any packet has come from (no other source is kept). */
  private heard: HeardPeers;
  private readonly warned = new Set<string>();
  private check: TimerHandle | undefined;

  constructor(
    peers: readonly string[] | undefined,
    private readonly deps: SilentPeersDeps,
  ) {
    this.heard = new HeardPeers(peers);
  }

  /** A packet came from `source`. */
  note(source: string): void {
    this.heard.note(source);
  }

  /** A reload changed the peers: those still configured stay heard; a master watches the new list. */
  peersChanged(config: InstanceConfig, master: boolean): void {
    this.heard = this.heard.withPeers(config.unicast?.peers ?? []);
    this.watch(config, master);
  }

  /** After each transition: a master (of a unicast instance) checks in 3 advert intervals; others stop watching. */
  watch(config: InstanceConfig, master: boolean): void {
    this.check?.cancel();
    this.check = undefined;
    const peers = config.unicast?.peers;
    if (!master || peers === undefined) return;
    const { clock, log } = this.deps;
    this.check = clock.at(clock.now() + 3 * config.advertIntervalMs, () => {
      if (!this.deps.master()) return;
      for (const peer of peers) {
        if (this.heard.has(peer) || this.warned.has(peer)) continue;
        this.warned.add(peer);
        log.log("warn", "master for 3 advert intervals and a unicast peer has never been heard from", {
          peer,
          hint: "if the peer runs, allow IP protocol 112 (VRRP) between the peers in the firewall",
        });
      }
    });
  }
}
