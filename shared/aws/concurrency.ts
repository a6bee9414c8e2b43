/**
 * Runs `task` over `items` with at most `limit` running at once; results keep the input order.
 * The first failure rejects the whole run (tasks already started still finish); a caller that
 * wants to go on past failures catches inside `task`.
 *
 * @example
 * const buckets = await mapWithConcurrency(names, 8, (name) => reader.bucket(name));
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
