/**
 * Bounded concurrency without polling: at most `limit` tasks in flight, the
 * next one starting as soon as one settles.
 *
 * @module
 */

/** Options of {@linkcode forEachLimited}. */
export interface ForEachLimitedOptions<T> {
  /** Checked before each item starts; once it returns `true` no new item starts.
   * @default never stop */
  readonly shouldStop?: () => boolean;
  /**
   * Records a task that threw (or rejected) as a failure of its item, so no item can go
   * missing from the caller's results. Without it, `forEachLimited` rejects with that error
   * once every lane has settled. A throw from `onError` itself is treated the same way.
   */
  readonly onError?: (error: unknown, item: T, index: number) => void;
}

/**
 * Runs `task(item, index)` for every item with at most `limit` running at once, and resolves
 * when all have settled. A task that throws does not stop the other lanes (its lane goes on
 * with the next item): the error goes to `options.onError`, or, without one, makes the
 * returned promise reject once everything has settled (with the error, or an
 * `AggregateError` when several tasks failed).
 *
 * @example
 * ```ts
 * const failed: number[] = [];
 * await forEachLimited([1, 2, 3], 2, async (n) => {
 *   if (n === 2) throw new Error("bad item");
 * }, { onError: (_error, _item, index) => failed.push(index) });
 * // failed = [1]
 * ```
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
  options: ForEachLimitedOptions<T> = {},
): Promise<void> {
  const { shouldStop = () => false, onError } = options;
  const width = Math.max(1, Math.min(limit, items.length));
  const errors: unknown[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length && !shouldStop()) {
      const index = next++;
      try {
        await task(items[index], index);
      } catch (error) {
        // A throw must not stop the other lanes, and must not vanish either.
        try {
          if (!onError) throw error;
          onError(error, items[index], index);
        } catch (unrecorded) {
          errors.push(unrecorded);
        }
      }
    }
  };
  const lanes: Promise<void>[] = [];
  for (let i = 0; i < width; i++) lanes.push(lane());
  await Promise.all(lanes);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} tasks failed`);
}
