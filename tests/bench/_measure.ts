/**
 * Benchmark helper: runs a case after a warm-up, several times, and prints
 * one JSON line with the median total, the per-item cost and the peak RSS.
 */
import process from "node:process";

/** One measured case. */
export interface BenchResult {
  readonly case: string;
  readonly items: number;
  readonly runs: number;
  readonly totalMs: number;
  readonly perItemUs: number;
  readonly peakRssMb: number;
  readonly note?: string;
}

let peakRss = 0;
const sample = () => {
  const rss = process.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
};

/** Median of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measures `fn` (which processes `items` things) `runs` times after `warmup`
 * runs and prints the result as a JSON line.
 */
export async function measure(
  name: string,
  items: number,
  fn: () => Promise<void> | void,
  options: { runs?: number; warmup?: number; warmupMs?: number; note?: string } = {},
): Promise<BenchResult> {
  const runs = options.runs ?? 5;
  // Warm up for at least `warmup` runs and `warmupMs` of work, so short cases reach the
  // optimising JIT tier before they are timed (Node's takes longer to get there).
  const warmupStart = performance.now();
  for (
    let i = 0;
    i < (options.warmup ?? 1) ||
    (performance.now() - warmupStart < (options.warmupMs ?? 300) && i < 10_000);
    i++
  ) {
    await fn();
  }
  peakRss = 0;
  const timer = setInterval(sample, 5);
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      sample();
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
      sample();
    }
  } finally {
    clearInterval(timer);
  }
  const totalMs = median(times);
  const result: BenchResult = {
    case: name,
    items,
    runs,
    totalMs: Math.round(totalMs * 100) / 100,
    perItemUs: Math.round((totalMs * 1000 / items) * 100) / 100,
    peakRssMb: Math.round(peakRss / 1024 / 1024),
    ...(options.note ? { note: options.note } : {}),
  };
  console.log(JSON.stringify(result));
  return result;
}
