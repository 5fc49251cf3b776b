/**
 * Starting runs for the API: look the workflow up (404 when unknown), check params and a
 * client's run id before anything runs (400 naming the field, 409 for a used run id),
 * register the run and follow its events until it has ended and its records are kept.
 *
 * @module
 */

import { ConfigError, RunIdError } from "../errors.ts";
import { onLifecycle } from "../executor/events.ts";
import type { Result } from "../executor/workflow_runner.ts";
import { revealSecrets } from "../executor/result.ts";
import { coerceParams } from "../models/param_coerce.ts";
import type { Workflow } from "../models/types.ts";
import { type ResultJson, resultToJson } from "../results/result.ts";
import { ApiError, publicErrorRecord } from "./errors.ts";
import type { ApiDeps } from "./route_table.ts";
import type { ApiRun } from "./run_registry.ts";

/** The validated workflow `name`. @throws {ApiError} 404 when no workflow has that name. */
export function findWorkflow(deps: ApiDeps, name: string): Workflow {
  const entry = deps.engine.config.get(name);
  if (!entry || entry.type !== "Workflow") {
    let message = `workflow '${name}' not found`;
    try {
      deps.engine.config.workflow(name);
    } catch (error) {
      if (error instanceof ConfigError) message = error.message;
    }
    throw new ApiError(404, "NotFound", message);
  }
  return deps.engine.config.workflow(name);
}

/** Refuses new work once shutdown has begun. */
export function assertOpen(deps: ApiDeps): void {
  if (deps.isClosing()) {
    throw new ApiError(503, "ShuttingDown", "the server is shutting down and accepts no new runs");
  }
}

/** What {@linkcode trackRun} hands the code that executes the run. */
export interface RunHooks {
  readonly runId: string;
  /** Receives the run's lifecycle events. */
  readonly events: EventTarget;
  /** Aborted when the API cancels the run (shutdown after the grace period). */
  readonly signal: AbortSignal;
}

function runIdTaken(runId: string): RunIdError {
  return new RunIdError(
    `a run with id '${runId}' already exists: give a new run id or leave it out`,
    runId,
    "taken",
  );
}

/** The result shown for a run whose real result could not be kept or shown. */
function failedResult(result: Result, failure: { name: string; message: string }): ResultJson {
  return {
    status: "FAILED",
    run_id: result.runId,
    parent_run_id: result.parentRunId ?? null,
    context: { status: "FAILED", errors: failure },
  };
}

/**
 * Registers a run under `runId` and executes it with `execute`; `resultOf` picks the result
 * from what `execute` returned (`undefined` when nothing ran: the run is then forgotten).
 * The run ends once its trace records are written and its result is masked; when either
 * fails, it ends FAILED with that error instead (it never stays `WAIT`).
 */
export function trackRun<T>(
  deps: ApiDeps,
  workflow: string,
  runId: string,
  execute: (hooks: RunHooks) => Promise<T>,
  resultOf: (value: T) => Result | undefined,
): { run: ApiRun; done: Promise<T> } {
  assertOpen(deps);
  const clock = deps.engine.runtime.clock;
  if (deps.runs.get(runId)) throw runIdTaken(runId);
  const run = deps.runs.add(runId, workflow, clock.now());
  const events = new EventTarget();
  onLifecycle(events, (detail) => run.record(detail));
  let started: Promise<T>;
  try {
    started = execute({ runId, events, signal: run.controller.signal });
  } catch (error) {
    started = Promise.reject(error);
  }
  const done = started.then(
    async (value) => {
      const result = resultOf(value);
      if (!result) {
        run.finish(clock.now(), {});
        deps.runs.delete(runId);
        return value;
      }
      try {
        const json = resultToJson(result);
        // Kept in memory only, for a re-run that resumes it (the real values, not `***`).
        run.context = revealSecrets(result).context;
        await deps.engine.tracesWritten(result.runId);
        run.finish(clock.now(), { result: json });
      } catch (error) {
        const failure = publicErrorRecord(error);
        run.finish(clock.now(), { result: failedResult(result, failure), failure });
      }
      return value;
    },
    (error: unknown) => {
      run.finish(clock.now(), { failure: publicErrorRecord(error) });
      // Nothing ran (bad params, bad template): the run never existed.
      if (run.events().length === 0) deps.runs.delete(runId);
      throw error;
    },
  );
  return { run, done };
}

/** Options of {@linkcode startRun}. */
export interface StartRunOptions {
  readonly runId?: string;
  readonly parentRunId?: string;
  /** The caller's W3C trace context (a valid `traceparent` header). */
  readonly traceparent?: string;
  /** The run this one re-runs (recorded on the run and its `run-start` trace record). */
  readonly rerunOf?: string;
  /** Keep the params so that `POST /runs/{id}/rerun` can run the workflow again.
   * @default true */
  readonly rerunnable?: boolean;
  /** Keep the jobs that succeeded in this earlier run (see `ExecuteOptions.resume`). */
  readonly resume?: { readonly runId: string; readonly context: Readonly<Record<string, unknown>> };
}

/**
 * Starts `workflow` and registers it; params and a given run id are checked first, so a bad
 * param throws `ParamError`, a used run id `RunIdError` (409), and nothing runs. `done`
 * settles with the result (or the error that stopped the run).
 */
export async function startRun(
  deps: ApiDeps,
  workflow: Workflow,
  params: Readonly<Record<string, unknown>>,
  options: StartRunOptions = {},
): Promise<{ run: ApiRun; done: Promise<Result> }> {
  assertOpen(deps);
  const { engine } = deps;
  const clock = engine.runtime.clock;
  coerceParams(workflow.params, params, { timezone: engine.settings.timezone, now: clock.now() });
  const runId = options.runId ?? engine.newRunId(workflow.name);
  if (options.runId !== undefined) {
    if (deps.runs.get(runId)) throw runIdTaken(runId);
    // Before the run is registered, so an async request is not answered 202 for a used id.
    await engine.checkRunId(runId);
  }
  const tracked = trackRun(
    deps,
    workflow.name,
    runId,
    ({ events, signal }) =>
      engine.execute(workflow, params, {
        events,
        runId,
        parentRunId: options.parentRunId,
        signal,
        traceparent: options.traceparent,
        rerunOf: options.rerunOf,
        resume: options.resume,
      }),
    (result) => result,
  );
  if (options.rerunnable !== false) tracked.run.params = params;
  tracked.run.rerunOf = options.rerunOf;
  return tracked;
}
