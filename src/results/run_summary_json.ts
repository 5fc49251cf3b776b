/**
 * The JSON form of a run listed from the trace store, with the field names of the API's
 * `GET /runs` (docs/api.md), for `workflow runs --json`.
 *
 * @module
 */

import type { Status } from "../models/types.ts";
import type { RunSummary } from "./trace_store.ts";

/** One run as `GET /runs` and `workflow runs --json` show it. */
export interface RunSummaryJson {
  /** The run's id. */
  readonly run_id: string;
  /** Run that started this one, else `null`. */
  readonly parent_run_id: string | null;
  /** Workflow name. */
  readonly workflow: string;
  /** `WAIT` while the run has not ended. */
  readonly status: Status;
  /** ISO time the run started. */
  readonly started_at: string;
  /** ISO time the run ended, else `null`. */
  readonly ended_at: string | null;
  /** How long it took, ms, else `null`. */
  readonly duration_ms: number | null;
  /** The run this one re-runs, else `null`. */
  readonly rerun_of: string | null;
  /** Where the row comes from: always `traces` here (the API also lists its own runs). */
  readonly source: "traces";
}

/**
 * Converts a trace store's run summary to its JSON row.
 *
 * @example
 * ```ts
 * runSummaryJson({ runId: "r1", workflow: "wf", status: "SUCCESS", start: 0, end: 5, durationMs: 5 });
 * // { run_id: "r1", parent_run_id: null, workflow: "wf", status: "SUCCESS",
 * //   started_at: "1970-01-01T00:00:00.000Z", ended_at: "1970-01-01T00:00:00.005Z",
 * //   duration_ms: 5, rerun_of: null, source: "traces" }
 * ```
 */
export function runSummaryJson(summary: RunSummary): RunSummaryJson {
  return {
    run_id: summary.runId,
    parent_run_id: summary.parentRunId ?? null,
    workflow: summary.workflow,
    status: summary.status,
    started_at: new Date(summary.start).toISOString(),
    ended_at: summary.end === undefined ? null : new Date(summary.end).toISOString(),
    duration_ms: summary.durationMs ?? null,
    rerun_of: summary.rerunOf ?? null,
    source: "traces",
  };
}
