/**
 * Row ↔ record mapping of the SQLite and PostgreSQL stores: their SQL differs, their columns
 * do not. A row is what either driver returns: a `json` column may arrive parsed (PostgreSQL)
 * or as text (SQLite), an integer as a number, a bigint or a numeric string.
 *
 * @module
 */

import type { LogLevel } from "../executor/events.ts";
import type { Status } from "../models/types.ts";
import type { AuditRecord, ReleaseType } from "./audit_store.ts";
import type { RunOwner, RunRecord, RunRecordState } from "./run_store.ts";
import {
  type RunSummary,
  type TraceEvent,
  type TraceRecord,
  withoutUndefined,
} from "./trace_store.ts";

/** A row as a driver returns it. */
export type Row = Readonly<Record<string, unknown>>;

/** The column as text; `undefined` for SQL `NULL`. */
export function optionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** The column as a number; `undefined` for SQL `NULL`. */
export function optionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

/** A JSON column's value: text is parsed, a value the driver parsed already is kept. */
export function jsonColumn(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

/** A trace record from its row (columns `run_id`, `time`, `level`, … `rerun_of`). */
export function traceRecordFromRow(row: Row): TraceRecord {
  return withoutUndefined<TraceRecord>({
    time: Number(row.time),
    level: String(row.level) as LogLevel,
    runId: String(row.run_id),
    parentRunId: optionalText(row.parent_run_id),
    workflow: String(row.workflow),
    job: optionalText(row.job),
    strategy: optionalText(row.strategy),
    stage: optionalText(row.stage),
    event: optionalText(row.event) as TraceEvent | undefined,
    status: optionalText(row.status) as Status | undefined,
    durationMs: optionalNumber(row.duration_ms),
    message: String(row.message),
    rerunOf: optionalText(row.rerun_of),
  });
}

/** A run summary from its row in the runs table of a trace store. */
export function runSummaryFromRow(row: Row): RunSummary {
  return withoutUndefined<RunSummary>({
    runId: String(row.run_id),
    parentRunId: optionalText(row.parent_run_id),
    workflow: String(row.workflow),
    status: String(row.status) as Status,
    start: Number(row.start),
    end: optionalNumber(row.end),
    durationMs: optionalNumber(row.duration_ms),
    rerunOf: optionalText(row.rerun_of),
  });
}

/** The columns of an audit row, in the order of {@linkcode auditRowValues}. */
export const AUDIT_COLUMNS =
  "workflow, release, run_id, parent_run_id, type, status, duration_ms, created_at, context";

/** The values of `record`'s audit row, in the order of {@linkcode AUDIT_COLUMNS}. */
export function auditRowValues(record: AuditRecord): (string | number | null)[] {
  return [
    record.workflow,
    record.release,
    record.runId,
    record.parentRunId ?? null,
    record.type,
    record.status,
    record.durationMs,
    record.createdAt,
    JSON.stringify(record.context),
  ];
}

/** An audit record from its row. */
export function auditRecordFromRow(row: Row): AuditRecord {
  return withoutUndefined<AuditRecord>({
    workflow: String(row.workflow),
    release: Number(row.release),
    type: String(row.type) as ReleaseType,
    runId: String(row.run_id),
    parentRunId: optionalText(row.parent_run_id),
    status: String(row.status) as Status,
    context: jsonColumn(row.context) as Record<string, unknown>,
    durationMs: Number(row.duration_ms),
    createdAt: Number(row.created_at),
  });
}

/** The columns of a runs-table row both stores have, in the order of {@linkcode runRowValues}
 * (each store adds the columns of {@linkcode RunRowData} after them). */
export const RUN_COLUMNS =
  "run_id, workflow, state, attempt, owner, lease_until, queued_at, started_at, updated_at";

/** The values of `record`'s {@linkcode RUN_COLUMNS}, in their order. */
export function runRowValues(record: RunRecord): (string | number | null)[] {
  return [
    record.runId,
    record.workflow,
    record.state,
    record.attempt,
    record.owner ? JSON.stringify(record.owner) : null,
    record.leaseUntil ?? null,
    record.queuedAt,
    record.startedAt ?? null,
    record.updatedAt,
  ];
}

/** The fields of a run record that no query filters on (SQLite keeps them as one JSON
 * column, PostgreSQL as columns of their own). */
export type RunRowData = Pick<RunRecord, "params" | "labels" | "parentRunId" | "release">;

/**
 * A run record from its row in the runs table, the fields in `data`, and the rows (`job`,
 * `entry`) of its checkpointed jobs.
 */
export function runRecordFromRow(row: Row, data: RunRowData, jobs: readonly Row[]): RunRecord {
  const leaseUntil = optionalNumber(row.lease_until);
  const startedAt = optionalNumber(row.started_at);
  const endedAt = optionalNumber(row.ended_at);
  return {
    runId: String(row.run_id),
    workflow: String(row.workflow),
    params: data.params,
    labels: data.labels,
    ...(data.parentRunId === undefined ? {} : { parentRunId: data.parentRunId }),
    ...(data.release === undefined ? {} : { release: data.release }),
    queuedAt: Number(row.queued_at),
    state: String(row.state) as RunRecordState,
    attempt: Number(row.attempt),
    ...(row.owner === null ? {} : { owner: jsonColumn(row.owner) as RunOwner }),
    ...(leaseUntil === undefined ? {} : { leaseUntil }),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(row.status === null ? {} : { status: String(row.status) as Status }),
    ...(row.reason === null ? {} : { reason: String(row.reason) }),
    ...(endedAt === undefined ? {} : { endedAt }),
    jobs: Object.fromEntries(
      jobs.map((job) => [String(job.job), jsonColumn(job.entry) as Record<string, unknown>]),
    ),
    updatedAt: Number(row.updated_at),
  };
}
