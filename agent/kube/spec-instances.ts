/**
 * One bad instance never blocks the others (pure). A VRRPNode spec is
 * split into the instances the agent runs and the ones it refuses, each
 * refused one named with its field errors: a VIP in a subnet this node has
 * no address in, an unreadable Secret, a broken script it tracks. Only an
 * error that belongs to no instance (the spec is not a mapping, two scripts
 * share a name) refuses the whole spec, and then the previous config keeps
 * running as before.
 *
 * Attribution: an error at `instances[i]...` is instance i's; an error at a
 * shared item (`scripts[k]`, `trackFiles[k]`, `httpChecks[k]`) belongs to
 * every instance that tracks that item. Refused instances are taken out and
 * the rest validated again, so what runs is exactly a valid config.
 */
import type { AgentConfig, InstanceConfig } from "../config/types.js";
import { validateAgentConfig, type ConfigError } from "../config/validate.js";

export interface RefusedInstance {
  /** The instance's name as the spec gives it (`instances[i]` when it has none). */
  readonly instance: string;
  /** Paths are in the spec as written (`instances[i]` of the whole list). */
  readonly errors: readonly ConfigError[];
}

export type SpecOutcome =
  | { readonly kind: "refused"; readonly errors: readonly ConfigError[] }
  | { readonly kind: "accepted"; readonly config: AgentConfig; readonly refused: readonly RefusedInstance[] };

type Obj = Record<string, unknown>;

const SHARED = { scripts: "scripts", trackFiles: "files", httpChecks: "httpChecks" } as const;

/**
 * `early`: errors found before validation (Secrets, interface lookup, the
 * script gate), at `instances[i]` paths of `doc`.
 */
export function acceptInstances(doc: unknown, early: readonly ConfigError[]): SpecOutcome {
  const raw = isObject(doc) && Array.isArray(doc["instances"]) ? (doc["instances"] as unknown[]) : undefined;
  if (raw === undefined) {
    const whole = validateAgentConfig(doc, { kubernetes: true });
    if (!whole.ok) return { kind: "refused", errors: [...early, ...whole.errors] };
    return { kind: "accepted", config: whole.config, refused: [] };
  }
  const spec = doc as Obj;
  const excluded = new Map<number, ConfigError[]>();
  const exclude = (index: number, error: ConfigError) => excluded.set(index, [...(excluded.get(index) ?? []), error]);
  for (const e of early) {
    const index = instanceIndex(e.path);
    if (index === undefined || index >= raw.length) return { kind: "refused", errors: early };
    exclude(index, e);
  }
  // Broken shared items, by name: taken out with the instances that track them.
  const dropped = new Set<string>();
  // Each round refuses at least one more instance, so this ends within raw.length + 1 rounds.
  for (;;) {
    const kept = raw.map((_, i) => i).filter((i) => !excluded.has(i));
    const round: Obj = { ...spec, instances: kept.map((i) => raw[i]) };
    for (const key of Object.keys(SHARED)) {
      if (Array.isArray(spec[key]))
        round[key] = (spec[key] as unknown[]).filter((item) => !dropped.has(`${key}/${String(nameOfItem(item))}`));
    }
    const result = validateAgentConfig(round, { kubernetes: true });
    if (result.ok) {
      const refused = [...excluded.entries()].sort(([a], [b]) => a - b).map(([i, errors]) => ({ instance: nameOf(raw[i], i), errors }));
      return { kind: "accepted", config: result.config, refused };
    }
    const unowned: ConfigError[] = [];
    let sharedProgress = false;
    for (const e of result.errors) {
      if (instanceIndex(e.path) !== undefined) continue;
      const item = sharedItem(round, e.path);
      const users =
        item === undefined
          ? []
          : usersOf(
              item,
              kept.map((i) => ({ index: i, raw: raw[i] })),
            );
      if (item === undefined || users.length === 0) {
        unowned.push(e);
        continue;
      }
      dropped.add(`${item.key}/${item.name}`);
      for (const index of users) exclude(index, e);
      sharedProgress = true;
    }
    if (unowned.length > 0) return { kind: "refused", errors: [...[...excluded.values()].flat(), ...unowned] };
    // A broken shared item also fails every reference to it: validate again without it before blaming instances.
    if (sharedProgress) continue;
    for (const e of result.errors) {
      const index = kept[instanceIndex(e.path)!]!;
      exclude(index, { path: e.path.replace(/^instances\[\d+\]/, `instances[${index}]`), message: e.message });
    }
  }
}

