/**
 * `@ddeutil/workflow/stores`: where runs are recorded. A `TraceStore` keeps each run's
 * lifecycle records and summary (`GET /runs`, `workflow logs`); an `AuditStore` keeps one record
 * per release, which `release()` and the `Scheduler` read (and claim) to never run a release
 * twice; a `RunStore` keeps each run's record (owner, lease, attempt, a checkpoint per finished
 * job), from which `recoverRuns()` resumes the runs of a process that died. Each comes in memory,
 * file, SQLite and PostgreSQL form; `openStores` opens them from URLs
 * (`memory:`, `file:./logs`, `sqlite:./runs.db`, `postgres://…`), as the `WORKFLOW_LOG_*` settings do.
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 * import { release } from "@ddeutil/workflow/scheduler";
 * import { MemoryAuditStore } from "@ddeutil/workflow/stores";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const audits = new MemoryAuditStore();
 * const report = await release(engine, "demo-hello", Date.parse("2026-01-01T00:00:00Z"), {
 *   audits,
 * });
 * console.log(report.status, (await audits.list("demo-hello")).length);
 * await engine.close();
 * ```
 *
 * @module
 */

export type {
  CleanupOptions,
  ListOptions,
  ListRunsOptions,
  RunKey,
  RunSummary,
  TraceEvent,
  TraceRecord,
  TraceStore,
} from "./src/results/trace_store.ts";
export {
  formatTraceLine,
  type FormatTraceLineOptions,
  parseTraceLines,
} from "./src/results/trace_store.ts";
export { MemoryTraceStore } from "./src/results/memory_trace_store.ts";
export { FileTraceStore } from "./src/results/file_trace_store.ts";
export { SqliteTraceStore } from "./src/results/sqlite_trace_store.ts";
export {
  type AuditRecord,
  type AuditStore,
  RELEASE_TYPES,
  type ReleaseClaim,
  type ReleaseType,
} from "./src/results/audit_store.ts";
export { MemoryAuditStore } from "./src/results/memory_audit_store.ts";
export { FileAuditStore } from "./src/results/file_audit_store.ts";
export { SqliteAuditStore } from "./src/results/sqlite_audit_store.ts";
export {
  type ClaimNextOptions,
  type ClaimOptions,
  DEFAULT_LEASE_MS,
  type EnqueueOptions,
  type ListRunRecordsOptions,
  type NewRun,
  type RunEnd,
  type RunOwner,
  type RunRecord,
  type RunRecordState,
  type RunRelease,
  type RunStore,
} from "./src/results/run_store.ts";
export { MemoryRunStore } from "./src/results/memory_run_store.ts";
export { FileRunStore } from "./src/results/file_run_store.ts";
export { SqliteRunStore } from "./src/results/sqlite_run_store.ts";
export {
  OWNER_ENDED,
  type RecoveredRun,
  recoverRuns,
  type RecoverRunsOptions,
  type RecoveryEngine,
} from "./src/recovery.ts";
export {
  openStores,
  type OpenStoresOptions,
  parseStoreUrl,
  type StoreLocation,
  type StoreMasker,
  type Stores,
} from "./src/results/stores.ts";
export { openSqliteDatabase, type SqliteDatabase, type SqliteValue } from "./src/runtime/sqlite.ts";
export { openPostgres, type OpenPostgresOptions } from "./src/runtime/postgres.ts";
export type {
  SqlClient,
  SqlQueryable,
  SqlRow,
  SqlSubscription,
  SqlValue,
} from "./src/runtime/sql.ts";
export { PostgresAuditStore } from "./src/results/postgres_audit_store.ts";
export { PostgresTraceStore } from "./src/results/postgres_trace_store.ts";
export {
  type ClaimedRunRecord,
  type ClaimExpiredOptions,
  PostgresRunStore,
  RUN_CANCEL_CHANNEL,
  RUN_QUEUED_CHANNEL,
} from "./src/results/postgres_run_store.ts";
export {
  migratePostgres,
  POSTGRES_MIGRATIONS,
  type PostgresMigration,
} from "./src/results/postgres_schema.ts";
