/**
 * Audits: one record per release of a workflow (logical time), which is what makes a
 * scheduled release run once. The `AuditStore` interface and helpers its implementations share.
 *
 * @module
 */

import type { Status } from "../models/types.ts";
import type { CleanupOptions, ListOptions } from "./trace_store.ts";

/** How a release was started. */
export type ReleaseType = "normal" | "rerun" | "force" | "dryrun";

/** Every release type. */
export const RELEASE_TYPES: readonly ReleaseType[] = ["normal", "rerun", "force", "dryrun"];

/** One release of a workflow. */
export interface AuditRecord {
  /** Workflow name. */
  readonly workflow: string;
  /** Logical release time, epoch ms. */
  readonly release: number;
  /** How the release was started. */
  readonly type: ReleaseType;
  /** Id of the run. */
  readonly runId: string;
  /** Id of the run that started it, if any. */
  readonly parentRunId?: string;
  /** Final status of the run. */
  readonly status: Status;
  /** Masked run context, plain JSON data. */
  readonly context: Record<string, unknown>;
  /** Run duration. */
  readonly durationMs: number;
  /** When the record was written, epoch ms. */
  readonly createdAt: number;
}

/** What {@linkcode AuditStore.claim} answers: won, or lost to `owner`. */
export type ReleaseClaim = { readonly won: true } | { readonly won: false; readonly owner: string };

/**
 * Where audit records go. Implementations: `MemoryAuditStore`, `FileAuditStore`,
 * `SqliteAuditStore`, `PostgresAuditStore`; all pass one contract suite
 * (`tests/results/audit_contract.ts`).
 */
export interface AuditStore {
  /** Stores a record. A record with the same workflow, release and run id is replaced. */
  write(record: AuditRecord): Promise<void>;
  /** The newest record (by `createdAt`) of that release, or `null`. */
  find(workflow: string, release: number): Promise<AuditRecord | null>;
  /** `true` when the release has at least one record. */
  exists(workflow: string, release: number): Promise<boolean>;
  /** Claims the release of `workflow` at logical time `release` (same unit as `find`) for `owner`; exactly one caller across processes wins. */
  claim(workflow: string, release: number, owner: string): Promise<ReleaseClaim>;
  /** Records of one workflow (or all), newest release first, then newest `createdAt`. */
  list(workflow?: string, options?: ListOptions): Promise<AuditRecord[]>;
  /** Names of workflows that have records, sorted. */
  listWorkflows(): Promise<string[]>;
  /** Removes records written (`createdAt`) before `olderThan`, and the claims of releases
   * before it that no record is left of; returns how many records. */
  cleanup(options: CleanupOptions): Promise<number>;
  /** Releases resources; the store must not be used afterwards. */
  close(): Promise<void>;
}

/** Newest release first, then newest `createdAt`, then run id descending. */
export function compareAudits(a: AuditRecord, b: AuditRecord): number {
  return b.release - a.release || b.createdAt - a.createdAt ||
    (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);
}

/** Copy of a record without `undefined` fields and with a deep-copied context. */
export function copyAudit(record: AuditRecord): AuditRecord {
  const copy: AuditRecord = {
    workflow: record.workflow,
    release: record.release,
    type: record.type,
    runId: record.runId,
    ...(record.parentRunId === undefined ? {} : { parentRunId: record.parentRunId }),
    status: record.status,
    context: structuredClone(record.context),
    durationMs: record.durationMs,
    createdAt: record.createdAt,
  };
  return copy;
}
