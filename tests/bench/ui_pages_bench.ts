/**
 * Benchmark u-ui: server-rendering each web UI page (through `api.request()`, session check,
 * CSP and all) with 10,000 runs in the file, SQLite and PostgreSQL trace stores. One case per
 * page and store; prints JSON lines (`perItemUs` is the time of one page). The PostgreSQL cases
 * run on a throwaway server on loopback (`WF_TEST_POSTGRES_URL`, or one started here).
 */
import { mkdtempSync, rmSync } from "node:fs";
import process from "node:process";
import { tmpdir } from "node:os";
import { createApi } from "../../src/api/mod.ts";
import { indexConfig } from "../../src/config/loader.ts";
import { Engine } from "../../src/engine.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { PostgresTraceStore } from "../../src/results/postgres_trace_store.ts";
import { SqliteTraceStore } from "../../src/results/sqlite_trace_store.ts";
import type { TraceRecord, TraceStore } from "../../src/results/trace_store.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { openPostgres } from "../../src/runtime/postgres.ts";
import { openSqliteDatabase } from "../../src/runtime/sqlite.ts";
import { testDatabase } from "../_postgres.ts";
import { UI_CONF } from "../ui/_ui_fixture.ts";
import { measure } from "./_measure.ts";

const RUNS = 10_000;
const WORKFLOWS = ["etl-daily", "quick", "flaky", "long"];
const want = (name: string) => process.argv.length <= 2 || process.argv.includes(name);

const runIdOf = (i: number) =>
  `2024010100000000${String(i).padStart(4, "0")}T${String(i).padStart(10, "0")}`;

/** The records of one run: start, two jobs of one stage each, end. */
function runRecords(i: number): TraceRecord[] {
  const runId = runIdOf(i);
  const workflow = WORKFLOWS[i % WORKFLOWS.length];
  const t = 1_700_000_000_000 + i * 1000;
  const failed = i % 7 === 0;
  const base = { level: "info" as const, runId, workflow };
  const job = (id: string, at: number, status: "SUCCESS" | "FAILED"): TraceRecord[] => [
    { ...base, time: at, job: id, event: "job-start", message: `[JOB]: Start '${id}'` },
    {
      ...base,
      time: at + 1,
      job: id,
      stage: `${id}-s`,
      event: "stage-start",
      message: `[STAGE]: Start 'Step ${id}'`,
    },
    { ...base, time: at + 2, job: id, stage: `${id}-s`, message: `working on ${id}` },
    {
      ...base,
      time: at + 3,
      job: id,
      stage: `${id}-s`,
      event: "stage-end",
      status,
      durationMs: 2,
      level: status === "FAILED" ? "error" : "info",
      message: `[STAGE]: End 'Step ${id}' ${status} in 2 ms${
        status === "FAILED" ? ": RaiseError: boom" : ""
      }`,
    },
    {
      ...base,
      time: at + 4,
      job: id,
      event: "job-end",
      status,
      durationMs: 4,
      message: `[JOB]: End '${id}' ${status}`,
    },
  ];
  return [
    { ...base, time: t, event: "run-start", message: `[WORKFLOW]: Start '${workflow}'` },
    ...job("first", t + 1, "SUCCESS"),
    ...job("second", t + 10, failed ? "FAILED" : "SUCCESS"),
    {
      ...base,
      time: t + 20,
      event: "run-end",
      status: failed ? "FAILED" : "SUCCESS",
      durationMs: 20,
      message: `[WORKFLOW]: End '${workflow}'`,
    },
  ];
}

async function fill(store: TraceStore): Promise<void> {
  for (let i = 0; i < RUNS; i += 500) {
    const batch: TraceRecord[] = [];
    for (let j = i; j < Math.min(RUNS, i + 500); j++) batch.push(...runRecords(j));
    await store.write(batch);
  }
  await store.flush();
}

const PAGES: readonly [string, string][] = [
  ["workflows", "/ui/workflows"],
  ["workflow", "/ui/workflows/etl-daily"],
  ["runs", "/ui/runs"],
  ["runs-filtered", "/ui/runs?workflow=flaky&status=FAILED&since=2023-11-14"],
  ["run", `/ui/runs/${runIdOf(RUNS - 7)}`],
  ["schedules", "/ui/schedules"],
  ["audits", "/ui/audits"],
];

async function benchPages(kind: string, traces: TraceStore): Promise<void> {
  const runtime = detectRuntime();
  const config = indexConfig(Object.entries(UI_CONF).map(([path, text]) => ({ path, text })));
  const engine = await Engine.create({ runtime, config, traces, audits: new MemoryAuditStore() });
  const api = createApi(engine, { token: "" });
  const first = await api.request("/ui/workflows");
  const cookie = (first.headers.get("set-cookie") ?? "").split(";")[0];
  for (const [name, path] of PAGES) {
    await measure(`u-ui-${name}-${kind}`, 1, async () => {
      const response = await api.request(path, { headers: { cookie } });
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
      await response.text();
    }, { note: `GET ${path} with ${RUNS} runs in the ${kind} trace store` });
  }
  await api.close();
  await engine.close();
}

const dir = mkdtempSync(`${tmpdir()}/wf-bench-ui-`);
try {
  if (want("file")) {
    const store = new FileTraceStore(detectRuntime().fs, `${dir}/logs`, {
      clock: detectRuntime().clock,
    });
    await fill(store);
    await benchPages("file", store);
  }
  if (want("sqlite")) {
    let store: SqliteTraceStore | undefined;
    try {
      store = new SqliteTraceStore(await openSqliteDatabase(`${dir}/traces.db`));
    } catch {
      // no SQLite on this runtime (Node 20): the cases are left out
    }
    if (store) {
      await fill(store);
      await benchPages("sqlite", store);
      await store.close();
    }
  }
  if (want("postgres")) {
    const db = await testDatabase();
    try {
      const store = await PostgresTraceStore.open(await openPostgres(db.url));
      try {
        await fill(store);
        await benchPages("postgres", store);
      } finally {
        await store.close();
      }
    } finally {
      await db.drop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
