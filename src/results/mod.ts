/**
 * Results, traces, audits, run records and their stores (memory, file, SQLite).
 *
 * @module
 */

export { type ResultJson, resultToJson, toJsonValue } from "./result.ts";
export {
  type CleanupOptions,
  cutId,
  formatTraceLine,
  levelAtLeast,
  type ListOptions,
  type ListRunsOptions,
  LOG_LEVELS,
  parseTraceLines,
  type RunKey,
  type RunSummary,
  type TraceEvent,
  type TraceRecord,
  traceRecordToLine,
  type TraceStore,
} from "./trace_store.ts";
export { MemoryTraceStore } from "./memory_trace_store.ts";
export { FileTraceStore, type FileTraceStoreOptions, runFolderName } from "./file_trace_store.ts";
export { SqliteTraceStore } from "./sqlite_trace_store.ts";
export {
  attachTraces,
  type AttachTracesOptions,
  lifecycleToTraceRecord,
  type TraceAttachment,
} from "./trace_writer.ts";
export {
  type AuditRecord,
  type AuditStore,
  compareAudits,
  RELEASE_TYPES,
  type ReleaseClaim,
  type ReleaseType,
} from "./audit_store.ts";
export { MemoryAuditStore } from "./memory_audit_store.ts";
export { FileAuditStore, formatReleaseKey } from "./file_audit_store.ts";
export { SqliteAuditStore } from "./sqlite_audit_store.ts";
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
} from "./run_store.ts";
export { MemoryRunStore } from "./memory_run_store.ts";
export { FileRunStore } from "./file_run_store.ts";
export { SqliteRunStore } from "./sqlite_run_store.ts";
export {
  maskAuditStore,
  maskTraceStore,
  openStores,
  type OpenStoresOptions,
  parseStoreUrl,
  STORE_URL_ENV,
  type StoreLocation,
  type Stores,
  type StoreSettings,
  storesFromEnv,
  storeUrlEnvName,
  storeUrlFromEnv,
} from "./stores.ts";
