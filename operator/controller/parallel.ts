/**
 * Bounded concurrency for the controller's API writes: a cold start writes
 * a finalizer and a status per VirtualIP and a spec per node, and one at a
 * time each waits a full round trip.
 */

/**
 * Runs `task` for every item, at most `limit` at once, in item order. Resolves
 * when all have settled; if any failed, rejects with the first failure (in
 * item order) once the others have settled, so no write is left in flight.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const failures: Array<{ index: number; error: unknown }> = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        await task(items[index]!);
      } catch (error) {
        failures.push({ index, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failures.length > 0) throw failures.sort((a, b) => a.index - b.index)[0]!.error;
}
