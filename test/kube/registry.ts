// The served resource types (builtins plus CRD versions), looked up by URL or by name.
import { ResourceDef, groupVersion } from "./types.js";

export class Registry {
  private readonly defs = new Map<string, ResourceDef>();

  private static key(group: string, version: string, plural: string): string {
    return `${group}/${version}/${plural}`;
  }

  add(def: ResourceDef): void {
    this.defs.set(Registry.key(def.group, def.version, def.plural), def);
  }

  /** Removes every version served by the named CRD; returns what was removed. */
  removeCrd(crdName: string): ResourceDef[] {
    const removed = [...this.defs.entries()].filter(([, d]) => d.crd === crdName);
    for (const [k] of removed) this.defs.delete(k);
    return removed.map(([, d]) => d);
  }

  find(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.defs.get(Registry.key(group, version, plural));
  }

  all(): ResourceDef[] {
    return [...this.defs.values()];
  }

  /** Served versions per group in registration order (core group is ""). */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const d of this.defs.values()) {
      const vs = out.get(d.group) ?? [];
      if (!vs.includes(d.version)) vs.push(d.version);
      out.set(d.group, vs);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceDef[] {
    return this.all().filter((d) => d.group === group && d.version === version);
  }

  byApiVersionKind(apiVersion: string, kind: string): ResourceDef | undefined {
    return this.all().find((d) => groupVersion(d) === apiVersion && d.kind === kind);
  }

  /**
   * A resource type by plural, singular, kind, short name, or "plural.group"; the first served
   * version wins unless `version` is given.
   */
  resolve(name: string, version?: string): ResourceDef {
    const lower = name.toLowerCase();
    const found = this.all().find((d) => {
      if (version !== undefined && d.version !== version) return false;
      const names = [d.plural, d.singular, d.kind.toLowerCase(), ...d.shortNames];
      if (names.includes(lower))
        return d.group === "" || !this.all().some((c) => c.group === "" && [c.plural, c.kind.toLowerCase()].includes(lower));
      return d.group !== "" && (lower === `${d.plural}.${d.group}` || lower === `${d.kind.toLowerCase()}.${d.group}`);
    });
    if (!found) throw new Error(`test API server: no resource type "${name}"`);
    return found;
  }
}
