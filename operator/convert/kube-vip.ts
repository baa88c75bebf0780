/**
 * kube-vip-cloud-provider's ConfigMap (kube-system/kubevip) → VirtualIPPools.
 * Keys: `cidr-global` / `range-global` (every namespace) and
 * `cidr-<namespace>` / `range-<namespace>` (that namespace only), values
 * comma-separated. kube-vip uses a namespace's own addresses before the
 * global ones and never both, so the global pool leaves out the namespaces
 * that have their own. Pure.
 */
import {
  describeDoc,
  entries,
  finishPools,
  flatten,
  kindOf,
  namespacesSelector,
  obj,
  type Conversion,
  type Obj,
  type PoolDraft,
} from "./common.js";

export function convertKubeVip(docs: readonly unknown[]): Conversion {
  const all = flatten(docs);
  const warnings: string[] = [];
  const drafts: PoolDraft[] = [];
  for (const doc of all) {
    if (kindOf(doc) !== "ConfigMap") {
      warnings.push(`${describeDoc(doc)}: ignored: not a ConfigMap`);
      continue;
    }
    drafts.push(...fromConfigMap(doc, warnings));
  }
  return finishPools(drafts, warnings, []);
}

function fromConfigMap(doc: Obj, warnings: string[]): PoolDraft[] {
  const what = describeDoc(doc);
  const data = obj(doc["data"]);
  const byScope = new Map<string, { keys: string[]; addresses: string[] }>();
  for (const key of Object.keys(data).sort()) {
    const m = /^(cidr|range)-(.+)$/.exec(key);
    if (m === null) {
      warnings.push(
        /^allow-share-/.test(key)
          ? `${what}: data.${key}: not converted: floatip shares an address between Services that carry the same floatip.io/allowSharedIP value`
          : `${what}: data.${key}: ignored: not a cidr-* or range-* key`,
      );
      continue;
    }
    const scope = m[2]!;
    const entry = byScope.get(scope) ?? { keys: [], addresses: [] };
    entry.keys.push(key);
    entry.addresses.push(...entries(String(data[key]).split(",")));
    byScope.set(scope, entry);
  }
  const namespaces = [...byScope.keys()].filter((s) => s !== "global");
  const out: PoolDraft[] = [];
  for (const [scope, { keys, addresses }] of byScope) {
    const spec: Obj = { addresses };
    if (scope !== "global") spec["namespaceSelector"] = namespacesSelector([scope]);
    else if (namespaces.length > 0) spec["namespaceSelector"] = namespacesSelector(namespaces, "NotIn");
    out.push({ name: `kube-vip-${scope}`, comments: [`from ${what}, ${keys.map((k) => `data.${k}`).join(" and ")}`], spec });
  }
  if (out.length === 0) warnings.push(`${what}: no cidr-* or range-* key: nothing to convert`);
  return out;
}
