/**
 * Runs one job: its `if`, `runs-on`, matrix strategies (bounded by
 * `max-parallel`, cancelled by `fail-fast`), `timeout` and `retry`.
 *
 * @module
 */

import type { Job, Status } from "../models/types.ts";
import { evaluateCondition, hasTemplate, render } from "../template/mod.ts";
import { CancelError, errorToRecord, JobError } from "../errors.ts";
import { forEachLimited } from "../util/concurrency.ts";
import { type Combination, expandMatrix } from "./matrix.ts";
import { strategyId } from "./ids.ts";
import {
  errorForAbort,
  type RunState,
  scopedSignal,
  statusForAbort,
  TimeoutReason,
} from "./run_state.ts";
import { Timer } from "./timing.ts";
import { Retries } from "./retry.ts";
import { endLane, runStages, type StagesFrame } from "./stage_runner.ts";
import { formatTimeout } from "../util/text.ts";
import type { JobContext, StageContext, StrategyContext } from "../models/run_context.ts";

/** The context entry of a job (see {@linkcode JobContext}). */
export type JobEntry = JobContext;

/** The context entry of one matrix combination (see {@linkcode StrategyContext}). */
export type StrategyEntry = StrategyContext;

/** A job's entry before its timing is known. */
type JobDraft = Omit<JobContext, "info">;

/** The run-wide context a job reads (`params`, `jobs`). */
export interface WorkflowScope extends Readonly<Record<string, unknown>> {
  readonly params: Record<string, unknown>;
  readonly jobs: Record<string, unknown>;
}

/** Aggregates child statuses: FAILED > CANCEL > all SKIP → SKIP > SUCCESS. */
export function aggregateStatus(statuses: Iterable<Status>): Status {
  let any = false, failed = false, cancel = false, allSkip = true;
  for (const s of statuses) {
    any = true;
    if (s === "FAILED") failed = true;
    else if (s === "CANCEL") cancel = true;
    if (s !== "SKIP") allSkip = false;
  }
  if (failed) return "FAILED";
  if (cancel) return "CANCEL";
  if (any && allSkip) return "SKIP";
  return "SUCCESS";
}

/**
 * Renders template-valued matrix entries (dynamic matrices) into lists, and templates inside a
 * static list (`[a, "${{ params.b }}"]`) into their values.
 */
function resolveMatrix(job: Job, run: RunState, scope: WorkflowScope): Record<string, unknown> {
  const matrix: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(job.strategy!.matrix)) {
    if (Array.isArray(value) && hasTemplate(value)) {
      matrix[key] = render(value, scope, run.renderOptions);
    } else if (typeof value === "string") {
      const rendered = render(value, scope, run.renderOptions);
      if (!Array.isArray(rendered)) {
        throw new JobError(
          `matrix '${key}' must render to a list; '${value}' gave ${
            rendered === null ? "null" : typeof rendered
          }`,
        );
      }
      matrix[key] = rendered;
    } else {
      matrix[key] = value;
    }
  }
  return matrix;
}

interface Expanded {
  readonly combos: readonly Combination[];
  readonly ids: readonly string[];
  readonly cap: number;
}

/** Expanded static matrices by strategy (a matrix without templates is the same every run).
 * Kept: without it c-matrix costs 32 µs a combination instead of 5, i-matrix-10k 72 instead of
 * 27 (min of 5 on Deno). Keyed weakly by the model, so it dies with the workflow. */
const staticMatrices = new WeakMap<object, Expanded>();

type Strategy = NonNullable<Job["strategy"]>;

const staticStrategies = new WeakMap<Strategy, boolean>();

/** A strategy of plain lists without any template: the same combinations every run. */
function isStaticStrategy(strategy: Strategy): boolean {
  let known = staticStrategies.get(strategy);
  if (known === undefined) {
    known = Object.values(strategy.matrix).every((values) => Array.isArray(values)) &&
      !hasTemplate([strategy.matrix, strategy.include, strategy.exclude]);
    staticStrategies.set(strategy, known);
  }
  return known;
}

function renderCombinations(
  list: readonly Combination[],
  run: RunState,
  scope: WorkflowScope,
): readonly Combination[] {
  return hasTemplate(list) ? render(list, scope, run.renderOptions) as Combination[] : list;
}

