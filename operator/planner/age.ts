/**
 * "Older wins": VirtualIPs ordered by creationTimestamp, then name. A missing
 * or unparsable timestamp counts as newest.
 */
export interface Aged {
  readonly name: string;
  readonly creationTimestamp?: string | undefined;
}

export function createdAt(item: Aged): number {
  const t = item.creationTimestamp === undefined ? NaN : Date.parse(item.creationTimestamp);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/** Negative when `a` is older than `b`. */
export function compareAge(a: Aged, b: Aged): number {
  const ta = createdAt(a);
  const tb = createdAt(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareNames(a.name, b.name);
}

/** Code-unit order, independent of locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
