/**
 * One run as the run page shows it, folded from what is known about it: the lifecycle events
 * of a run this server started (live, with matrix values and stage names), or the trace
 * records of a run from the trace store. Everything here is already masked.
 *
 * @module
 */

import type { LifecycleDetail } from "../../executor/events.ts";
import type { TraceRecord } from "../../results/trace_store.ts";
import { lifecycleToTraceRecord } from "../../results/trace_writer.ts";
import type { ApiRun } from "../run_registry.ts";

/** One stage of a job (or of one matrix combination). */
export interface StageView {
  readonly id: string;
  name: string;
  kind?: string;
  status: string;
  start?: number;
  end?: number;
  error?: { readonly name: string; readonly message: string };
  outputs?: unknown;
  attempts?: number;
}

/** One matrix combination of a job; a job without a matrix has one, with `id` `""`. */
export interface StrategyView {
  readonly id: string;
  matrix?: Readonly<Record<string, unknown>>;
  status: string;
  start?: number;
  end?: number;
  readonly stages: Map<string, StageView>;
}

/** One job. */
export interface JobView {
  readonly id: string;
  status: string;
  start?: number;
  end?: number;
  error?: { readonly name: string; readonly message: string };
  readonly strategies: Map<string, StrategyView>;
}

/** The run. */
export interface RunView {
  readonly runId: string;
  workflow: string;
  status: string;
  start?: number;
  end?: number;
  parentRunId?: string;
  rerunOf?: string;
  error?: { readonly name: string; readonly message: string };
  readonly jobs: Map<string, JobView>;
  /** Trace lines of the run itself, oldest first. */
  readonly logs: TraceRecord[];
  /** The masked params, once the run has ended (from its context). */
  params?: Readonly<Record<string, unknown>>;
  /** `true` when the run's events were too many and the oldest were dropped. */
  truncated: boolean;
  /** `true` when this server started the run (it can be cancelled and re-run here). */
  readonly own: boolean;
}

function job(view: RunView, id: string): JobView {
  let entry = view.jobs.get(id);
  if (!entry) {
    entry = { id, status: "WAIT", strategies: new Map() };
    view.jobs.set(id, entry);
  }
  return entry;
}

function strategy(jobView: JobView, id: string): StrategyView {
  let entry = jobView.strategies.get(id);
  if (!entry) {
    entry = { id, status: "WAIT", stages: new Map() };
    jobView.strategies.set(id, entry);
  }
  return entry;
}

function stage(strategyView: StrategyView, id: string): StageView {
  let entry = strategyView.stages.get(id);
  if (!entry) {
    entry = { id, name: id, status: "WAIT" };
    strategyView.stages.set(id, entry);
  }
  return entry;
}

const START_NAME = /^\[STAGE\]: Start '(.*)'$/s;

/** Folds one event (or record) of the run into the view. */
function fold(
  view: RunView,
  type: string | undefined,
  item: LifecycleDetail | TraceRecord,
  detail?: LifecycleDetail,
): void {
  if (item.runId !== view.runId || type === undefined || type === "log") return;
  const status = item.status ?? "SUCCESS";
  switch (type) {
    case "run-start":
      view.start ??= item.time;
      view.parentRunId ??= item.parentRunId;
      view.rerunOf ??= item.rerunOf;
      return;
    case "run-end":
      view.status = status;
      view.end = item.time;
      if (detail?.error) view.error = detail.error;
      return;
  }
  if (item.job === undefined) return;
  const jobView = job(view, item.job);
  if (type === "job-start") {
    jobView.start = item.time;
    return;
  }
  if (type === "job-end") {
    jobView.status = status;
    jobView.end = item.time;
    if (detail?.error) jobView.error = detail.error;
    return;
  }
  const strategyView = strategy(jobView, item.strategy ?? "");
  if (type === "strategy-start") {
    strategyView.start = item.time;
    if (detail?.matrix) strategyView.matrix = detail.matrix;
    return;
  }
  if (type === "strategy-end") {
    strategyView.status = status;
    strategyView.end = item.time;
    return;
  }
  // Stages nested in parallel/foreach/until/case show in the logs, not as stages of the job.
  if (item.stage === undefined || (detail?.nested?.length ?? 0) > 0) return;
  const stageView = stage(strategyView, item.stage);
  if (type === "stage-start") {
    stageView.start = item.time;
    if (detail?.stageName) stageView.name = detail.stageName;
    else {
      const match = START_NAME.exec(item.message ?? "");
      if (match) stageView.name = match[1];
    }
    if (detail?.kind) stageView.kind = detail.kind;
  } else if (type === "stage-end") {
    stageView.status = status;
    stageView.end = item.time;
    if (detail?.error) stageView.error = detail.error;
    else if (status === "FAILED" && !detail) {
      const text = (item as TraceRecord).message;
      const at = text.indexOf(`${status}`);
      const colon = at >= 0 ? text.indexOf(": ", at) : -1;
      if (colon >= 0) {
        const rest = text.slice(colon + 2);
        const split = rest.indexOf(": ");
        stageView.error = split > 0
          ? { name: rest.slice(0, split), message: rest.slice(split + 2) }
          : { name: "Error", message: rest };
      }
    }
    if (detail?.attempts !== undefined) stageView.attempts = detail.attempts;
  }
}

