// In-memory object storage ("etcd"): one global, monotonically increasing resourceVersion, a
// bounded event history for watches (compaction window) and change listeners.
import { KubeObject, StoredEvent, WatchType, clone } from "./types.js";

export type Listener = (e: StoredEvent) => void;

function objectKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}

export class Store {
  private rv = 1;
  private oldestRv = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoredEvent[] = [];
  private readonly listeners = new Set<Listener>();

  /** compactionWindow: how many events the history keeps before older resourceVersions expire. */
  constructor(private compactionWindow: number) {}

  currentRv(): number {
    return this.rv;
  }

  /** Every event with a resourceVersion above this is still in the history. */
  oldestAvailableRv(): number {
    return this.oldestRv;
  }

  setCompactionWindow(n: number): void {
    this.compactionWindow = n;
    this.trim();
  }

  /** Forgets the history up to `rv` (default: everything so far): older watch resumes get 410. */
  compact(rv = this.rv): void {
    while (this.history.length > 0 && (this.history[0] as StoredEvent).rv <= rv) this.history.shift();
    this.oldestRv = Math.max(this.oldestRv, rv);
  }

  private trim(): void {
    while (this.history.length > this.compactionWindow) {
      const dropped = this.history.shift() as StoredEvent;
      this.oldestRv = Math.max(this.oldestRv, dropped.rv);
    }
  }

  private bucket(storageKey: string): Map<string, KubeObject> {
    let b = this.objects.get(storageKey);
    if (!b) {
      b = new Map();
      this.objects.set(storageKey, b);
    }
    return b;
  }

  get(storageKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(storageKey)?.get(`${namespace ?? ""}/${name}`);
    return o ? clone(o) : undefined;
  }

  /** Objects sorted by namespace/name (as etcd keys sort); all namespaces when `namespace` is undefined. */
  list(storageKey: string, namespace?: string): KubeObject[] {
    const b = this.objects.get(storageKey);
    if (!b) return [];
    return [...b.entries()]
      .filter(([, o]) => namespace === undefined || (o.metadata.namespace ?? "") === namespace)
      .sort(([a], [b2]) => (a < b2 ? -1 : a > b2 ? 1 : 0))
      .map(([, o]) => clone(o));
  }

  private emit(storageKey: string, type: WatchType, object: KubeObject, previous?: KubeObject): StoredEvent {
    const ev: StoredEvent = { rv: this.rv, storageKey, type, object: clone(object), previous: previous ? clone(previous) : undefined };
    this.history.push(ev);
    this.trim();
    for (const l of [...this.listeners]) l(ev);
    return ev;
  }

  /** Stores a new or changed object under a new resourceVersion and returns the stored copy. */
  put(storageKey: string, obj: KubeObject): KubeObject {
    const b = this.bucket(storageKey);
    const key = objectKey(obj);
    const previous = b.get(key);
    this.rv++;
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(this.rv);
    b.set(key, stored);
    this.emit(storageKey, previous ? "MODIFIED" : "ADDED", stored, previous);
    return clone(stored);
  }

  /** Removes an object; the DELETED event carries it with the deletion's resourceVersion. */
  remove(storageKey: string, namespace: string | undefined, name: string, finalState?: KubeObject): KubeObject | undefined {
    const b = this.objects.get(storageKey);
    const key = `${namespace ?? ""}/${name}`;
    const old = b?.get(key);
    if (!b || !old) return undefined;
    b.delete(key);
    this.rv++;
    const gone = clone(finalState ?? old);
    gone.metadata.resourceVersion = String(this.rv);
    this.emit(storageKey, "DELETED", gone);
    return gone;
  }

  /** Removes every object of a storage key (a deleted CRD's custom resources). */
  dropAll(storageKey: string): void {
    for (const o of this.list(storageKey)) this.remove(storageKey, o.metadata.namespace, o.metadata.name ?? "");
    this.objects.delete(storageKey);
  }

  /** History events of a storage key after `rv`, or "expired" when compacted away. */
  eventsSince(storageKey: string, rv: number): StoredEvent[] | "expired" {
    if (rv < this.oldestRv) return "expired";
    return this.history.filter((e) => e.rv > rv && e.storageKey === storageKey);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
