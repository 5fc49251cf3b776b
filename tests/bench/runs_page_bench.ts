/**
 * Benchmark q-runs-page: one page of 100 runs (filtered by workflow, after a cursor) out of
 * 10,000 runs in the file, SQLite and PostgreSQL trace stores, as `GET /runs` asks for it.
 * Prints JSON lines. `q-runs-page-file` reuses one store (ended runs are remembered after the
 * first listing); `q-runs-page-file-cold` opens a new store per page (every run.jsonl is read).
 * The PostgreSQL cases run on a throwaway server on loopback (`WF_TEST_POSTGRES_URL`, or
 * one started here); `q-trace-write-postgres` writes the 10,000 runs' 20,000 records in
 * batches of 1,000.
 */
import { mkdtempSync, rmSync } from "node:fs";
import process from "node:process";
import { tmpdir } from "node:os";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { openSqliteDatabase } from "../../src/runtime/sqlite.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";
import { SqliteTraceStore } from "../../src/results/sqlite_trace_store.ts";
import { PostgresTraceStore } from "../../src/results/postgres_trace_store.ts";
import { openPostgres } from "../../src/runtime/postgres.ts";
import { testDatabase } from "../_postgres.ts";
import type { TraceRecord, TraceStore } from "../../src/results/trace_store.ts";
import { measure } from "./_measure.ts";

const RUNS = 10_000;
const PAGE = 100;
const want = (name: string) => process.argv.length <= 2 || process.argv.includes(name);

function runRecords(i: number): TraceRecord[] {
  const runId = `run-${String(i).padStart(5, "0")}`;
  const workflow = i % 2 ? "odd" : "even";
  const start = 1_700_000_000_000 + i * 1000;
  return [
    { time: start, level: "info", runId, workflow, event: "run-start", message: "start" },
    {
      time: start + 5,
      level: "info",
      runId,
      workflow,
      event: "run-end",
      status: i % 7 ? "SUCCESS" : "FAILED",
      durationMs: 5,
      message: "end",
    },
  ];
}

async function fill(store: TraceStore, offset = 0): Promise<void> {
  for (let i = 0; i < RUNS; i += 500) {
    const batch: TraceRecord[] = [];
    for (let j = i; j < Math.min(RUNS, i + 500); j++) batch.push(...runRecords(j + offset));
    await store.write(batch);
  }
  await store.flush();
}

// The second page of `even` runs, newest first: a keyset page from the middle of the list.
const AFTER = { start: 1_700_000_000_000 + (RUNS - 2 * PAGE) * 1000, runId: "x" };
async function onePage(store: TraceStore): Promise<void> {
  const page = await store.listRuns({ workflow: "even", after: AFTER, limit: PAGE });
  if (page.length !== PAGE) throw new Error(`page of ${page.length} runs, not ${PAGE}`);
}

const dir = mkdtempSync(`${tmpdir()}/wf-bench-runs-`);
try {
  const runtime = detectRuntime();
  if (want("q-runs-page-file") || want("q-runs-page-file-cold")) {
    const root = `${dir}/logs`;
    const store = new FileTraceStore(runtime.fs, root, { clock: runtime.clock });
    await fill(store);
    await measure("q-runs-page-file", PAGE, () => onePage(store), {
      note: `1 page of ${PAGE} from ${RUNS} runs, file store (ended runs remembered)`,
    });
    await measure(
      "q-runs-page-file-cold",
      PAGE,
      () => onePage(new FileTraceStore(runtime.fs, root, { clock: runtime.clock })),
      {
        runs: 3,
        note: `the same with a new file store per page (reads every run.jsonl)`,
      },
    );
  }
  if (want("q-runs-page-sqlite")) {
    let store: SqliteTraceStore | undefined;
    try {
      store = new SqliteTraceStore(await openSqliteDatabase(`${dir}/traces.db`));
    } catch {
      // no SQLite on this runtime (Node 20): the case is left out
    }
    if (store) {
      await fill(store);
      await measure("q-runs-page-sqlite", PAGE, () => onePage(store!), {
        note: `1 page of ${PAGE} from ${RUNS} runs, SQLite store`,
      });
      await store.close();
    }
  }
  if (want("q-runs-page-postgres") || want("q-trace-write-postgres")) {
    const db = await testDatabase();
    const store = await PostgresTraceStore.open(await openPostgres(db.url));
    try {
      let round = 0;
      await measure("q-trace-write-postgres", 2 * RUNS, () => fill(store, ++round * RUNS), {
        runs: 3,
        warmup: 1,
        warmupMs: 0,
        note: `${2 * RUNS} trace records in batches of 1,000, PostgreSQL store on loopback`,
      });
      await fill(store);
      await measure("q-runs-page-postgres", PAGE, () => onePage(store), {
        note: `1 page of ${PAGE} from ${(round + 1) * RUNS} runs, PostgreSQL store on loopback`,
      });
    } finally {
      await store.close();
      await db.drop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
