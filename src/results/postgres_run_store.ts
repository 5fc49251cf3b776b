/**
 * PostgreSQL `RunStore`: one `workflow_runs` row per run and one `workflow_run_jobs` row per
 * checkpointed job. A claim is one `UPDATE` whose target row is picked with
 * `FOR UPDATE SKIP LOCKED`, so any number of workers claim from one queue without waiting on
 * each other and no run is claimed twice; every later write is conditional on the attempt, so
 * a worker that was taken over writes nothing. Enqueueing a run and asking to cancel one send
 * a `NOTIFY` (channels {@linkcode RUN_QUEUED_CHANNEL} and {@linkcode RUN_CANCEL_CHANNEL}) in
 * the same statement, so listeners wake as soon as the row is visible.
 *
 * @module
 */

import type { SqlClient, SqlQueryable, SqlRow, SqlSubscription, SqlValue } from "../runtime/sql.ts";
import {
  assertCurrentAttempt,
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
import { migratePostgres } from "./postgres_schema.ts";
import { jsonColumn, RUN_COLUMNS, runRecordFromRow, runRowValues } from "./_sql_rows.ts";

/** Channel notified with the run id of every run enqueued (queued, not pre-claimed). */
export const RUN_QUEUED_CHANNEL = "workflow_run_queued";
/** Channel notified with the run id of every run asked to cancel. */
export const RUN_CANCEL_CHANNEL = "workflow_run_cancel";

const CURRENT = `run_id = $1 AND attempt = $2 AND state = 'running'`;

function toRecord(row: SqlRow, jobs: readonly SqlRow[]): RunRecord {
  return runRecordFromRow(row, {
    params: jsonColumn(row.params) as RunRecord["params"],
    labels: jsonColumn(row.labels) as string[],
    ...(row.parent_run_id === null ? {} : { parentRunId: String(row.parent_run_id) }),
    ...(row.release === null ? {} : { release: jsonColumn(row.release) as RunRecord["release"] }),
  }, jobs);
}

/** A record just claimed, with the owner it was taken from (a takeover). */
export type ClaimedRunRecord = RunRecord & { readonly previousOwner?: RunOwner };

/** Options of {@linkcode PostgresRunStore.claimExpired}. */
export interface ClaimExpiredOptions extends ClaimNextOptions {
  /** Only take over runs whose lease ended before this, epoch ms. @default `now` */
  readonly expiredBefore?: number;
  /** Runs not to take over: the claimer's own, whose lease it is late renewing. */
  readonly except?: readonly string[];
}

/**
 * Run store on a PostgreSQL database. Open it with {@linkcode PostgresRunStore.open}, which
 * migrates the schema first. Besides the `RunStore` contract it offers what distributed
 * workers need: {@linkcode claimExpired} (take over a run whose lease ran out),
 * {@linkcode requestCancel} / {@linkcode cancelRequested}, and {@linkcode onQueued} /
 * {@linkcode onCancel} (LISTEN).
 *
 * @example
 * ```ts ignore
 * import { openPostgres, PostgresRunStore } from "@ddeutil/workflow";
 * const runs = await PostgresRunStore.open(await openPostgres("postgres://app:pw@db/wf"));
 * const next = await runs.claimNext({ id: "worker-1" }, { now: Date.now(), leaseMs: 30_000 });
 * ```
 */
export class PostgresRunStore implements RunStore {
  readonly #sql: SqlClient;

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
  static async open(sql: SqlClient): Promise<PostgresRunStore> {
    await migratePostgres(sql);
    return new PostgresRunStore(sql);
  }

  async #read(db: SqlQueryable, runId: string): Promise<RunRecord | null> {
    const [row] = await db.query(`SELECT * FROM workflow_runs WHERE run_id = $1`, [runId]);
    if (!row) return null;
    const jobs = await db.query(
      `SELECT job, entry FROM workflow_run_jobs WHERE run_id = $1 ORDER BY job COLLATE "C"`,
      [runId],
    );
    return toRecord(row, jobs);
  }

  /** Stores a new record; a queued one is announced on {@linkcode RUN_QUEUED_CHANNEL}. */
  async enqueue(run: NewRun, options?: EnqueueOptions & { now?: number }): Promise<RunRecord> {
    const record = newRunRecord(run, options);
    const rows = await this.#sql.query(
      `WITH added AS (
        INSERT INTO workflow_runs (${RUN_COLUMNS}, labels, params, parent_run_id, release)
        VALUES ($1, $2, $3, $4, $5::text::json, $6, $7, $8, $9, $10::text::jsonb,
          $11::text::json, $12, $13::text::json)
        ON CONFLICT (run_id) DO NOTHING RETURNING run_id, state)
      SELECT run_id, CASE WHEN state = 'queued' THEN pg_notify($14, run_id) END AS notified
        FROM added`,
      [
        ...runRowValues(record),
        JSON.stringify(record.labels),
        JSON.stringify(record.params),
        record.parentRunId ?? null,
        record.release ? JSON.stringify(record.release) : null,
        RUN_QUEUED_CHANNEL,
      ],
    );
    if (rows.length === 0) throw runRecordExists(run.runId);
    return record;
  }

  /** One claiming `UPDATE` of the row `pick` selects (locked, skipping locked rows). */
  async #claimWhere(
    owner: RunOwner,
    now: number,
    leaseMs: number,
    pick: string,
    params: readonly SqlValue[],
  ): Promise<ClaimedRunRecord | null> {
    const base = params.length;
    const rows = await this.#sql.query(
      `WITH picked AS (SELECT run_id, owner FROM workflow_runs
          WHERE run_id = (${pick} FOR UPDATE SKIP LOCKED LIMIT 1))
       UPDATE workflow_runs SET state = 'running', attempt = attempt + 1,
        owner = $${base + 1}::text::json, lease_until = $${base + 2},
        started_at = COALESCE(started_at, $${base + 3}), updated_at = $${base + 3}
       FROM picked WHERE workflow_runs.run_id = picked.run_id
       RETURNING workflow_runs.run_id, picked.owner AS previous_owner`,
      [...params, JSON.stringify(owner), now + leaseMs, now],
    );
    if (rows.length === 0) return null;
    const record = await this.#read(this.#sql, String(rows[0].run_id));
    if (record === null) return null;
    const previous = rows[0].previous_owner;
    return previous === null || previous === undefined
      ? record
      : { ...record, previousOwner: jsonColumn(previous) as RunOwner };
  }

  /** Claims a queued run, or takes over a running one still at `options.takeOver`. */
  claim(runId: string, owner: RunOwner, options: ClaimOptions): Promise<RunRecord | null> {
    return options.takeOver === undefined
      ? this.#claimWhere(
        owner,
        options.now,
        options.leaseMs,
        `SELECT run_id FROM workflow_runs WHERE run_id = $1 AND state = 'queued'`,
        [runId],
      )
      : this.#claimWhere(
        owner,
        options.now,
        options.leaseMs,
        `SELECT run_id FROM workflow_runs WHERE run_id = $1 AND state = 'running'
          AND attempt = $2`,
        [runId, Math.trunc(options.takeOver)],
      );
  }

  /** Claims the oldest queued run whose labels the claimer carries (`SKIP LOCKED`). */
  claimNext(owner: RunOwner, options: ClaimNextOptions): Promise<RunRecord | null> {
    return this.#claimWhere(
      owner,
      options.now,
      options.leaseMs,
      `SELECT run_id FROM workflow_runs WHERE state = 'queued' AND labels <@ $1::text::jsonb
        ORDER BY queued_at, run_id`,
      [JSON.stringify(options.labels ?? [])],
    );
  }

  /**
   * Takes over the running run whose lease ran out longest ago (and whose labels the claimer
   * carries): its attempt is raised, so the owner that let the lease lapse can write nothing
   * more. `null` when no lease has run out.
   */
  claimExpired(owner: RunOwner, options: ClaimExpiredOptions): Promise<ClaimedRunRecord | null> {
    return this.#claimWhere(
      owner,
      options.now,
      options.leaseMs,
      `SELECT run_id FROM workflow_runs WHERE state = 'running' AND lease_until < $1
        AND labels <@ $2::text::jsonb
        AND NOT (run_id = ANY(SELECT json_array_elements_text($3::text::json)))
        ORDER BY lease_until, run_id`,
      [
        options.expiredBefore ?? options.now,
        JSON.stringify(options.labels ?? []),
        JSON.stringify(options.except ?? []),
      ],
    );
  }

  async #refuse(runId: string, attempt: number): Promise<never> {
    assertCurrentAttempt(runId, await this.#read(this.#sql, runId), attempt);
    throw new Error(`run '${runId}': the write of attempt ${attempt} changed nothing`);
  }

  /** Extends the lease. */
  async renew(runId: string, attempt: number, leaseUntil: number): Promise<void> {
    const rows = await this.#sql.query(
      `UPDATE workflow_runs SET lease_until = $3 WHERE ${CURRENT} RETURNING 1`,
      [runId, attempt, leaseUntil],
    );
    if (rows.length === 0) await this.#refuse(runId, attempt);
  }

  /** Records a job's end, in one transaction with the attempt check. */
  async checkpoint(
    runId: string,
    attempt: number,
    job: string,
    entry: Readonly<Record<string, unknown>>,
    now: number,
  ): Promise<void> {
    const done = await this.#sql.transaction(async (tx) => {
      const rows = await tx.query(
        `UPDATE workflow_runs SET updated_at = $3 WHERE ${CURRENT} RETURNING 1`,
        [runId, attempt, now],
      );
      if (rows.length === 0) return false;
      await tx.query(
        `INSERT INTO workflow_run_jobs (run_id, job, entry) VALUES ($1, $2, $3::text::json)
         ON CONFLICT (run_id, job) DO UPDATE SET entry = excluded.entry`,
        [runId, job, JSON.stringify(entry)],
      );
      return true;
    });
    if (!done) await this.#refuse(runId, attempt);
  }

  /** Ends the run. */
  async finish(runId: string, attempt: number, end: RunEnd): Promise<void> {
    const rows = await this.#sql.query(
      `UPDATE workflow_runs SET state = 'ended', status = $3, reason = $4, ended_at = $5,
        updated_at = $5 WHERE ${CURRENT} RETURNING 1`,
      [runId, attempt, end.status, end.reason ?? null, end.now],
    );
    if (rows.length === 0) await this.#refuse(runId, attempt);
  }

  /** The record, or `null`. */
  get(runId: string): Promise<RunRecord | null> {
    return this.#read(this.#sql, runId);
  }

  /** Records, oldest first. */
  async list(options: ListRunRecordsOptions = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (options.states !== undefined) {
      if (options.states.length === 0) return [];
      where.push(
        `state IN (${options.states.map((state) => `$${params.push(state)}`).join(", ")})`,
      );
    }
    if (options.workflow !== undefined) where.push(`workflow = $${params.push(options.workflow)}`);
    const limit = options.limit === undefined
      ? ""
      : `LIMIT $${params.push(Math.max(0, options.limit))}`;
    const rows = await this.#sql.query(
      `SELECT * FROM workflow_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY queued_at, run_id COLLATE "C" ${limit}`,
      params,
    );
    if (rows.length === 0) return [];
    const jobs = await this.#sql.query(
      `SELECT run_id, job, entry FROM workflow_run_jobs WHERE run_id = ANY(
        SELECT json_array_elements_text($1::text::json)) ORDER BY job COLLATE "C"`,
      [JSON.stringify(rows.map((row) => String(row.run_id)))],
    );
    const byRun = new Map<string, SqlRow[]>();
    for (const job of jobs) {
      const id = String(job.run_id);
      byRun.set(id, [...(byRun.get(id) ?? []), job]);
    }
    return rows.map((row) => toRecord(row, byRun.get(String(row.run_id)) ?? []));
  }

  /** Removes ended records that ended before `olderThan` (their checkpoints with them). */
  async cleanup(options: { olderThan: number }): Promise<number> {
    const rows = await this.#sql.query(
      `DELETE FROM workflow_runs WHERE state = 'ended' AND ended_at < $1 RETURNING 1`,
      [options.olderThan],
    );
    return rows.length;
  }

  /**
   * Gives a running run back to the queue (a worker shutting down): state `queued`, no owner,
   * announced on {@linkcode RUN_QUEUED_CHANNEL}. Its checkpoints stay, so the next claimer
   * resumes after the last finished job; `attempt`'s later writes are refused.
   *
   * @throws {StaleAttemptError} when `attempt` no longer owns the run.
   */
  async release(runId: string, attempt: number, now: number): Promise<void> {
    const rows = await this.#sql.query(
      `WITH back AS (UPDATE workflow_runs SET state = 'queued', owner = NULL, lease_until = NULL,
        updated_at = $3 WHERE ${CURRENT} RETURNING run_id)
       SELECT pg_notify($4, run_id) FROM back`,
      [runId, attempt, now, RUN_QUEUED_CHANNEL],
    );
    if (rows.length === 0) await this.#refuse(runId, attempt);
  }

  /**
   * Asks the run to stop. A queued run ends `CANCEL` at once (its record is ended, so no
   * worker claims it); a running one is flagged and announced on
   * {@linkcode RUN_CANCEL_CHANNEL}, for its owner to cancel it.
   *
   * @returns `"cancelled"` (it was queued), `"requested"` (running: its owner was told), or
   *   `null` when the run is unknown or has ended.
   */
  async requestCancel(
    runId: string,
    now: number,
    reason = "cancelled",
  ): Promise<"cancelled" | "requested" | null> {
    const queued = await this.#sql.query(
      `UPDATE workflow_runs SET state = 'ended', status = 'CANCEL', reason = $2,
        ended_at = $3, updated_at = $3, cancel_requested = true
       WHERE run_id = $1 AND state = 'queued' RETURNING 1`,
      [runId, reason, now],
    );
    if (queued.length > 0) return "cancelled";
    const running = await this.#sql.query(
      `WITH flagged AS (UPDATE workflow_runs SET cancel_requested = true, updated_at = $2
        WHERE run_id = $1 AND state = 'running' RETURNING run_id)
       SELECT pg_notify($3, run_id) FROM flagged`,
      [runId, now, RUN_CANCEL_CHANNEL],
    );
    return running.length > 0 ? "requested" : null;
  }

  /** Which of `runIds` were asked to cancel. */
  async cancelRequested(runIds: readonly string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    const rows = await this.#sql.query(
      `SELECT run_id FROM workflow_runs WHERE cancel_requested AND run_id = ANY(
        SELECT json_array_elements_text($1::text::json))`,
      [JSON.stringify(runIds)],
    );
    return rows.map((row) => String(row.run_id));
  }

  /** Calls `onRun(runId)` for every run enqueued from now on (LISTEN). */
  onQueued(onRun: (runId: string) => void): Promise<SqlSubscription> {
    return this.#sql.listen(RUN_QUEUED_CHANNEL, onRun);
  }

  /** Calls `onRun(runId)` for every running run asked to cancel from now on (LISTEN). */
  onCancel(onRun: (runId: string) => void): Promise<SqlSubscription> {
    return this.#sql.listen(RUN_CANCEL_CHANNEL, onRun);
  }

  /** Closes the connections. */
  close(): Promise<void> {
    return this.#sql.close();
  }
}
