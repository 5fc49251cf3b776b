/**
 * The JSON rows of runs shared by the run routes: a run this API started (from memory) and
 * a run known from the trace store, plus the lookups and errors those routes share.
 *
 * @module
 */

import type { Status } from "../models/types.ts";
import { type RunSummary, type TraceRecord, updateRunSummary } from "../results/trace_store.ts";
import type { RunRecord } from "../results/run_store.ts";
import { RUN_ID_SCHEMA } from "./_docs.ts";
import { ApiError } from "./errors.ts";
import type { ApiDeps, PathParam } from "./route_table.ts";
import type { ApiRun } from "./run_registry.ts";

/** The documented `{run_id}` path parameter. */
export const RUN_ID_PARAM: Readonly<Record<string, PathParam>> = {
  run_id: { description: "Run id.", schema: RUN_ID_SCHEMA },
};

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** The row of a run this API started. */
export function apiRunRow(run: ApiRun): Record<string, unknown> {
  return {
    run_id: run.runId,
    parent_run_id: run.result?.parent_run_id ?? null,
    workflow: run.workflow,
    status: run.status,
    started_at: iso(run.startedAt ?? run.acceptedAt),
    ended_at: iso(run.endedAt),
    duration_ms: run.endedAt === undefined ? null : run.endedAt - run.acceptedAt,
    rerun_of: run.rerunOf ?? null,
    source: "api",
  };
}

/** The row of a run known from the trace store (or, `source: "runs"`, the run store). */
export function summaryRow(
  summary: RunSummary,
  source: "traces" | "runs" = "traces",
): Record<string, unknown> {
  return {
    run_id: summary.runId,
    parent_run_id: summary.parentRunId ?? null,
    workflow: summary.workflow,
    status: summary.status,
    started_at: iso(summary.start),
    ended_at: iso(summary.end),
    duration_ms: summary.durationMs ?? null,
    rerun_of: summary.rerunOf ?? null,
    source,
  };
}

/** Every record of a run in the trace store; `null` without a store or when it is unknown. */
export async function storedTrace(deps: ApiDeps, runId: string): Promise<TraceRecord[] | null> {
  if (!deps.traces) return null;
  return await deps.traces.getTrace(runId);
}

/** The summary of a run folded from its records (those of its own id only). */
function summaryOf(
  records: readonly TraceRecord[],
  runId: string,
): RunSummary | undefined {
  let summary: RunSummary | undefined;
  for (const record of records) {
    if (record.runId === runId) summary = updateRunSummary(summary, record);
  }
  return summary;
}

/** A run's summary from its run record: status `WAIT` until the record has ended. */
export function recordSummary(record: RunRecord): RunSummary {
  const end = record.state === "ended" ? record.endedAt : undefined;
  const start = record.startedAt ?? record.queuedAt;
  return {
    runId: record.runId,
    ...(record.parentRunId === undefined ? {} : { parentRunId: record.parentRunId }),
    workflow: record.workflow,
    status: record.state === "ended" ? record.status ?? "FAILED" : "WAIT",
    start,
    ...(end === undefined ? {} : { end, durationMs: end - start }),
  };
}

/**
 * What the stores know of a run this API did not start: its summary from the trace store,
 * else from the run store (a worker's run, or a queued one, before its trace is written),
 * with where it came from.
 */
export async function storedSummary(
  deps: ApiDeps,
  runId: string,
): Promise<{ summary: RunSummary; records: TraceRecord[]; from: "traces" | "runs" } | undefined> {
  const records = await storedTrace(deps, runId);
  const traced = records ? summaryOf(records, runId) : undefined;
  if (traced) return { summary: traced, records: records!, from: "traces" };
  const record = await deps.engine.runs?.get(runId);
  return record ? { summary: recordSummary(record), records: [], from: "runs" } : undefined;
}

/** The 404 of an unknown run (saying when no trace store is configured). */
export function runNotFound(runId: string, deps: ApiDeps): ApiError {
  const hint = deps.traces ? "" : " (no trace store is configured, so only runs started " +
    "through this server are known)";
  return new ApiError(404, "NotFound", `run '${runId}' not found${hint}`);
}

/** Status of each job from a run's trace records. */
export function jobsFromRecords(
  records: readonly TraceRecord[],
  runId: string,
): Record<string, Status> {
  const jobs: Record<string, Status> = {};
  for (const r of records) {
    if (r.runId !== runId || r.job === undefined) continue;
    if (r.event === "job-start") jobs[r.job] = "WAIT";
    if (r.event === "job-end") jobs[r.job] = r.status ?? "SUCCESS";
  }
  return jobs;
}
