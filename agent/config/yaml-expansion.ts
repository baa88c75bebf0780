/**
 * YAML aliases (`*name`) make a document bigger than its text: js-yaml
 * returns the anchored node itself at every alias, so a few kilobytes can
 * stand for millions of values, and validation visits every one of them
 * (fuzz finding F6). This counts the values a document stands for, each
 * shared node once per place it appears, without expanding anything (shared
 * nodes are counted once and remembered), and stops at a limit. A node that
 * contains an alias to itself expands forever.
 */

/** Values (mappings, lists and scalars) that aliases may add to a document. */
export const MAX_ALIAS_VALUES = 50_000;

export type ExpansionCheck =
  | { readonly ok: true; readonly values: number }
  | { readonly ok: false; readonly reason: "too-large" | "cycle"; readonly path: string };

type Container = Record<string, unknown> | readonly unknown[];

const isContainer = (v: unknown): v is Container => v !== null && typeof v === "object";

const childPath = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;

/**
 * Checks that the aliases in `doc` add at most `limit` values to it. A
 * document without aliases passes whatever its size: it is no bigger than
 * its text. `values` is what the document stands for; the `path` of a
 * failure is the alias where the added values went over, or where the cycle
 * closed.
 */
export function checkExpansion(doc: unknown, limit = MAX_ALIAS_VALUES): ExpansionCheck {
  /** Values each node stands for, by node; a node is here once its walk has ended. */
  const sizes = new Map<object, number>();
  const walking = new Set<object>();
  let added = 0;
  let failure: Extract<ExpansionCheck, { ok: false }> | undefined;

  const size = (value: unknown, path: string): number => {
    if (!isContainer(value)) return 1;
    const known = sizes.get(value);
    if (known !== undefined) {
      // A second appearance (an alias): everything below it is added again.
      added += known;
      if (added > limit) failure ??= { ok: false, reason: "too-large", path };
      return known;
    }
    if (walking.has(value)) {
      failure ??= { ok: false, reason: "cycle", path };
      return 1;
    }
    walking.add(value);
    let total = 1;
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) {
      total += size(child, childPath(path, key));
      if (failure !== undefined) break;
    }
    walking.delete(value);
    sizes.set(value, total);
    return total;
  };

  const values = size(doc, "");
  return failure ?? { ok: true, values };
}
