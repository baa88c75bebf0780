/**
 * Runs async tasks one after another, in the order given. A task given while
 * nothing is queued starts at once, inside the call (up to its first await),
 * rather than on a later microtask: a failover's address add or a shutdown's
 * priority-0 advert then leaves before the caller's next statement (log
 * lines, notify files). Otherwise it starts once every earlier task has
 * settled. A failed task does not stop the ones after it.
 */
export class Serial {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.pending === 0 ? startNow(task) : this.tail.then(task);
    this.pending++;
    const done = () => void this.pending--;
    this.tail = result.then(done, done);
    return result;
  }

  /** Resolves once every task given so far has settled. */
  idle(): Promise<void> {
    return this.tail;
  }
}

function startNow<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}