/** The job's combinations and their strategy ids; static matrices are expanded once. */
function combinations(job: Job, run: RunState, scope: WorkflowScope): Expanded {
  const strategy = job.strategy!;
  const cap = run.services.maxCombinations;
  const isStatic = isStaticStrategy(strategy);
  const cached = isStatic ? staticMatrices.get(strategy) : undefined;
  if (cached && cached.cap === cap) return cached;
  const [include, exclude] = isStatic ? [strategy.include, strategy.exclude] : [
    renderCombinations(strategy.include, run, scope),
    renderCombinations(strategy.exclude, run, scope),
  ];
  const combos = expandMatrix(resolveMatrix(job, run, scope), include, exclude, {
    maxCombinations: cap,
  }).map((combo) => Object.freeze(combo));
  const expanded: Expanded = { combos, ids: combos.map((combo) => strategyId(combo)), cap };
  if (isStatic) staticMatrices.set(strategy, expanded);
  return expanded;
}

/** Runs a job and returns its context entry (never throws). */
export async function runJob(
  job: Job,
  run: RunState,
  scope: WorkflowScope,
  signal: AbortSignal,
): Promise<JobEntry> {
  const timer = new Timer(run.services.runtime.clock);
  run.emit({ type: "job-start", job: job.id });
  const done = (draft: JobDraft): JobEntry => {
    const info = timer.stop();
    const durationMs = timer.durationMs;
    const entry: JobEntry = { ...draft, info };
    run.emit({
      type: "job-end",
      job: job.id,
      status: entry.status,
      durationMs,
      error: entry.errors,
    });
    return entry;
  };

  if (signal.aborted) {
    return done({ status: "CANCEL", errors: errorToRecord(errorForAbort(signal.reason)) });
  }
  if (job.if !== undefined) {
    try {
      if (!evaluateCondition(job.if, scope, run.renderOptions)) {
        run.log("info", `[JOB]: Skip '${job.id}': condition is false`, { job: job.id });
        return done({ status: "SKIP", skipped: true });
      }
    } catch (error) {
      return done({ status: "FAILED", errors: errorToRecord(error) });
    }
  }
  // A self-hosted job with labels and no host runs here: whoever runs the run carries those
  // labels (a `workflow worker` claims only runs whose labels it has; docs/distributed.md).
  const onLabelledWorker = job.runsOn.type === "self_hosted" && job.runsOn.with.host === undefined;
  if (job.runsOn.type !== "local" && !onLabelledWorker) {
    return done({
      status: "FAILED",
      errors: errorToRecord(
        new JobError(
          `job '${job.id}': runs-on '${job.runsOn.type}' is not supported yet; only 'local' runs jobs`,
        ),
      ),
    });
  }

  const retries = Retries.of(job.retry, run.services.runtime.clock, signal);
  for (;;) {
    const scoped = scopedSignal(
      run.services.runtime,
      signal,
      job.timeoutMs,
      () =>
        new TimeoutReason(
          "job",
          `job '${job.id}' timed out after ${formatTimeout(job.timeoutMs!)}`,
        ),
    );
    let draft: JobDraft;
    try {
      draft = await runJobOnce(job, run, scope, scoped.signal);
    } finally {
      scoped.dispose();
    }
    // The job's own timeout may be retried; the caller's cancel or timeout may not.
    if (draft.status !== "FAILED" || signal.aborted || !retries?.left) return done(draft);
    run.log(
      "warning",
      `[JOB]: '${job.id}' failed (attempt ${retries.attempt} of ${retries.attempts}); ` +
        `retrying in ${retries.delayMs} ms`,
      { job: job.id },
    );
    if (!(await retries.wait())) return done(draft);
  }
}

