/**
 * PostgreSQL `AuditStore`: one `workflow_audits` row per (workflow, release, run id), the
 * context as `json` (kept as written, key order included), and release claims in
 * `workflow_release_claims` under a unique key on (workflow, release).
 *
 * @module
 */

import type { SqlClient } from "../runtime/sql.ts";
import { AUDIT_COLUMNS, auditRecordFromRow, auditRowValues } from "./_sql_rows.ts";
import type { AuditRecord, AuditStore, ReleaseClaim } from "./audit_store.ts";
import { migratePostgres } from "./postgres_schema.ts";
import type { CleanupOptions, ListOptions } from "./trace_store.ts";

const ORDER = `ORDER BY release DESC, created_at DESC, run_id DESC`;

/** `LIMIT`/`OFFSET` of list options as SQL, placeholders from `$next` (no `LIMIT` when
 * unlimited). */
function pagingSql(options: ListOptions | undefined, next: number): {
  sql: string;
  params: number[];
} {
  const offset = Math.max(0, options?.offset ?? 0);
  if (options?.limit === undefined) return { sql: `OFFSET $${next}`, params: [offset] };
  return {
    sql: `LIMIT $${next} OFFSET $${next + 1}`,
    params: [Math.max(0, options.limit), offset],
  };
}

/**
 * Audit store on a PostgreSQL database. Open it with {@linkcode PostgresAuditStore.open}, which
 * migrates the schema first.
 *
 * @example
 * ```ts ignore
 * import { openPostgres, PostgresAuditStore } from "@ddeutil/workflow";
 * const audits = await PostgresAuditStore.open(await openPostgres("postgres://app:pw@db/wf"));
 * const claim = await audits.claim("etl-daily", Date.UTC(2024, 0, 1), "scheduler-1");
 * ```
 */
export class PostgresAuditStore implements AuditStore {
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
  static async open(sql: SqlClient): Promise<PostgresAuditStore> {
    await migratePostgres(sql);
    return new PostgresAuditStore(sql);
  }

  /** Stores (or replaces) a record. */
  async write(record: AuditRecord): Promise<void> {
    await this.#sql.query(
      `INSERT INTO workflow_audits (${AUDIT_COLUMNS})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::json)
       ON CONFLICT (workflow, release, run_id) DO UPDATE SET parent_run_id =
        excluded.parent_run_id, type = excluded.type, status = excluded.status, duration_ms =
        excluded.duration_ms, created_at = excluded.created_at, context = excluded.context`,
      auditRowValues(record),
    );
  }

  /** Newest record of a release, or `null`. */
  async find(workflow: string, release: number): Promise<AuditRecord | null> {
    const [row] = await this.#sql.query(
      `SELECT * FROM workflow_audits WHERE workflow = $1 AND release = $2 ${ORDER} LIMIT 1`,
      [workflow, release],
    );
    return row ? auditRecordFromRow(row) : null;
  }

  /** Whether the release has a record. */
  async exists(workflow: string, release: number): Promise<boolean> {
    const rows = await this.#sql.query(
      `SELECT 1 FROM workflow_audits WHERE workflow = $1 AND release = $2 LIMIT 1`,
      [workflow, release],
    );
    return rows.length > 0;
  }

  /** Records, newest release first, paged in SQL. */
  async list(workflow?: string, options?: ListOptions): Promise<AuditRecord[]> {
    const rows = workflow === undefined
      ? await (() => {
        const paging = pagingSql(options, 1);
        return this.#sql.query(
          `SELECT * FROM workflow_audits ${ORDER} ${paging.sql}`,
          paging.params,
        );
      })()
      : await (() => {
        const paging = pagingSql(options, 2);
        return this.#sql.query(
          `SELECT * FROM workflow_audits WHERE workflow = $1 ${ORDER} ${paging.sql}`,
          [workflow, ...paging.params],
        );
      })();
    return rows.map(auditRecordFromRow);
  }

  /** Workflow names, sorted. */
  async listWorkflows(): Promise<string[]> {
    const rows = await this.#sql.query(
      `SELECT workflow FROM workflow_audits GROUP BY workflow ORDER BY workflow COLLATE "C"`,
    );
    return rows.map((row) => String(row.workflow));
  }

  /** Removes records written before `olderThan`, and the claims of releases before it that no
   * record is left of; returns how many records. */
  async cleanup(options: CleanupOptions): Promise<number> {
    return await this.#sql.transaction(async (tx) => {
      const rows = await tx.query(
        `DELETE FROM workflow_audits WHERE created_at < $1 RETURNING 1`,
        [options.olderThan],
      );
      await tx.query(
        `DELETE FROM workflow_release_claims c WHERE c.release < $1 AND NOT EXISTS (
          SELECT 1 FROM workflow_audits a WHERE a.workflow = c.workflow AND a.release = c.release)`,
        [options.olderThan],
      );
      return rows.length;
    });
  }

  /**
   * Claims a release for `owner`: the unique key on (workflow, release) lets exactly one
   * insert in, whichever process it comes from; the others read the winner.
   */
  async claim(workflow: string, release: number, owner: string): Promise<ReleaseClaim> {
    // A claim row is never deleted while a release can still be claimed, so a loser always
    // finds the winner; the loop only guards against a concurrent manual delete.
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.#sql.query(
        `INSERT INTO workflow_release_claims (workflow, release, owner) VALUES ($1, $2, $3)
         ON CONFLICT (workflow, release) DO NOTHING RETURNING owner`,
        [workflow, release, owner],
      );
      if (inserted.length === 1) return { won: true };
      const [holder] = await this.#sql.query(
        `SELECT owner FROM workflow_release_claims WHERE workflow = $1 AND release = $2`,
        [workflow, release],
      );
      if (holder) return { won: false, owner: String(holder.owner) };
    }
    throw new Error(`the claim of release ${release} of '${workflow}' kept disappearing`);
  }

  /** Closes the connections. */
  close(): Promise<void> {
    return this.#sql.close();
  }
}
