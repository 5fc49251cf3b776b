/**
 * SQLite `AuditStore`: one `audits` row per (workflow, release, run id); the context is
 * stored as JSON text.
 *
 * @module
 */

import type { SqliteDatabase } from "../runtime/sqlite.ts";
import { AUDIT_COLUMNS, auditRecordFromRow, auditRowValues } from "./_sql_rows.ts";
import type { AuditRecord, AuditStore, ReleaseClaim } from "./audit_store.ts";
import type { CleanupOptions, ListOptions } from "./trace_store.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audits (
  workflow TEXT NOT NULL,
  release INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  parent_run_id TEXT,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  created_at INTEGER NOT NULL,
  context TEXT NOT NULL,
  PRIMARY KEY (workflow, release, run_id)
);
CREATE INDEX IF NOT EXISTS audits_release ON audits (release DESC, created_at DESC);
CREATE INDEX IF NOT EXISTS audits_created_at ON audits (created_at);
CREATE TABLE IF NOT EXISTS release_claims (
  workflow TEXT NOT NULL,
  release INTEGER NOT NULL,
  owner TEXT NOT NULL,
  PRIMARY KEY (workflow, release)
);
`;

const ORDER = `ORDER BY release DESC, created_at DESC, run_id DESC`;

/** Audit store on a SQLite database (see `openSqliteDatabase` in `src/runtime/sqlite.ts`). */
export class SqliteAuditStore implements AuditStore {
  readonly #db: SqliteDatabase;
  #closed = false;

  /** Creates the table when missing. The store owns `db` and closes it on `close()`. */
  constructor(db: SqliteDatabase) {
    this.#db = db;
    db.exec(SCHEMA);
  }

  /** Stores (or replaces) a record. */
  write(record: AuditRecord): Promise<void> {
    this.#db.run(
      `INSERT OR REPLACE INTO audits (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      auditRowValues(record),
    );
    return Promise.resolve();
  }

  /** Newest record of a release, or `null`. */
  find(workflow: string, release: number): Promise<AuditRecord | null> {
    const row = this.#db.all(
      `SELECT * FROM audits WHERE workflow = ? AND release = ? ${ORDER} LIMIT 1`,
      [workflow, release],
    )[0];
    return Promise.resolve(row ? auditRecordFromRow(row) : null);
  }

  /** Whether the release has a record. */
  exists(workflow: string, release: number): Promise<boolean> {
    const rows = this.#db.all(
      `SELECT 1 AS found FROM audits WHERE workflow = ? AND release = ? LIMIT 1`,
      [workflow, release],
    );
    return Promise.resolve(rows.length > 0);
  }

  /** Claims a release: the unique key on (workflow, release) lets one insert win. */
  claim(workflow: string, release: number, owner: string): Promise<ReleaseClaim> {
    const { changes } = this.#db.run(
      `INSERT OR IGNORE INTO release_claims (workflow, release, owner) VALUES (?, ?, ?)`,
      [workflow, release, owner],
    );
    if (changes === 1) return Promise.resolve({ won: true });
    const row = this.#db.all(
      `SELECT owner FROM release_claims WHERE workflow = ? AND release = ?`,
      [workflow, release],
    )[0];
    return Promise.resolve({ won: false, owner: String(row?.owner ?? "?") });
  }

  /** Records, newest release first. */
  list(workflow?: string, options?: ListOptions): Promise<AuditRecord[]> {
    const limit = options?.limit === undefined ? -1 : Math.max(0, options.limit);
    const offset = Math.max(0, options?.offset ?? 0);
    const rows = workflow === undefined
      ? this.#db.all(`SELECT * FROM audits ${ORDER} LIMIT ? OFFSET ?`, [limit, offset])
      : this.#db.all(`SELECT * FROM audits WHERE workflow = ? ${ORDER} LIMIT ? OFFSET ?`, [
        workflow,
        limit,
        offset,
      ]);
    return Promise.resolve(rows.map(auditRecordFromRow));
  }

  /** Workflow names, sorted. */
  listWorkflows(): Promise<string[]> {
    const rows = this.#db.all(`SELECT DISTINCT workflow FROM audits ORDER BY workflow`);
    return Promise.resolve(rows.map((row) => String(row.workflow)));
  }

  /** Removes records written before `olderThan`. */
  cleanup(options: CleanupOptions): Promise<number> {
    const { changes } = this.#db.run(`DELETE FROM audits WHERE created_at < ?`, [
      options.olderThan,
    ]);
    this.#db.run(
      `DELETE FROM release_claims WHERE release < ? AND NOT EXISTS (SELECT 1 FROM audits
        WHERE audits.workflow = release_claims.workflow AND audits.release = release_claims.release)`,
      [options.olderThan],
    );
    return Promise.resolve(changes);
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
