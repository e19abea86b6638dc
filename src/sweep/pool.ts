/** Runs `work` over items with at most `width` in flight; `done` is called in item order. */
export async function inOrderPool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>, done: (item: T, result: R) => void): Promise<void> {
  const results = new Map<number, R>();
  let next = 0;
  let flushed = 0;
  const flush = (): void => {
    while (results.has(flushed)) {
      done(items[flushed] as T, results.get(flushed) as R);
      results.delete(flushed);
      flushed++;
    }
  };
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results.set(i, await work(items[i] as T));
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
