/**
 * Benchmark r-records: what keeping run records costs a run, per job. A workflow of 50 chained
 * one-stage jobs runs through the engine with no run store (`r-records-none`), a file run store
 * (`r-records-file`: one record write per checkpoint, atomically replaced) and a SQLite one
 * (`r-records-sqlite`). Prints JSON lines.
 */
import { mkdtempSync, rmSync } from "node:fs";
import process from "node:process";
import { tmpdir } from "node:os";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { openSqliteDatabase } from "../../src/runtime/sqlite.ts";
import { indexConfig } from "../../src/config/loader.ts";
import { Engine } from "../../src/engine.ts";
import { FileRunStore } from "../../src/results/file_run_store.ts";
import { SqliteRunStore } from "../../src/results/sqlite_run_store.ts";
import type { RunStore } from "../../src/results/run_store.ts";
import { measure } from "./_measure.ts";

const JOBS = 50;
const want = (name: string) => process.argv.length <= 2 || process.argv.includes(name);

const jobs = Array.from(
  { length: JOBS },
  (_, i) =>
    `    j${i}:\n${
      i > 0 ? `      needs: [j${i - 1}]\n` : ""
    }      stages:\n        - name: s\n          echo: hi\n`,
);
const yaml = `chain:\n  type: Workflow\n  jobs:\n${jobs.join("")}`;

const dir = mkdtempSync(`${tmpdir()}/wf-bench-records-`);
try {
  const runtime = detectRuntime();
  const config = indexConfig([{ path: "chain.yml", text: yaml }]);
  const engineWith = (runs: RunStore | null) =>
    Engine.create({ runtime, config, traces: null, audits: null, runs });
  const run = async (engine: Engine) => {
    const result = await engine.execute("chain");
    if (result.status !== "SUCCESS") throw new Error(`run ended ${result.status}`);
  };
  if (want("r-records-none")) {
    const engine = await engineWith(null);
    await measure("r-records-none", JOBS, () => run(engine), {
      note: `${JOBS} chained jobs, no run store`,
    });
    await engine.close();
  }
  if (want("r-records-file")) {
    const engine = await engineWith(new FileRunStore(runtime.fs, `${dir}/runs`));
    await measure("r-records-file", JOBS, () => run(engine), {
      note: `the same, each job checkpointed into a file run record`,
    });
    await engine.close();
  }
  if (want("r-records-sqlite")) {
    let store: SqliteRunStore | undefined;
    try {
      store = new SqliteRunStore(await openSqliteDatabase(`${dir}/runs.db`));
    } catch {
      // no SQLite on this runtime (Node 20)
    }
    if (store) {
      const engine = await engineWith(store);
      await measure("r-records-sqlite", JOBS, () => run(engine), {
        note: `the same, each job checkpointed into a SQLite run record`,
      });
      await engine.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
