/**
 * Instance fields whose spelling changed so that the whole floatip.io API
 * group (VirtualIP, VirtualIPPool, VRRPNode) and the standalone YAML use one
 * style: `ID` in capitals, words written out (issue 19).
 *
 * The old spelling is still read, because during a rolling upgrade an agent
 * meets VRRPNodes written by the previous controller, and standalone configs
 * on disk were written with it. The rule, the same for every renamed field:
 *   - only the new name: read it;
 *   - only the old name: read it, and note a deprecation (the standalone
 *     agent prints it with the line; docs/api-upgrades.md);
 *   - both, equal: the new one wins, no note;
 *   - both, different: an error naming the new field, as neither can be
 *     trusted to be the one the writer meant.
 */
import type { FieldReader } from "./field-reader.js";

export interface RenamedField {
  readonly old: string;
  readonly current: string;
}

export const RENAMED_INSTANCE_FIELDS: readonly RenamedField[] = [
  { old: "virtualRouterId", current: "virtualRouterID" },
  { old: "advertInterval", current: "advertisementInterval" },
];

type Obj = Record<string, unknown>;

/** What readRenamed needs of the Reader: failing, and noting an old spelling. */
export interface RenameReader extends Pick<FieldReader, "fail"> {
  readonly deprecated: { path: string; message: string }[];
}

/**
 * The raw value of instance field `current` (or its old spelling) in `o`,
 * with the path to report errors about it at (the spelling the writer used);
 * undefined when both spellings disagree (an error is recorded). `value` is
 * undefined when neither is given.
 */
export function readRenamed(
  r: RenameReader,
  o: Obj,
  current: string,
  path: string,
): { readonly value: unknown; readonly path: string } | undefined {
  const field = RENAMED_INSTANCE_FIELDS.find((f) => f.current === current);
  if (field === undefined) throw new Error(`${current} is not a renamed field`);
  const now = o[current];
  const old = o[field.old];
  if (old === undefined) return { value: now, path: `${path}.${current}` };
  if (now === undefined) {
    r.deprecated.push({
      path: `${path}.${field.old}`,
      message: `${field.old} is the old spelling of ${current}; write ${current} (the old name is still read)`,
    });
    return { value: old, path: `${path}.${field.old}` };
  }
  if (JSON.stringify(now) === JSON.stringify(old)) return { value: now, path: `${path}.${current}` };
  r.fail(
    `${path}.${current}`,
    `given twice with different values: ${current} ${JSON.stringify(now)} and its old spelling ${field.old} ${JSON.stringify(old)}; keep only ${current}`,
  );
  return undefined;
}

/**
 * The line (1-based) of each deprecated use, for the standalone YAML: the
 * k-th old-spelling key in the text is the k-th use the validator noted
 * (instances are read in document order). Undefined when the counts differ
 * (flow style, aliases): the warning then names the field path only.
 */
export function deprecationLines(text: string, deprecated: readonly { readonly path: string }[]): readonly (number | undefined)[] {
  const lines = text.split(/\r?\n/);
  return deprecated.map((d) => {
    const key = d.path.slice(d.path.lastIndexOf(".") + 1);
    const keyAt = new RegExp(`^\\s*(?:-\\s+)?["']?${key}["']?\\s*:`);
    const found = lines.flatMap((line, i) => (keyAt.test(line) ? [i + 1] : []));
    const uses = deprecated.filter((o) => o.path.endsWith(`.${key}`));
    return found.length === uses.length ? found[uses.indexOf(d)] : undefined;
  });
}
