/**
 * The PostgreSQL schema of the stores, as numbered migrations recorded in a
 * `workflow_migrations` table and applied under an advisory lock, so any number of processes
 * starting together migrate the database once.
 *
 * @module
 */

import { StoreError } from "../errors.ts";
import type { SqlClient } from "../runtime/sql.ts";

/** One step of the schema. */
export interface PostgresMigration {
  /** Position in the sequence, from 1, never reused. */
  readonly version: number;
  /** What it does, recorded beside the version. */
  readonly name: string;
  /** Statements run in order, in the migrating transaction. */
  readonly statements: readonly string[];
}

/** Every migration of the stores' schema, oldest first. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: "trace records, trace runs, audits and release claims",
    statements: [
      `CREATE TABLE workflow_trace_records (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id TEXT NOT NULL,
        parent_run_id TEXT,
        time BIGINT NOT NULL,
        level TEXT NOT NULL,
        workflow TEXT NOT NULL,
        job TEXT,
        strategy TEXT,
        stage TEXT,
        event TEXT,
        status TEXT,
        duration_ms DOUBLE PRECISION,
        message TEXT NOT NULL,
        rerun_of TEXT
      )`,
      `CREATE INDEX workflow_trace_records_run ON workflow_trace_records (run_id, seq)`,
      `CREATE TABLE workflow_trace_runs (
        run_id TEXT PRIMARY KEY,
        parent_run_id TEXT,
        workflow TEXT NOT NULL,
        status TEXT NOT NULL,
        start BIGINT NOT NULL,
        "end" BIGINT,
        duration_ms DOUBLE PRECISION,
        rerun_of TEXT
      )`,
      `CREATE INDEX workflow_trace_runs_start ON workflow_trace_runs (start DESC, run_id DESC)`,
      `CREATE INDEX workflow_trace_runs_workflow
        ON workflow_trace_runs (workflow, start DESC, run_id DESC)`,
      `CREATE INDEX workflow_trace_runs_status
        ON workflow_trace_runs (status, start DESC, run_id DESC)`,
      `CREATE INDEX workflow_trace_runs_age ON workflow_trace_runs ((COALESCE("end", start)))`,
      `CREATE TABLE workflow_audits (
        workflow TEXT NOT NULL,
        release BIGINT NOT NULL,
        run_id TEXT NOT NULL,
        parent_run_id TEXT,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        duration_ms DOUBLE PRECISION NOT NULL,
        created_at BIGINT NOT NULL,
        context JSON NOT NULL,
        PRIMARY KEY (workflow, release, run_id)
      )`,
      `CREATE INDEX workflow_audits_release
        ON workflow_audits (release DESC, created_at DESC, run_id DESC)`,
      `CREATE INDEX workflow_audits_created_at ON workflow_audits (created_at)`,
      `CREATE TABLE workflow_release_claims (
        workflow TEXT NOT NULL,
        release BIGINT NOT NULL,
        owner TEXT NOT NULL,
        claimed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (workflow, release)
      )`,
    ],
  },
  {
    version: 2,
    name: "run records and job checkpoints",
    statements: [
      `CREATE TABLE workflow_runs (
        run_id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        state TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        owner JSON,
        lease_until BIGINT,
        queued_at BIGINT NOT NULL,
        started_at BIGINT,
        ended_at BIGINT,
        status TEXT,
        reason TEXT,
        updated_at BIGINT NOT NULL,
        labels JSONB NOT NULL,
        params JSON NOT NULL,
        parent_run_id TEXT,
        release JSON,
        cancel_requested BOOLEAN NOT NULL DEFAULT false
      )`,
      `CREATE INDEX workflow_runs_queued ON workflow_runs (queued_at, run_id)
        WHERE state = 'queued'`,
      `CREATE INDEX workflow_runs_lease ON workflow_runs (lease_until) WHERE state = 'running'`,
      `CREATE INDEX workflow_runs_order ON workflow_runs (queued_at, run_id)`,
      `CREATE INDEX workflow_runs_ended ON workflow_runs (ended_at) WHERE state = 'ended'`,
      `CREATE TABLE workflow_run_jobs (
        run_id TEXT NOT NULL REFERENCES workflow_runs (run_id) ON DELETE CASCADE,
        job TEXT NOT NULL,
        entry JSON NOT NULL,
        PRIMARY KEY (run_id, job)
      )`,
    ],
  },
];

/** Advisory lock key (two 32-bit halves) that migrating processes take in turn. */
const LOCK_KEY = [0x776f726b, 0x666c6f77] as const;

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS workflow_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/**
 * Brings the database to the newest version of `migrations`: in one transaction holding a
 * transaction-level advisory lock, applies each migration not yet recorded in
 * `workflow_migrations` and records it. A process that waits for the lock finds the work done.
 * A database already up to date is recognised without taking the lock.
 *
 * @returns the versions this call applied (empty when the database was up to date).
 * @throws {StoreError} when the database was migrated by a newer version of the engine
 *   (it records a version this one does not know), or a statement fails (nothing is kept).
 */
export async function migratePostgres(
  client: SqlClient,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<number[]> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const latest = sorted.at(-1)?.version ?? 0;
  const current = await recordedVersions(client);
  if (current !== null) {
    checkNotNewer(current, latest);
    if (sorted.every((migration) => current.has(migration.version))) return [];
  }
  return await client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1, $2)`, [...LOCK_KEY]);
    await tx.query(MIGRATIONS_TABLE);
    const rows = await tx.query(`SELECT version FROM workflow_migrations`);
    const applied = new Set(rows.map((row) => Number(row.version)));
    checkNotNewer(applied, latest);
    const done: number[] = [];
    for (const migration of sorted) {
      if (applied.has(migration.version)) continue;
      try {
        for (const statement of migration.statements) await tx.query(statement);
      } catch (error) {
        throw new StoreError(
          `PostgreSQL migration ${migration.version} (${migration.name}) failed: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
      }
      await tx.query(`INSERT INTO workflow_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      done.push(migration.version);
    }
    return done;
  });
}

/** Versions recorded in `workflow_migrations`, or `null` when the table does not exist yet. */
async function recordedVersions(client: SqlClient): Promise<Set<number> | null> {
  const [found] = await client.query(
    `SELECT to_regclass('workflow_migrations') IS NOT NULL AS present`,
  );
  if (!found?.present) return null;
  const rows = await client.query(`SELECT version FROM workflow_migrations`);
  return new Set(rows.map((row) => Number(row.version)));
}

function checkNotNewer(applied: ReadonlySet<number>, latest: number): void {
  const newest = Math.max(0, ...applied);
  if (newest > latest) {
    throw new StoreError(
      `the PostgreSQL database is at schema version ${newest}, newer than this engine knows ` +
        `(${latest}): upgrade the engine, or point it at another database`,
    );
  }
}
