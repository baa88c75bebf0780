/**
 * Which configured unicast peers a router has had any packet from (for the
 * warning about a peer never heard: a firewall dropping VRRP). Only the
 * configured peers are kept, whatever the packets claim to come from: a
 * flood of adverts from forged, ever-new sources costs no memory here.
 */
export class HeardPeers {
  private readonly peers: ReadonlySet<string>;
  private readonly heard = new Set<string>();

  /** `peers`: the instance's unicast peers (none for a multicast instance: nothing is kept). */
  constructor(peers: readonly string[] = []) {
    this.peers = new Set(peers);
  }

  /** A packet came from `source`. */
  note(source: string): void {
    if (this.peers.has(source)) this.heard.add(source);
  }

  /** The same record for another peer list: peers still configured stay heard. */
  withPeers(peers: readonly string[]): HeardPeers {
    const next = new HeardPeers(peers);
    for (const peer of this.heard) next.note(peer);
    return next;
  }

  has(peer: string): boolean {
    return this.heard.has(peer);
  }

  /** How many sources are remembered (never more than the configured peers). */
  get size(): number {
    return this.heard.size;
  }
}
