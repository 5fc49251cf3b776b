/**
 * Distributed workers on one PostgreSQL database (embedded, loopback), with `workflow worker`
 * processes of this runtime:
 * - `w-runs-1`/`-2`/`-4`: 120 one-stage runs queued at once, drained by 1, 2 or 4 workers
 *   (concurrency 4 each); per item = per run; the note gives runs/s;
 * - `w-latency`: enqueue-to-start of 40 runs queued one at a time to an idle worker (woken by
 *   LISTEN/NOTIFY; its fallback poll is 5 s): p50 and p99 in the note;
 * - `w-takeover`: a worker SIGKILLed in the middle of a run; time until another worker (lease
 *   2 s, poll 0.5 s) has taken the run over and resumed it.
 * Reports; never asserts a time.
 */
import process from "node:process";
import { setupQueue } from "../distributed/_queue.ts";
import { lines, waitFor } from "../recovery/_process.ts";

const want = (name: string) => process.argv.length <= 2 || process.argv.includes(name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rss = () => Math.round(process.memoryUsage().rss / 1048576);

function print(name: string, items: number, totalMs: number, note: string) {
  console.log(JSON.stringify({
    case: name,
    items,
    runs: 1,
    totalMs: Math.round(totalMs * 10) / 10,
    perItemUs: Math.round((totalMs * 1000) / items),
    peakRssMb: rss(),
    note,
  }));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function allEnded(queue: Awaited<ReturnType<typeof setupQueue>>, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = await queue.store.list({ states: ["queued", "running"] });
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${left.length} runs did not end`);
    await sleep(10);
  }
}

const RUNS = 120;
for (const count of [1, 2, 4]) {
  if (!want(`w-runs-${count}`)) continue;
  const queue = await setupQueue();
  try {
    await Promise.all(
      Array.from({ length: count }, () => queue.worker(["--concurrency", "4", "--poll", "5"])),
    );
    const t0 = performance.now();
    for (let i = 0; i < RUNS; i++) await queue.enqueue("quick", `q-${i}`);
    await allEnded(queue, 180_000);
    const ms = performance.now() - t0;
    print(`w-runs-${count}`, RUNS, ms, `${(RUNS / (ms / 1000)).toFixed(1)} runs/s`);
  } finally {
    await queue.dispose();
  }
}

if (want("w-latency")) {
  const queue = await setupQueue();
  try {
    await queue.worker(["--poll", "5"]);
    const waits: number[] = [];
    for (let i = 0; i < 45; i++) {
      const queuedAt = Date.now();
      await queue.enqueue("quick", `lat-${i}`);
      await allEnded(queue, 30_000);
      const record = await queue.store.get(`lat-${i}`);
      if (i >= 5) waits.push(record!.startedAt! - queuedAt); // the first 5 warm up
      await sleep(20);
    }
    print(
      "w-latency",
      waits.length,
      waits.reduce((a, b) => a + b, 0),
      `enqueue→start p50 ${percentile(waits, 50)} ms, p99 ${percentile(waits, 99)} ms`,
    );
  } finally {
    await queue.dispose();
  }
}

if (want("w-takeover")) {
  const queue = await setupQueue();
  try {
    const doomed = await queue.worker(["--lease", "2", "--poll", "0.5"]);
    await queue.enqueue("three", "victim", { n: "1", pause: "3" });
    await waitFor("the first job", () => lines(queue.marks).includes("1 first"), 30_000);
    await sleep(300);
    const heir = await queue.worker(["--lease", "2", "--poll", "0.5"]);
    const t0 = performance.now();
    doomed.child.kill("SIGKILL");
    await waitFor("the takeover", () => heir.output().includes("took over run victim"), 30_000);
    const ms = performance.now() - t0;
    await allEnded(queue, 30_000);
    print("w-takeover", 1, ms, "SIGKILL → resumed by another worker, lease 2 s, poll 0.5 s");
  } finally {
    await queue.dispose();
  }
}
process.exit(0);
