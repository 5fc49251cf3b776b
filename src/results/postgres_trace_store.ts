/**
 * PostgreSQL `TraceStore`: `workflow_trace_records` (one row per record, in write order by an
 * identity column) and `workflow_trace_runs` (one row per run, updated on its start and end,
 * indexed for the run listing's filters and keyset paging). Each `write` is one transaction,
 * and a store applies its writes one after another in call order.
 *
 * @module
 */

import type { SqlClient, SqlQueryable, SqlValue } from "../runtime/sql.ts";
import { runSummaryFromRow, traceRecordFromRow } from "./_sql_rows.ts";
import { migratePostgres } from "./postgres_schema.ts";
import {
  type CleanupOptions,
  type ListRunsOptions,
  type RunSummary,
  type TraceRecord,
  type TraceStore,
  updateRunSummary,
} from "./trace_store.ts";

const RECORD_COLUMNS = `run_id, parent_run_id, time, level, workflow, job, strategy, stage,
  event, status, duration_ms, message, rerun_of`;
/** A `RunSummary` field of a JSON element `v`, typed for its column. */
const RUN_FIELDS = [
  `v->>'runId'`,
  `v->>'parentRunId'`,
  `v->>'workflow'`,
  `v->>'status'`,
  `(v->>'start')::bigint`,
  `(v->>'end')::bigint`,
  `(v->>'durationMs')::double precision`,
  `v->>'rerunOf'`,
];

/**
 * Trace store on a PostgreSQL database. Open it with {@linkcode PostgresTraceStore.open},
 * which migrates the schema first.
 *
 * @example
 * ```ts ignore
 * import { Engine, detectRuntime, openPostgres, PostgresTraceStore } from "@ddeutil/workflow";
 * const traces = await PostgresTraceStore.open(await openPostgres("postgres://app:pw@db/wf"));
 * const engine = await Engine.create({ runtime: detectRuntime(), traces });
 * ```
 */
export class PostgresTraceStore implements TraceStore {
  readonly #sql: SqlClient;
  #tail: Promise<void> = Promise.resolve();
  #closed: Promise<void> | undefined;

  /** Uses `sql` as it is (the schema must be migrated); prefer {@linkcode open}. The store owns
   * `sql` and closes it on `close()`. */
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /**
   * Migrates the database (once across processes) and returns a store on it.
   *
   * @throws {StoreError} when the schema cannot be migrated.
   */
  static async open(sql: SqlClient): Promise<PostgresTraceStore> {
    await migratePostgres(sql);
    return new PostgresTraceStore(sql);
  }

  /** Appends records in one transaction, after every earlier `write` of this store. */
  write(records: readonly TraceRecord[]): Promise<void> {
    if (records.length === 0) return this.#tail;
    const done = this.#tail.then(() => this.#sql.transaction((tx) => writeBatch(tx, records)));
    this.#tail = done.then(() => {}, () => {});
    return done;
  }

  /** Runs, newest first, filtered and paged in SQL (`WHERE … ORDER BY start DESC, run_id
   * DESC LIMIT`, on the `(start, run_id)`, `(workflow, start, run_id)` and
   * `(status, start, run_id)` indexes). */
  async listRuns(options: ListRunsOptions = {}): Promise<RunSummary[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const bind = (value: SqlValue) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (options.workflow !== undefined) where.push(`workflow = ${bind(options.workflow)}`);
    if (options.status !== undefined) where.push(`status = ${bind(options.status)}`);
    if (options.since !== undefined) where.push(`start >= ${bind(options.since)}`);
    if (options.until !== undefined) where.push(`start < ${bind(options.until)}`);
    if (options.after !== undefined) {
      where.push(`(start, run_id) < (${bind(options.after.start)}, ${bind(options.after.runId)})`);
    }
    let paging = `OFFSET ${bind(Math.max(0, options.offset ?? 0))}`;
    if (options.limit !== undefined) paging = `LIMIT ${bind(Math.max(0, options.limit))} ${paging}`;
    const rows = await this.#sql.query(
      `SELECT * FROM workflow_trace_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY start DESC, run_id DESC ${paging}`,
      params,
    );
    return rows.map(runSummaryFromRow);
  }

  /** Records of one run in write order, or `null`. */
  async getTrace(runId: string): Promise<TraceRecord[] | null> {
    await this.#tail;
    const rows = await this.#sql.query(
      `SELECT * FROM workflow_trace_records WHERE run_id = $1 ORDER BY seq`,
      [runId],
    );
    if (rows.length === 0) return null;
    return rows.map(traceRecordFromRow);
  }

  /** Removes old runs and their records in one transaction; returns how many runs. */
  cleanup(options: CleanupOptions): Promise<number> {
    return this.#sql.transaction(async (tx) => {
      const old = `COALESCE("end", start) < $1`;
      await tx.query(
        `DELETE FROM workflow_trace_records WHERE run_id IN
          (SELECT run_id FROM workflow_trace_runs WHERE ${old})`,
        [options.olderThan],
      );
      const removed = await tx.query(
        `DELETE FROM workflow_trace_runs WHERE ${old} RETURNING 1`,
        [options.olderThan],
      );
      return removed.length;
    });
  }

  /** Resolves once every write so far has committed. */
  flush(): Promise<void> {
    return this.#tail;
  }

  /** Waits for pending writes, then closes the connections. */
  close(): Promise<void> {
    this.#closed ??= this.#tail.then(() => this.#sql.close());
    return this.#closed;
  }
}

