/**
 * Runs a workflow: params, then its jobs as a DAG. A job starts as soon as
 * its needs have ended and its trigger rule allows it (no polling), at most
 * `max-job-parallel` at once. Failures never make the run wait for a timeout.
 *
 * @module
 */

import type { Status, Workflow } from "../models/types.ts";
import { coerceParams } from "../models/param_coerce.ts";
import {
  CancelError,
  errorToRecord,
  StageError,
  StaleAttemptError,
  WorkflowError,
} from "../errors.ts";
import { newRunId } from "./ids.ts";
import { formatTimeout } from "../util/text.ts";
import { decideTriggerRule } from "./trigger_rule.ts";
import { aggregateStatus, type JobEntry, runJob } from "./job_runner.ts";
import { armTimeout, type RunServices, RunState } from "./run_state.ts";
import { instantInfo, Timer } from "./timing.ts";
import type { JobContext, RunContext } from "../models/run_context.ts";
import { type Result, revealSecrets, sealResult } from "./result.ts";

export { type Result, type RevealedResult, revealSecrets } from "./result.ts";

export type {
  ErrorRecord,
  JobContext,
  RunContext,
  StageContext,
  StrategyContext,
  TimingInfo,
} from "../models/run_context.ts";

/** Options of one execution. */
export interface ExecuteOptions {
  /** Aborting cancels every running stage, subprocess and worker; the run ends CANCEL. */
  readonly signal?: AbortSignal;
  /** Overrides the workflow's `timeout`, ms. */
  readonly timeoutMs?: number;
  /** Overrides `max-job-parallel`. */
  readonly maxJobParallel?: number;
  /** Use this run id instead of a new one. */
  readonly runId?: string;
  /** Run id of the caller, for runs started by a `trigger` stage or the API. */
  readonly parentRunId?: string;
  /** Workflows that triggered this one (cycle guard). */
  readonly triggerChain?: readonly string[];
  /**
   * The run's logical time, epoch ms: a `datetime` param passed no value (and declaring no
   * default) takes it, a `date` one its day. A release passes its logical date, so a run for
   * yesterday's slot sees yesterday, not the time it happens to run. @default the clock's now
   */
  readonly logicalDate?: number;
  /** Extra template scope (e.g. `release` for scheduled releases). */
  readonly extraScope?: Readonly<Record<string, unknown>>;
  /**
   * Resume an earlier run of this workflow: jobs that ended SUCCESS there keep that entry
   * (and are not run again); every other job runs. Outputs restored from an audit, or from a
   * `Result.context`, are masked, so secret values in them read as `***`; pass
   * `revealSecrets(result).context` to keep the real ones.
   */
  readonly resume?: { readonly runId: string; readonly context: Readonly<Record<string, unknown>> };
  /**
   * Id of an earlier run this one re-runs (with or without `resume`): carried on `run-start`,
   * so traces and the trace store's run summary link the two. @default none
   */
  readonly rerunOf?: string;
  /** Values masked from the start of the run, besides its own `secret` params and secret env
   * values: a `trigger` stage hands its run's secrets to the child, a release the env values
   * rendered into its params. @default [] */
  readonly secrets?: readonly string[];
  /**
   * Called when a job that ran has ended, with its context entry (real values, not masked),
   * before the jobs that need it start: a run store checkpoints it there, so a resumed run
   * keeps it. Not called for jobs kept from `resume` or skipped by their trigger rule. A
   * rejection is logged on the job; a `StaleAttemptError` (another owner has taken the run
   * over) also cancels the run with it as the reason. @default none
   */
  readonly onJobEnd?: (job: string, entry: JobContext) => Promise<void>;
  /**
   * W3C `traceparent` of the caller (`00-<trace id>-<span id>-<flags>`): with telemetry on,
   * the run's span becomes a child of that span; stages hand it (or their own span's) on as
   * `TRACEPARENT`. @default none
   */
  readonly traceparent?: string;
}

/**
 * Executes `workflow` with `params`.
 *
 * @param workflow The validated workflow model.
 * @param params Param values by name; coerced to the declared types.
 * @param services What the run uses: runtime, events, filters, task registry (`Engine.services()`).
 * @param options Signal, timeouts, run ids, resume and the other execute options.
 *
 * @throws {ParamError} when params are missing or cannot be coerced (before anything runs).
 */
