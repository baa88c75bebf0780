/**
 * Which nodes a VirtualIP runs on: those whose labels match its nodeSelector,
 * a metav1.LabelSelector (every matchLabels label equal, every requirement
 * holding; an empty selector selects every node). The evaluation is the
 * agent's, so pod tracking and node selection read selectors alike.
 */
import type { LabelSelector, NodeSummary } from "../api/types.js";
import { matchesSelector as matchesLabelSelector } from "../../agent/config/label-selector.js";

export function matchesSelector(labels: Readonly<Record<string, string>>, selector: LabelSelector): boolean {
  return matchesLabelSelector(labels, selector);
}

/** The selected nodes, in the order given (the planner passes them sorted by name). */
export function selectNodes(nodes: readonly NodeSummary[], selector: LabelSelector): NodeSummary[] {
  return nodes.filter((node) => matchesSelector(node.labels, selector));
}
