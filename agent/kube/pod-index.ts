/**
 * Ready pods on this node, indexed from pod watch events, answering
 * "how many ready pods match this namespace and selector". Pure data
 * structure; the informer that feeds it lives in pod-watch.ts.
 */
import type { LabelSelector } from "../config/types.js";
import type { PodReadiness } from "../health/tracker.js";
import { matchesSelector } from "../config/label-selector.js";

/** The part of a Pod this index needs. */
export interface PodView {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ready: boolean;
}

// Re-exported: the pod index is where the agent matches pods.
export { matchesSelector };

/** A pod object as the API returns it (only the fields read here). */
export interface PodObject {
  readonly metadata?: {
    readonly namespace?: string;
    readonly name?: string;
    readonly labels?: Record<string, string>;
    readonly deletionTimestamp?: unknown;
  };
  readonly status?: { readonly conditions?: readonly { readonly type?: string; readonly status?: string }[] };
}

export function viewOf(pod: PodObject): PodView | undefined {
  const namespace = pod.metadata?.namespace;
  const name = pod.metadata?.name;
  if (namespace === undefined || name === undefined) return undefined;
  const ready =
    pod.metadata?.deletionTimestamp == null && (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  return { namespace, name, labels: pod.metadata?.labels ?? {}, ready };
}

export class PodIndex implements PodReadiness {
  private readonly pods = new Map<string, PodView>();
  private readonly listeners = new Set<() => void>();
  private synced = false;

  /** Replace everything (after a list). */
  reset(pods: readonly PodView[]): void {
    this.pods.clear();
    for (const p of pods) this.pods.set(`${p.namespace}/${p.name}`, p);
    this.synced = true;
    this.changed();
  }

  upsert(pod: PodView): void {
    const key = `${pod.namespace}/${pod.name}`;
    const before = this.pods.get(key);
    this.pods.set(key, pod);
    if (before === undefined || before.ready !== pod.ready || JSON.stringify(before.labels) !== JSON.stringify(pod.labels)) this.changed();
  }

  remove(namespace: string, name: string): void {
    if (this.pods.delete(`${namespace}/${name}`)) this.changed();
  }

  readyCount(namespace: string, selector: LabelSelector): number | undefined {
    if (!this.synced) return undefined;
    let count = 0;
    for (const pod of this.pods.values()) {
      if (pod.ready && pod.namespace === namespace && matchesSelector(pod.labels, selector)) count++;
    }
    return count;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