interface ContextErrors {
  readonly errors?: { readonly name: string; readonly message: string };
}

interface StageEntry extends ContextErrors {
  readonly status?: string;
  readonly outputs?: unknown;
}

/** Adds what only the run's context holds: outputs, matrix values, params. */
function withContext(view: RunView, context: Readonly<Record<string, unknown>>): void {
  if (context.params && typeof context.params === "object") {
    view.params = context.params as Record<string, unknown>;
  }
  const jobs = (context.jobs ?? {}) as Record<string, Record<string, unknown>>;
  const addStages = (strategyView: StrategyView, stages: unknown) => {
    for (const [id, raw] of Object.entries((stages ?? {}) as Record<string, StageEntry>)) {
      const stageView = stage(strategyView, id);
      stageView.outputs = raw.outputs;
      if (raw.status && stageView.status === "WAIT") stageView.status = raw.status;
      if (raw.errors && !stageView.error) stageView.error = raw.errors;
    }
  };
  for (const [id, entry] of Object.entries(jobs)) {
    const jobView = job(view, id);
    if (typeof entry.status === "string" && jobView.status === "WAIT") {
      jobView.status = entry.status;
    }
    if (entry.strategies && typeof entry.strategies === "object") {
      const strategies = entry.strategies as Record<string, Record<string, unknown>>;
      for (const [sid, raw] of Object.entries(strategies)) {
        const strategyView = strategy(jobView, sid);
        if (raw.matrix && typeof raw.matrix === "object") {
          strategyView.matrix = raw.matrix as Record<string, unknown>;
        }
        if (typeof raw.status === "string" && strategyView.status === "WAIT") {
          strategyView.status = raw.status;
        }
        addStages(strategyView, raw.stages);
      }
    } else addStages(strategy(jobView, ""), entry.stages);
  }
}

function emptyView(runId: string, workflow: string, own: boolean): RunView {
  return {
    runId,
    workflow,
    status: "WAIT",
    jobs: new Map(),
    logs: [],
    truncated: false,
    own,
  };
}

/** The view of a run this server started. */
export function viewOfApiRun(run: ApiRun): RunView {
  const view = emptyView(run.runId, run.workflow, true);
  view.rerunOf = run.rerunOf;
  view.truncated = run.truncated;
  for (const { detail } of run.events()) {
    fold(view, detail.type, detail, detail);
    if (detail.runId === run.runId) view.logs.push(lifecycleToTraceRecord(detail));
  }
  view.status = run.status;
  view.start ??= run.startedAt ?? run.acceptedAt;
  if (run.finished) view.end ??= run.endedAt;
  if (run.failure) view.error ??= run.failure;
  const context = run.result?.context as Record<string, unknown> | undefined;
  if (context) withContext(view, context);
  if (!view.error && context?.errors && typeof context.errors === "object") {
    view.error = context.errors as { name: string; message: string };
  }
  return view;
}

/** The view of a run known from its trace records. */
export function viewOfRecords(runId: string, records: readonly TraceRecord[]): RunView {
  const first = records.find((r) => r.runId === runId);
  const view = emptyView(runId, first?.workflow ?? "", false);
  for (const record of records) {
    fold(view, record.event, record);
    if (record.runId === runId) view.logs.push(record);
  }
  return view;
}

/** The first stage that failed (earliest end), with its job and combination. */
export function firstFailure(
  view: RunView,
): { job: JobView; strategy: StrategyView; stage: StageView } | undefined {
  let found: { job: JobView; strategy: StrategyView; stage: StageView } | undefined;
  for (const jobView of view.jobs.values()) {
    for (const strategyView of jobView.strategies.values()) {
      for (const stageView of strategyView.stages.values()) {
        if (stageView.status !== "FAILED") continue;
        if (!found || (stageView.end ?? Infinity) < (found.stage.end ?? Infinity)) {
          found = { job: jobView, strategy: strategyView, stage: stageView };
        }
      }
    }
  }
  return found;
}
