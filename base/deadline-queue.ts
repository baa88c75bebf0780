/**
 * Many movable deadlines behind one system timer: a min-heap of reusable
 * entries, so setting a deadline again allocates nothing and deadlines due
 * in the same millisecond share one wake-up. Hundreds of backups move their
 * Master_Down checks a few times a second each; one system timer per check
 * would cost an allocation and a timer-list insert every time.
 *
 * A deadline may also say from when it could fire early (`earliest`): it
 * then rides along with a wake-up another deadline asked for, instead of
 * asking for one of its own. A backup's coarse Master_Down check only looks
 * whether an advert moved the deadline (its exact end is timed apart), so
 * hundreds of them share a few wake-ups instead of one each.
 *
 * The system wake-up is injected (systemClock uses setTimeout); `run()` is
 * what it calls. A deadline fires once `now()` has reached its `earliest`
 * (by default its `at`), never before, and by the wake-up for its `at`.
 */

/** A deadline that can be set again and again; it fires its function once per set. */
export interface Deadline {
  /**
   * Fire at `at` (replacing an earlier set that has not fired), or from
   * `earliest` on (≤ at) when a wake-up for another deadline comes first.
   */
  set(at: number, earliest?: number): void;
  cancel(): void;
}

export interface WakeUp {
  now(): number;
  /** Call run() once now() has reached `at` (replacing the previous request); undefined: no wake-up needed. */
  wakeAt(at: number | undefined): void;
}

class Entry implements Deadline {
  at = 0;
  earliest = 0;
  /** Position in the heap; -1 when not queued. */
  index = -1;

  constructor(
    private readonly queue: DeadlineQueue,
    readonly fn: () => void,
  ) {}

  set(at: number, earliest = at): void {
    this.earliest = earliest < at ? earliest : at;
    this.queue.place(this, at);
  }

  cancel(): void {
    this.queue.remove(this);
  }
}

export class DeadlineQueue {
  private readonly heap: Entry[] = [];
  /** The wake-up asked of the system (undefined: none). */
  private wakeAt: number | undefined;
  private running = false;

  constructor(private readonly system: WakeUp) {}

  deadline(fn: () => void): Deadline {
    return new Entry(this, fn);
  }

  /** Entries queued (for tests). */
  get size(): number {
    return this.heap.length;
  }

  /**
   * Fires every deadline that is due, in deadline order, and those at the top
   * whose earliest has come (the heap is ordered by `at`: one with a later
   * `at` waits for a later run, never past its `at`), then asks for the next
   * wake-up.
   */
  run(): void {
    this.wakeAt = undefined;
    this.running = true;
    try {
      const now = this.system.now();
      for (let top = this.heap[0]; top !== undefined && top.earliest <= now; top = this.heap[0]) {
        this.removeAt(0);
        try {
          top.fn();
        } catch (error) {
          // A throwing callback is a bug in its owner: report it without stopping the others.
          process.nextTick(() => {
            throw error;
          });
        }
      }
    } finally {
      this.running = false;
      this.rearm();
    }
  }

  /** @internal (Entry.set) */
  place(entry: Entry, at: number): void {
    const earlier = at < entry.at;
    entry.at = at;
    if (entry.index < 0) {
      entry.index = this.heap.length;
      this.heap.push(entry);
      this.up(entry.index);
    } else if (earlier) this.up(entry.index);
    else this.down(entry.index);
    if (!this.running && (this.wakeAt === undefined || at < this.wakeAt) && this.heap[0] === entry) this.rearm();
  }

  /** @internal (Entry.cancel) */
  remove(entry: Entry): void {
    if (entry.index < 0) return;
    this.removeAt(entry.index);
    // An earlier wake-up than needed only costs a spurious run(); none at all lets the process exit.
    if (!this.running && this.heap.length === 0) this.rearm();
  }

  private rearm(): void {
    const next = this.heap[0]?.at;
    if (next === this.wakeAt) return;
    this.wakeAt = next;
    this.system.wakeAt(next);
  }

  private removeAt(index: number): void {
    const entry = this.heap[index]!;
    const last = this.heap.pop()!;
    entry.index = -1;
    if (last === entry) return;
    this.heap[index] = last;
    last.index = index;
    this.up(index);
    this.down(last.index);
  }

  private up(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.at <= entry.at) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }

  private down(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= entry.at) break;
      heap[index] = heap[child]!;
      heap[index]!.index = index;
      index = child;
    }
    heap[index] = entry;
    entry.index = index;
  }
}
