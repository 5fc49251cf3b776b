/**
 * Bounded concurrency without polling: at most `limit` tasks in flight, the
 * next one starting as soon as one settles.
 *
 * @module
 */

/**
 * Runs `task(item, index)` for every item with at most `limit` running at once.
 * Resolves when all have settled; never rejects (tasks report their own errors).
 * Stops starting new items once `shouldStop()` returns true.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  const width = Math.max(1, Math.min(limit, items.length));
  let next = 0;
  const lane = async () => {
    while (next < items.length && !shouldStop()) {
      const index = next++;
      try {
        await task(items[index], index);
      } catch {
        // Tasks record their own failures; a throw must not stop the other lanes.
      }
    }
  };
  const lanes: Promise<void>[] = [];
  for (let i = 0; i < width; i++) lanes.push(lane());
  await Promise.all(lanes);
}