export async function executeWorkflow(
  workflow: Workflow,
  params: Readonly<Record<string, unknown>>,
  services: RunServices,
  options: ExecuteOptions = {},
): Promise<Result> {
  const clock = services.runtime.clock;
  const coerced = coerceParams(workflow.params, params, {
    timezone: services.timezone,
    now: options.logicalDate ?? clock.now(),
  });
  const runId = options.runId ?? newRunId(clock.now(), workflow.name);
  const run = new RunState(services, {
    runId,
    parentRunId: options.parentRunId,
    workflow: workflow.name,
    triggerChain: options.triggerChain ?? [],
    traceparent: options.traceparent,
  });
  for (const secret of options.secrets ?? []) run.addSecret(secret);
  for (const secret of coerced.secrets) run.addSecret(secret);
  const chain = [...(options.triggerChain ?? []), workflow.name];
  if (services.lookupWorkflow) {
    const lookup = services.lookupWorkflow;
    run.trigger = async (name, childParams, signal, traceparent) => {
      if (chain.includes(name)) {
        throw new StageError(
          `trigger cycle: ${[...chain, name].join(" -> ")}; a workflow may not trigger itself`,
        );
      }
      const child = await lookup(name);
      const result = await executeWorkflow(child, childParams, services, {
        signal,
        parentRunId: runId,
        triggerChain: chain,
        // The child's traces, events and result must mask what the parent masks (its params
        // are often the parent's secrets, which the child's own param types don't mark).
        secrets: [...run.secrets],
        traceparent,
      });
      // The parent's later stages get the child's real outputs; its own masking then covers
      // them, since the child's secrets become the parent's.
      const unmasked = revealSecrets(result);
      for (const secret of unmasked.secrets) run.addSecret(secret);
      return { status: result.status, runId: result.runId, context: unmasked.context };
    };
  }

  const timer = new Timer(clock);
  const jobs: Record<string, JobEntry> = {};
  run.emit({ type: "run-start", traceparent: options.traceparent, rerunOf: options.rerunOf });

  const controller = new AbortController();
  const outer = options.signal;
  const onOuter = () => controller.abort(outer!.reason ?? new CancelError("cancelled by caller"));
  if (outer?.aborted) onOuter();
  else outer?.addEventListener("abort", onOuter, { once: true });
  const timeoutMs = options.timeoutMs ?? workflow.timeoutMs;
  const disarm = timeoutMs === undefined ? () => {} : armTimeout(
    services.runtime,
    timeoutMs,
    () =>
      controller.abort(
        new CancelError(`workflow '${workflow.name}' timed out after ${formatTimeout(timeoutMs)}`),
      ),
  );

  try {
    await runDag(workflow, run, coerced.params, jobs, controller, options, services);
  } finally {
    outer?.removeEventListener("abort", onOuter);
    disarm();
    await run.closeJs();
    await run.closePython();
  }

  const statuses = Object.values(jobs).map((j) => j.status);
  let status: Status = aggregateStatus(statuses);
  if (controller.signal.aborted && status !== "FAILED") status = "CANCEL";
  const info = timer.stop();
  const durationMs = timer.durationMs;
  const context: RunContext = { params: coerced.params, jobs, ...options.extraScope, status, info };
  if (status === "FAILED") {
    const failed = Object.entries(jobs).filter(([, j]) => j.status === "FAILED").map(([id]) => id);
    context.errors = errorToRecord(
      new WorkflowError(
        `job${failed.length > 1 ? "s" : ""} ${failed.map((j) => `'${j}'`).join(", ")} failed`,
      ),
    );
  } else if (status === "CANCEL") {
    const reason = controller.signal.reason;
    context.errors = errorToRecord(
      reason instanceof Error ? reason : new CancelError("workflow was cancelled"),
    );
  }
  // The one place a run's context is masked: the run-end event and the Result share it, so
  // what the API, the CLI, audits and callers get is masked by construction.
  let masked: RunContext | undefined;
  try {
    masked = run.masker.maskValue(context);
  } catch (error) {
    // Data no walk can handle (nested deeper than the stack allows, say) must not leave the
    // run without its end: it ends FAILED with the reason, and without a context.
    status = "FAILED";
    context.status = status;
    context.errors = errorToRecord(
      new WorkflowError(
        `the run's context could not be masked for recording: ${
          error instanceof Error ? error.message : String(error)
        }`,
      ),
    );
  }
  run.emit({
    type: "run-end",
    status,
    durationMs,
    error: context.errors,
    context: masked,
  });
  return sealResult({
    status,
    runId,
    parentRunId: options.parentRunId,
    // Unmaskable data shows nothing of itself: only how the run ended and why.
    context: masked ?? {
      params: {},
      jobs: {},
      status,
      info: context.info,
      errors: context.errors &&
        { name: context.errors.name, message: run.masker.mask(context.errors.message) },
    },
  }, { context, secrets: [...run.secrets] });
}