/**
 * The accepted config plus, for each refused instance that ran before, its
 * previous version (a Secret that cannot be read right now must not stop a
 * running VIP), unless that clashes with the new config.
 */
export function keepPrevious(
  next: AgentConfig,
  previous: AgentConfig | undefined,
  refused: readonly string[],
): { readonly config: AgentConfig; readonly kept: readonly string[] } {
  if (previous === undefined) return { config: next, kept: [] };
  let config = next;
  const kept: string[] = [];
  for (const name of refused) {
    const old = previous.instances.find((i) => i.name === name);
    if (old === undefined || clashes(old, config)) continue;
    const scripts = previous.scripts.filter((s) => old.track.scripts.some((t) => t.name === s.name));
    const files = previous.trackFiles.filter((f) => old.track.files.some((t) => t.name === f.name));
    const checks = (previous.httpChecks ?? []).filter((c) => (old.track.httpChecks ?? []).some((t) => t.name === c.name));
    const sameOrAbsent = <T extends { name: string }>(mine: readonly T[], theirs: readonly T[]) =>
      mine.every((m) => theirs.every((t) => t.name !== m.name || JSON.stringify(t) === JSON.stringify(m)));
    if (!sameOrAbsent(scripts, config.scripts) || !sameOrAbsent(files, config.trackFiles) || !sameOrAbsent(checks, config.httpChecks ?? []))
      continue;
    const add = <T extends { name: string }>(list: readonly T[], more: readonly T[]) => [
      ...list,
      ...more.filter((m) => !list.some((l) => l.name === m.name)),
    ];
    config = {
      scripts: add(config.scripts, scripts),
      trackFiles: add(config.trackFiles, files),
      ...(config.httpChecks !== undefined || checks.length > 0 ? { httpChecks: add(config.httpChecks ?? [], checks) } : {}),
      instances: [...config.instances, old],
    };
    kept.push(name);
  }
  return { config, kept };
}

function clashes(old: InstanceConfig, config: AgentConfig): boolean {
  return config.instances.some(
    (i) => i.name === old.name || (i.interface === old.interface && i.family === old.family && i.virtualRouterId === old.virtualRouterId),
  );
}

function instanceIndex(path: string): number | undefined {
  const m = /^instances\[(\d+)\]/.exec(path);
  return m === null ? undefined : Number(m[1]);
}

/** The shared item (`scripts[k]`, `trackFiles[k]`, `httpChecks[k]`) an error path names. */
function sharedItem(doc: Obj, path: string): { readonly key: keyof typeof SHARED; readonly name: string } | undefined {
  const m = /^(scripts|trackFiles|httpChecks)\[(\d+)\]/.exec(path);
  if (m === null) return undefined;
  const list = doc[m[1]!];
  const name = nameOfItem(Array.isArray(list) ? list[Number(m[2])] : undefined);
  return typeof name === "string" ? { key: m[1] as keyof typeof SHARED, name } : undefined;
}

/** The instances (list indices) that track a shared item. */
function usersOf(
  item: { readonly key: keyof typeof SHARED; readonly name: string },
  kept: readonly { index: number; raw: unknown }[],
): number[] {
  const field = SHARED[item.key];
  return kept
    .filter(({ raw }) => {
      const track = isObject(raw) ? raw["track"] : undefined;
      const refs = isObject(track) ? track[field] : undefined;
      return Array.isArray(refs) && refs.some((r) => isObject(r) && r["name"] === item.name);
    })
    .map(({ index }) => index);
}

function nameOfItem(item: unknown): unknown {
  return isObject(item) ? item["name"] : undefined;
}

function nameOf(raw: unknown, index: number): string {
  const name = isObject(raw) ? raw["name"] : undefined;
  return typeof name === "string" && name.length > 0 ? name : `instances[${index}]`;
}

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
