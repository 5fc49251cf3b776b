/**
 * Benchmark: the next 10,000 fire times of `*\/5 * * * *` in Asia/Bangkok from a fixed instant.
 * Prints one JSON line. Run with any runtime, e.g. `node --import tsx tests/bench/cron_bench.ts`,
 * `deno run -A tests/bench/cron_bench.ts` or `bun tests/bench/cron_bench.ts`.
 *
 * Each run uses a fresh `Cron` (parse included) so the cache of an earlier run does not
 * help; the median of 5 runs after a warm-up is reported.
 */
import { Cron } from "../../src/scheduler/cron.ts";
import { measure } from "./_measure.ts";

const ITEMS = 10_000;
const FROM = Date.parse("2026-01-01T00:00:00Z");
const EXPECTED_LAST = "2026-02-04T17:20:00.000Z";

function once(): number {
  const started = performance.now();
  const times = new Cron("*/5 * * * *", "Asia/Bangkok").nextRuns(FROM, ITEMS);
  const elapsed = performance.now() - started;
  const last = new Date(times[times.length - 1]).toISOString();
  if (times.length !== ITEMS || last !== EXPECTED_LAST) {
    throw new Error(`wrong result: ${times.length} items, last ${last}`);
  }
  return elapsed;
}

await measure("g-cron", ITEMS, () => {
  once();
}, { warmup: 3 });
