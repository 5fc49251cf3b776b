/**
 * SQLite `RunStore`: one `runs` row per run and one `run_jobs` row per checkpointed job. A
 * claim is one conditional `UPDATE` (queued, or still at the attempt taken over), and every
 * later write is conditional on the attempt, so several processes sharing the database file
 * can never both own a run, and a stale owner writes nothing.
 *
 * @module
 */

import type { SqliteDatabase, SqliteValue } from "../runtime/sqlite.ts";
import {
  assertCurrentAttempt,
  claimFirstQueued,
  type ClaimNextOptions,
  type ClaimOptions,
  type EnqueueOptions,
  type ListRunRecordsOptions,
  type NewRun,
  newRunRecord,
  type RunEnd,
  type RunOwner,
  type RunRecord,
  runRecordExists,
  type RunStore,
} from "./run_store.ts";
import { RUN_COLUMNS, runRecordFromRow, type RunRowData, runRowValues } from "./_sql_rows.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  state TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  owner TEXT,
  lease_until INTEGER,
  queued_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER,
  status TEXT,
  reason TEXT,
  updated_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_state ON runs (state, queued_at, run_id);
CREATE TABLE IF NOT EXISTS run_jobs (
  run_id TEXT NOT NULL,
  job TEXT NOT NULL,
  entry TEXT NOT NULL,
  PRIMARY KEY (run_id, job)
);
`;

const CURRENT = `run_id = ? AND attempt = ? AND state = 'running'`;

/** Run store on a SQLite database (see `openSqliteDatabase` in `src/runtime/sqlite.ts`). */
export class SqliteRunStore implements RunStore {
  readonly #db: SqliteDatabase;
  #closed = false;

  /** Creates the tables when missing. The store owns `db` and closes it on `close()`. */
  constructor(db: SqliteDatabase) {
    this.#db = db;
    // In WAL mode a commit survives the process that made it dying without an fsync of its
    // own; a power cut may lose the last checkpoints, whose jobs then run again. An fsync per
    // checkpoint cost ~7 ms per job (tests/bench/run_records_bench.ts).
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec(SCHEMA);
  }

  /** Runs `body` in one write transaction (other processes wait on the busy timeout). */
  #transaction<T>(body: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const value = body();
      this.#db.exec("COMMIT");
      return value;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #row(runId: string): RunRecord | null {
    const row = this.#db.all(`SELECT * FROM runs WHERE run_id = ?`, [runId])[0];
    if (!row) return null;
    const jobs = this.#db.all(`SELECT job, entry FROM run_jobs WHERE run_id = ? ORDER BY job`, [
      runId,
    ]);
    return runRecordFromRow(row, JSON.parse(String(row.data)) as RunRowData, jobs);
  }

  /** Stores a new record. */
  enqueue(run: NewRun, options?: EnqueueOptions & { now?: number }): Promise<RunRecord> {
    const record = newRunRecord(run, options);
    // The `data` column holds the fields no query filters on.
    const data: RunRowData = {
      params: record.params as Record<string, unknown>,
      labels: [...record.labels],
      ...(record.parentRunId === undefined ? {} : { parentRunId: record.parentRunId }),
      ...(record.release === undefined ? {} : { release: record.release }),
    };
    const { changes } = this.#db.run(
      `INSERT OR IGNORE INTO runs (${RUN_COLUMNS}, data)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...runRowValues(record), JSON.stringify(data)],
    );
    if (changes === 0) return Promise.reject(runRecordExists(run.runId));
    return Promise.resolve(record);
  }

  /** Claims a queued run, or takes over a running one at `options.takeOver`. */
  claim(runId: string, owner: RunOwner, options: ClaimOptions): Promise<RunRecord | null> {
    const which = options.takeOver === undefined
      ? `state = 'queued'`
      : `state = 'running' AND attempt = ${Math.trunc(options.takeOver)}`;
    const { changes } = this.#db.run(
      `UPDATE runs SET state = 'running', attempt = attempt + 1, owner = ?, lease_until = ?,
        started_at = COALESCE(started_at, ?), updated_at = ? WHERE run_id = ? AND ${which}`,
      [JSON.stringify(owner), options.now + options.leaseMs, options.now, options.now, runId],
    );
    return Promise.resolve(changes === 0 ? null : this.#row(runId));
  }

  /** Claims the oldest queued run the labels allow. */
  async claimNext(owner: RunOwner, options: ClaimNextOptions): Promise<RunRecord | null> {
    const rows = this.#db.all(
      `SELECT run_id, data FROM runs WHERE state = 'queued' ORDER BY queued_at, run_id`,
    );
    const queued = rows.map((row) => ({
      runId: String(row.run_id),
      labels: (JSON.parse(String(row.data)) as RunRowData).labels,
    }));
    return await claimFirstQueued(this, queued, owner, options);
  }

  #refuse(runId: string, attempt: number): never {
    assertCurrentAttempt(runId, this.#row(runId), attempt);
    throw new Error(`run '${runId}': the write of attempt ${attempt} changed nothing`);
  }

  /** Extends the lease. */
  renew(runId: string, attempt: number, leaseUntil: number): Promise<void> {
    try {
      const { changes } = this.#db.run(`UPDATE runs SET lease_until = ? WHERE ${CURRENT}`, [
        leaseUntil,
        runId,
        attempt,
      ]);
      if (changes === 0) this.#refuse(runId, attempt);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Records a job's end. */
  checkpoint(
    runId: string,
    attempt: number,
    job: string,
    entry: Readonly<Record<string, unknown>>,
    now: number,
  ): Promise<void> {
    try {
      const text = JSON.stringify(entry);
      this.#transaction(() => {
        const { changes } = this.#db.run(`UPDATE runs SET updated_at = ? WHERE ${CURRENT}`, [
          now,
          runId,
          attempt,
        ]);
        if (changes === 0) this.#refuse(runId, attempt);
        this.#db.run(`INSERT OR REPLACE INTO run_jobs (run_id, job, entry) VALUES (?, ?, ?)`, [
          runId,
          job,
          text,
        ]);
      });
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Ends the run. */
  finish(runId: string, attempt: number, end: RunEnd): Promise<void> {
    try {
      const { changes } = this.#db.run(
        `UPDATE runs SET state = 'ended', status = ?, reason = ?, ended_at = ?, updated_at = ?
          WHERE ${CURRENT}`,
        [end.status, end.reason ?? null, end.now, end.now, runId, attempt],
      );
      if (changes === 0) this.#refuse(runId, attempt);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The record, or `null`. */
  get(runId: string): Promise<RunRecord | null> {
    return Promise.resolve(this.#row(runId));
  }

  /** Records, oldest first. */
  list(options: ListRunRecordsOptions = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: SqliteValue[] = [];
    if (options.states !== undefined) {
      where.push(`state IN (${options.states.map(() => "?").join(", ") || "NULL"})`);
      params.push(...options.states);
    }
    if (options.workflow !== undefined) {
      where.push(`workflow = ?`);
      params.push(options.workflow);
    }
    params.push(options.limit === undefined ? -1 : Math.max(0, options.limit));
    const rows = this.#db.all(
      `SELECT run_id FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY queued_at, run_id LIMIT ?`,
      params,
    );
    return Promise.resolve(rows.map((row) => this.#row(String(row.run_id))!));
  }

  /** Removes ended records that ended before `olderThan`. */
  cleanup(options: { olderThan: number }): Promise<number> {
    return Promise.resolve(this.#transaction(() => {
      this.#db.run(
        `DELETE FROM run_jobs WHERE run_id IN
          (SELECT run_id FROM runs WHERE state = 'ended' AND ended_at < ?)`,
        [options.olderThan],
      );
      return this.#db.run(`DELETE FROM runs WHERE state = 'ended' AND ended_at < ?`, [
        options.olderThan,
      ]).changes;
    }));
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