/** Schedules jobs by their needs, event-driven, with bounded concurrency. */
function runDag(
  workflow: Workflow,
  run: RunState,
  params: Record<string, unknown>,
  jobs: Record<string, JobEntry>,
  controller: AbortController,
  options: ExecuteOptions,
  services: RunServices,
): Promise<void> {
  const signal = controller.signal;
  const ids = Object.keys(workflow.jobs);
  if (ids.length === 0) return Promise.resolve();
  const limit = Math.max(
    1,
    options.maxJobParallel ?? workflow.maxJobParallel ?? services.maxJobParallel,
  );
  const waiting = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  const ready: string[] = [];
  for (const id of ids) {
    const needs = workflow.jobs[id].needs;
    waiting.set(id, needs.length);
    for (const need of needs) {
      const list = dependants.get(need) ?? [];
      list.push(id);
      dependants.set(need, list);
    }
    if (needs.length === 0) ready.push(id);
  }
  const scope = { params, jobs };
  const clock = services.runtime.clock;
  let running = 0;
  let ended = 0;

  return new Promise<void>((resolve) => {
    const finish = (id: string, entry: JobEntry) => {
      jobs[id] = entry;
      ended++;
      for (const next of dependants.get(id) ?? []) {
        const left = waiting.get(next)! - 1;
        waiting.set(next, left);
        if (left === 0) decide(next);
      }
    };
    const decide = (id: string) => {
      const job = workflow.jobs[id];
      const needStatuses = job.needs.map((n) => jobs[n].status);
      if (decideTriggerRule(job.triggerRule, needStatuses) === "run") {
        ready.push(id);
        return;
      }
      run.emit({ type: "job-start", job: id });
      const entry: JobEntry = { status: "SKIP", skipped: true, info: instantInfo(clock) };
      run.log(
        "info",
        `[JOB]: Skip '${id}': trigger rule '${job.triggerRule}' not met by needs ` +
          job.needs.map((n) => `${n}=${jobs[n].status}`).join(", "),
        { job: id },
      );
      run.emit({ type: "job-end", job: id, status: "SKIP", durationMs: 0 });
      finish(id, entry);
    };
    const checkpoint = async (id: string, entry: JobEntry) => {
      try {
        await options.onJobEnd!(id, entry);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        run.log("error", `[JOB]: Could not checkpoint '${id}': ${message}`, { job: id });
        if (error instanceof StaleAttemptError && !signal.aborted) controller.abort(error);
      }
    };
    const previous = (options.resume?.context.jobs ?? {}) as Record<string, JobEntry | undefined>;
    const pump = () => {
      while (ready.length > 0) {
        const id = ready[0];
        const kept = previous[id];
        if (kept?.status === "SUCCESS" && !signal.aborted) {
          ready.shift();
          run.emit({ type: "job-start", job: id });
          run.log("info", `[JOB]: Keep '${id}': it succeeded in run ${options.resume!.runId}`, {
            job: id,
          });
          run.emit({ type: "job-end", job: id, status: "SUCCESS", durationMs: 0 });
          finish(id, { ...kept, resumed_from: options.resume!.runId });
          continue;
        }
        if (!signal.aborted && running >= limit) break;
        ready.shift();
        if (signal.aborted) {
          finish(id, {
            status: "CANCEL",
            errors: errorToRecord(
              signal.reason instanceof Error ? signal.reason : new CancelError("cancelled"),
            ),
            info: instantInfo(clock),
          });
          continue;
        }
        running++;
        runJob(workflow.jobs[id], run, scope, signal).catch((error): JobEntry => {
          return { status: "FAILED", errors: errorToRecord(error), info: instantInfo(clock) };
        }).then((entry) => {
          const done = () => {
            running--;
            finish(id, entry);
            pump();
          };
          // Without a run store a job ends in the same tick; a checkpoint never rejects.
          if (options.onJobEnd) checkpoint(id, entry).then(done);
          else done();
        });
      }
      if (ended === ids.length) resolve();
    };
    pump();
  });
}
