/**
 * SQLite `TraceStore`: a `traces` table (one row per record) and a `runs` table (one row per
 * run, updated on run start and run end). Each `write` is one transaction.
 *
 * @module
 */

import type { SqliteDatabase, SqliteValue } from "../runtime/sqlite.ts";
import { runSummaryFromRow, traceRecordFromRow } from "./_sql_rows.ts";
import {
  type CleanupOptions,
  type ListRunsOptions,
  type RunSummary,
  type TraceRecord,
  type TraceStore,
  updateRunSummary,
} from "./trace_store.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS traces (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  parent_run_id TEXT,
  time INTEGER NOT NULL,
  level TEXT NOT NULL,
  workflow TEXT NOT NULL,
  job TEXT,
  strategy TEXT,
  stage TEXT,
  event TEXT,
  status TEXT,
  duration_ms REAL,
  message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_run_id ON traces (run_id, seq);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  parent_run_id TEXT,
  workflow TEXT NOT NULL,
  status TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER,
  duration_ms REAL
);
CREATE INDEX IF NOT EXISTS runs_start ON runs (start DESC, run_id DESC);
CREATE INDEX IF NOT EXISTS runs_workflow_start ON runs (workflow, start DESC, run_id DESC);
`;

/** Columns added after the first schema: added to older databases when opened. */
const ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = [
  { table: "traces", column: "rerun_of", type: "TEXT" },
  { table: "runs", column: "rerun_of", type: "TEXT" },
];

const INSERT_TRACE = `INSERT INTO traces (run_id, parent_run_id, time, level, workflow, job,
  strategy, stage, event, status, duration_ms, message, rerun_of)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPSERT_RUN = `INSERT INTO runs (run_id, parent_run_id, workflow, status, start, "end",
  duration_ms, rerun_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET
  parent_run_id = excluded.parent_run_id, workflow = excluded.workflow,
  status = excluded.status, start = excluded.start, "end" = excluded."end",
  duration_ms = excluded.duration_ms, rerun_of = excluded.rerun_of`;
/** A run first seen through records other than its start or end (a partial trace). */
const INSERT_RUN_IF_NEW = `INSERT OR IGNORE INTO runs (run_id, parent_run_id, workflow, status,
  start) VALUES (?, ?, ?, 'WAIT', ?)`;

const nullable = (value: string | number | undefined): SqliteValue => value ?? null;

/** Trace store on a SQLite database (see `openSqliteDatabase` in `src/runtime/sqlite.ts`). */
export class SqliteTraceStore implements TraceStore {
  readonly #db: SqliteDatabase;
  #closed = false;