async function writeBatch(tx: SqlQueryable, records: readonly TraceRecord[]): Promise<void> {
  // The whole batch travels as one JSON parameter: one statement however many records, and
  // `ORDER BY n` keeps the identity column in write order.
  await tx.query(
    `INSERT INTO workflow_trace_records (${RECORD_COLUMNS})
     SELECT v->>'runId', v->>'parentRunId', (v->>'time')::bigint, v->>'level', v->>'workflow',
       v->>'job', v->>'strategy', v->>'stage', v->>'event', v->>'status',
       (v->>'durationMs')::double precision, v->>'message', v->>'rerunOf'
     FROM json_array_elements($1::text::json) WITH ORDINALITY AS batch(v, n) ORDER BY n`,
    [JSON.stringify(records)],
  );
  await updateRuns(tx, records);
}

/**
 * Brings the `workflow_trace_runs` rows of the runs in `records` up to date in at most three
 * statements: runs that only logged get a `WAIT` row if they have none, runs that started or
 * ended get their summary (folded from their stored row when the batch does not start them).
 */
async function updateRuns(tx: SqlQueryable, records: readonly TraceRecord[]): Promise<void> {
  const started = new Set<string>();
  const needStored = new Set<string>();
  for (const record of records) {
    if (record.event === "run-start") started.add(record.runId);
    else if (record.event === "run-end" && !started.has(record.runId)) {
      needStored.add(record.runId);
    }
  }
  const stored = new Map<string, RunSummary>();
  if (needStored.size > 0) {
    const ids = [...needStored];
    const rows = await tx.query(
      `SELECT * FROM workflow_trace_runs WHERE run_id IN (${
        ids.map((_, i) => `$${i + 1}`).join(", ")
      })`,
      ids,
    );
    for (const row of rows) stored.set(String(row.run_id), runSummaryFromRow(row));
  }
  /** Runs first seen through a log line: listed (WAIT) before their start or end arrives. */
  const waiting = new Map<string, RunSummary>();
  const summaries = new Map<string, RunSummary>();
  for (const record of records) {
    if (record.event !== "run-start" && record.event !== "run-end") {
      if (!summaries.has(record.runId) && !waiting.has(record.runId)) {
        waiting.set(record.runId, {
          runId: record.runId,
          ...(record.parentRunId === undefined ? {} : { parentRunId: record.parentRunId }),
          workflow: record.workflow,
          status: "WAIT",
          start: record.time,
        });
      }
      continue;
    }
    const previous = summaries.get(record.runId) ??
      (record.event === "run-start"
        ? undefined
        : stored.get(record.runId) ?? waiting.get(record.runId));
    summaries.set(record.runId, updateRunSummary(previous, record));
  }
  const onlyWaiting = [...waiting.values()].filter((run) => !summaries.has(run.runId));
  if (onlyWaiting.length > 0) {
    await tx.query(
      `INSERT INTO workflow_trace_runs (run_id, parent_run_id, workflow, status, start)
       SELECT ${
        RUN_FIELDS.slice(0, 5).join(", ")
      } FROM json_array_elements($1::text::json) AS runs(v)
       ON CONFLICT (run_id) DO NOTHING`,
      [JSON.stringify(onlyWaiting)],
    );
  }
  if (summaries.size > 0) {
    await tx.query(
      `INSERT INTO workflow_trace_runs (run_id, parent_run_id, workflow, status, start, "end",
        duration_ms, rerun_of)
       SELECT ${RUN_FIELDS.join(", ")} FROM json_array_elements($1::text::json) AS runs(v)
       ON CONFLICT (run_id) DO UPDATE SET parent_run_id = excluded.parent_run_id,
        workflow = excluded.workflow, status = excluded.status, start = excluded.start,
        "end" = excluded."end", duration_ms = excluded.duration_ms,
        rerun_of = excluded.rerun_of`,
      [JSON.stringify([...summaries.values()])],
    );
  }
}
