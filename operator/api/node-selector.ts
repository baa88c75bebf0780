/**
 * spec.nodeSelector of VirtualIP and VirtualIPPool: a metav1.LabelSelector
 * (matchLabels, matchExpressions with In / NotIn / Exists / DoesNotExist).
 *
 * Objects written before the LabelSelector form carry a plain label map
 * (`{disktype: ssd}`). The CRD keeps those keys (the field preserves unknown
 * keys), and this reader takes a map without either selector key as
 * matchLabels, so stored objects select the same nodes after an upgrade with
 * no migration step. A map mixing both forms is refused: which one was meant
 * cannot be known. Pure.
 */
import type { Reader } from "../../agent/config/reader.js";
import { NODE_SELECTOR_MAX, TRACK_LIST_MAX } from "./limits.js";
import type { LabelSelector, LabelSelectorRequirement } from "./types.js";
import { keyPath, labelMap, mapping } from "./validate-helpers.js";
import { readRequirement } from "./validate-virtualip-track.js";

const SELECTOR_KEYS = ["matchLabels", "matchExpressions"] as const;

/** Which form a nodeSelector is written in. */
export type NodeSelectorForm = "selector" | "labels";

/** The form of a nodeSelector value, for messages and docs; undefined when it is not a mapping. */
export function nodeSelectorForm(value: unknown): NodeSelectorForm | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => !(SELECTOR_KEYS as readonly string[]).includes(k)) ? "labels" : "selector";
}

/** Reads either form into a normalised LabelSelector (matchLabels sorted; empty parts left out; {} selects every node). */
export function readNodeSelector(r: Reader, value: unknown, path: string): LabelSelector | undefined {
  const o = mapping(r, value, path);
  if (o === undefined) return undefined;
  const keys = Object.keys(o);
  const selectorKeys = keys.filter((k) => (SELECTOR_KEYS as readonly string[]).includes(k));
  const labelKeys = keys.filter((k) => !(SELECTOR_KEYS as readonly string[]).includes(k));
  if (selectorKeys.length > 0 && labelKeys.length > 0) {
    return r.fail(
      keyPath(path, labelKeys[0]!),
      `mixes a plain label map (the old form) with ${selectorKeys.join(" and ")}: move the labels into ${path}.matchLabels`,
    );
  }
  const before = r.errors.length;
  const labelsValue = selectorKeys.length > 0 ? o["matchLabels"] : o;
  const labelsPath = selectorKeys.length > 0 ? `${path}.matchLabels` : path;
  let matchLabels: Record<string, string> | undefined;
  if (labelsValue !== undefined) {
    const count = Object.keys(mapping(r, labelsValue, labelsPath) ?? {}).length;
    if (count > NODE_SELECTOR_MAX) r.fail(labelsPath, `must have at most ${NODE_SELECTOR_MAX} labels, got ${count}`);
    else matchLabels = labelMap(r, labelsValue, labelsPath);
  }
  let matchExpressions: (LabelSelectorRequirement | undefined)[] | undefined;
  if (o["matchExpressions"] !== undefined) {
    const at = `${path}.matchExpressions`;
    const list = r.list(o["matchExpressions"], at);
    if (list !== undefined && list.length > TRACK_LIST_MAX)
      r.fail(at, `must list at most ${TRACK_LIST_MAX} requirements, got ${list.length}`);
    else matchExpressions = list?.map((item, i) => readRequirement(r, item, `${at}[${i}]`));
  }
  if (r.errors.length > before) return undefined;
  return normalSelector({
    ...(matchLabels !== undefined ? { matchLabels } : {}),
    ...(matchExpressions !== undefined ? { matchExpressions: matchExpressions as LabelSelectorRequirement[] } : {}),
  });
}

/** matchLabels sorted by key, empty parts dropped: equal selectors have equal JSON. */
export function normalSelector(selector: LabelSelector): LabelSelector {
  const labels = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const expressions = selector.matchExpressions ?? [];
  return {
    ...(labels.length > 0 ? { matchLabels: Object.fromEntries(labels) } : {}),
    ...(expressions.length > 0
      ? {
          matchExpressions: expressions.map((e) => ({
            key: e.key,
            operator: e.operator,
            ...(e.values !== undefined && e.values.length > 0 ? { values: [...e.values] } : {}),
          })),
        }
      : {}),
  };
}

/** Nodes must match all of the selectors: matchLabels merged (later wins on a shared key), requirements concatenated without repeats. */
export function andSelectors(selectors: readonly LabelSelector[]): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const seen = new Set<string>();
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const s of selectors) {
    Object.assign(matchLabels, s.matchLabels ?? {});
    for (const e of s.matchExpressions ?? []) {
      const key = JSON.stringify(e);
      if (!seen.has(key)) [seen.add(key), matchExpressions.push(e)];
    }
  }
  return normalSelector({ matchLabels, matchExpressions });
}