  /** Creates the tables when missing. The store owns `db` and closes it on `close()`. */
  constructor(db: SqliteDatabase) {
    this.#db = db;
    db.exec(SCHEMA);
    for (const { table, column, type } of ADDED_COLUMNS) {
      const columns = db.all(`PRAGMA table_info(${table})`).map((row) => String(row.name));
      if (!columns.includes(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
    // Databases written before every run got a `runs` row with its first records.
    this.#adoptRunsWithoutLifecycle();
  }

  /** Appends records in one transaction. */
  write(records: readonly TraceRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const db = this.#db;
    db.exec("BEGIN IMMEDIATE");
    try {
      const summaries = new Map<string, RunSummary | undefined>();
      for (const record of records) {
        db.run(INSERT_TRACE, [
          record.runId,
          nullable(record.parentRunId),
          record.time,
          record.level,
          record.workflow,
          nullable(record.job),
          nullable(record.strategy),
          nullable(record.stage),
          nullable(record.event),
          nullable(record.status),
          nullable(record.durationMs),
          record.message,
          nullable(record.rerunOf),
        ]);
        if (record.event !== "run-start" && record.event !== "run-end") {
          if (!summaries.has(record.runId)) {
            // Listed (WAIT) before its start or end arrives, so listing needs no scan.
            db.run(INSERT_RUN_IF_NEW, [
              record.runId,
              nullable(record.parentRunId),
              record.workflow,
              record.time,
            ]);
            summaries.set(record.runId, undefined);
          }
          continue;
        }
        let summary = summaries.get(record.runId) ??
          (record.event === "run-start" ? undefined : this.#readRun(record.runId));
        summary = updateRunSummary(summary, record);
        summaries.set(record.runId, summary);
      }
      for (const summary of summaries.values()) {
        if (!summary) continue;
        db.run(UPSERT_RUN, [
          summary.runId,
          nullable(summary.parentRunId),
          summary.workflow,
          summary.status,
          summary.start,
          nullable(summary.end),
          nullable(summary.durationMs),
          nullable(summary.rerunOf),
        ]);
      }
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      return Promise.reject(error);
    }
    return Promise.resolve();
  }

  #readRun(runId: string): RunSummary | undefined {
    const row = this.#db.all(`SELECT * FROM runs WHERE run_id = ?`, [runId])[0];
    return row ? runSummaryFromRow(row) : undefined;
  }

  /** Runs, newest first, filtered and paged in SQL (`WHERE … ORDER BY start DESC, run_id
   * DESC LIMIT`, on the `(start, run_id)` and `(workflow, start, run_id)` indexes). */
  listRuns(options: ListRunsOptions = {}): Promise<RunSummary[]> {
    const limit = options.limit === undefined ? -1 : Math.max(0, options.limit);
    const offset = Math.max(0, options.offset ?? 0);
    const where: string[] = [];
    const args: SqliteValue[] = [];
    if (options.workflow !== undefined) {
      where.push("workflow = ?");
      args.push(options.workflow);
    }
    if (options.status !== undefined) {
      where.push("status = ?");
      args.push(options.status);
    }
    if (options.since !== undefined) {
      where.push("start >= ?");
      args.push(options.since);
    }
    if (options.until !== undefined) {
      where.push("start < ?");
      args.push(options.until);
    }
    if (options.after !== undefined) {
      where.push("(start < ? OR (start = ? AND run_id < ?))");
      args.push(options.after.start, options.after.start, options.after.runId);
    }
    const rows = this.#db.all(
      `SELECT * FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY start DESC, run_id DESC LIMIT ? OFFSET ?`,
      [...args, limit, offset],
    );
    return Promise.resolve(rows.map(runSummaryFromRow));
  }

  /** Adds `runs` rows for runs that only have log records (databases written before `write`
   * added a row with a run's first records). */
  #adoptRunsWithoutLifecycle(): void {
    const rows = this.#db.all(
      `SELECT t.run_id, t.parent_run_id, t.workflow, MIN(t.time) AS start FROM traces t
       LEFT JOIN runs r ON r.run_id = t.run_id WHERE r.run_id IS NULL GROUP BY t.run_id`,
    );
    for (const row of rows) {
      this.#db.run(UPSERT_RUN, [
        row.run_id,
        row.parent_run_id,
        row.workflow,
        "WAIT",
        row.start,
        null,
        null,
        null,
      ]);
    }
  }

  /** Records of one run in write order, or `null`. */
  getTrace(runId: string): Promise<TraceRecord[] | null> {
    const rows = this.#db.all(`SELECT * FROM traces WHERE run_id = ? ORDER BY seq`, [runId]);
    if (rows.length === 0) return Promise.resolve(null);
    return Promise.resolve(rows.map(traceRecordFromRow));
  }

  /** Removes old runs and their records; returns how many runs. */
  cleanup(options: CleanupOptions): Promise<number> {
    this.#adoptRunsWithoutLifecycle();
    const db = this.#db;
    db.exec("BEGIN IMMEDIATE");
    try {
      const where = `COALESCE("end", start) < ?`;
      db.run(`DELETE FROM traces WHERE run_id IN (SELECT run_id FROM runs WHERE ${where})`, [
        options.olderThan,
      ]);
      const { changes } = db.run(`DELETE FROM runs WHERE ${where}`, [options.olderThan]);
      db.exec("COMMIT");
      return Promise.resolve(changes);
    } catch (error) {
      db.exec("ROLLBACK");
      return Promise.reject(error);
    }
  }

  /** Writes are synchronous: nothing to flush. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes the database. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#db.close();
    }
    return Promise.resolve();
  }
}
