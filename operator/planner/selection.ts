/**
 * Which nodes a VirtualIP runs on: those whose labels match its nodeSelector
 * (every label equal; an empty selector selects every node).
 */
import type { NodeSummary } from "../api/types.js";

export function matchesSelector(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector)) if (labels[key] !== value) return false;
  return true;
}

/** The selected nodes, in the order given (the planner passes them sorted by name). */
export function selectNodes(nodes: readonly NodeSummary[], selector: Readonly<Record<string, string>>): NodeSummary[] {
  return nodes.filter((node) => matchesSelector(node.labels, selector));
}
