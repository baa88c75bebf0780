/**
 * A stable 32-bit hash for rendezvous (highest random weight) ordering:
 * FNV-1a over the UTF-8 bytes, then the murmur3 finaliser so that names that
 * differ in one trailing character still land far apart.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return fnv1a32Bytes(Buffer.from(text, "utf8"));
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h >>> 0;
}

export function fnv1a32Bytes(bytes: Uint8Array): number {
  let h = FNV_OFFSET;
  for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME);
  return h >>> 0;
}

/** murmur3 fmix32: full avalanche of a 32-bit value. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The weight of `node` for `key` (a VirtualIP name): higher ranks first. */
export function rendezvousScore(key: string, node: string): number {
  return mix32(fnv1a32(`${key}/${node}`));
}

/** Node names in rendezvous order for `key`: highest score first, ties by name. */
export function rendezvousOrder(key: string, nodes: readonly string[]): string[] {
  return nodes
    .map((name) => ({ name, score: rendezvousScore(key, name) }))
    .sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((n) => n.name);
}