async function runJobOnce(
  job: Job,
  run: RunState,
  scope: WorkflowScope,
  signal: AbortSignal,
): Promise<JobDraft> {
  const strategy = job.strategy;
  if (!strategy || Object.keys(strategy.matrix).length === 0 && strategy.include.length === 0) {
    const stages: Record<string, StageContext> = {};
    const frame: StagesFrame = {
      run,
      jobId: job.id,
      nested: [],
      scope: { params: scope.params, jobs: scope.jobs, matrix: {}, stages },
      stages,
      lane: {},
    };
    let result;
    try {
      result = await runStages(job.stages, frame, signal);
    } finally {
      endLane(frame.lane, stages);
    }
    const entry: JobDraft = { status: result.status, stages };
    if (result.error) entry.errors = result.error;
    if (signal.aborted && result.status !== "SUCCESS") {
      entry.status = statusForAbort(signal.reason);
      entry.errors = errorToRecord(errorForAbort(signal.reason));
    }
    return entry;
  }

  let combos: readonly Combination[];
  let ids: readonly string[];
  try {
    ({ combos, ids } = combinations(job, run, scope));
  } catch (error) {
    return { status: "FAILED", errors: errorToRecord(error) };
  }

  const failFast = new AbortController();
  const strategySignal = strategy.failFast ? AbortSignal.any([signal, failFast.signal]) : signal;
  const strategies: Record<string, StrategyEntry> = {};
  const started = new Set<number>();
  let firstFailure: { name: string; message: string } | undefined;
  /** Stage entries of each started combination, so a lane that throws keeps what ran. */
  const stagesOf: Record<string, StageContext>[] = [];
  const failed = (index: number, error: { name: string; message: string } | undefined) => {
    firstFailure ??= {
      name: "JobError",
      message: `strategy ${ids[index]} ${JSON.stringify(combos[index])} failed: ${
        error?.message ?? ""
      }`,
    };
    if (strategy.failFast && !failFast.signal.aborted) {
      failFast.abort(new CancelError(`cancelled by fail-fast: strategy ${ids[index]} failed`));
    }
  };

  await forEachLimited(combos, strategy.maxParallel, async (combo, index) => {
    started.add(index);
    const sid = ids[index];
    const timer = new Timer(run.services.runtime.clock);
    const stages: Record<string, StageContext> = {};
    stagesOf[index] = stages;
    if (run.listens("strategy-start")) {
      run.emit({ type: "strategy-start", job: job.id, strategy: sid, matrix: combo });
    }
    const frame: StagesFrame = {
      run,
      jobId: job.id,
      strategyId: sid,
      nested: [],
      scope: { params: scope.params, jobs: scope.jobs, matrix: combo, stages },
      stages,
      lane: {},
    };
    let result;
    try {
      result = await runStages(job.stages, frame, strategySignal);
    } finally {
      endLane(frame.lane, stages);
    }
    const info = timer.stop();
    const durationMs = timer.durationMs;
    const entry: StrategyEntry = { matrix: combo, status: result.status, stages, info };
    if (result.error) entry.errors = result.error;
    strategies[sid] = entry;
    if (run.listens("strategy-end")) {
      run.emit({
        type: "strategy-end",
        job: job.id,
        strategy: sid,
        status: entry.status,
        durationMs,
        error: entry.errors,
      });
    }
    if (result.status === "FAILED") failed(index, result.error);
  }, {
    shouldStop: () => strategySignal.aborted,
    // Whatever escapes a combination is its failure, never a missing entry.
    onError: (error, combo, index) => {
      const errors = errorToRecord(error);
      strategies[ids[index]] = {
        matrix: combo,
        status: "FAILED",
        stages: stagesOf[index] ?? {},
        errors,
      };
      failed(index, errors);
    },
  });

  for (let index = 0; index < combos.length; index++) {
    if (started.has(index)) continue;
    const reason = strategySignal.reason;
    strategies[ids[index]] = {
      matrix: combos[index],
      status: "CANCEL",
      stages: {},
      errors: errorToRecord(errorForAbort(reason)),
    };
  }
  const statuses = Object.values(strategies).map((s) => s.status);
  const entry: JobDraft = { status: aggregateStatus(statuses), strategies };
  if (entry.status === "FAILED" && firstFailure) entry.errors = firstFailure;
  if (signal.aborted && entry.status !== "SUCCESS" && entry.status !== "FAILED") {
    entry.status = statusForAbort(signal.reason);
    entry.errors = errorToRecord(errorForAbort(signal.reason));
  }
  if (signal.aborted && signal.reason instanceof TimeoutReason) {
    entry.status = "FAILED";
    entry.errors = errorToRecord(errorForAbort(signal.reason));
  }
  return entry;
}
