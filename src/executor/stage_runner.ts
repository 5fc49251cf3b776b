/**
 * Runs stages: id resolution, `if`, retries, timeouts, cancellation,
 * lifecycle events and the context entry `{status, outputs, errors?,
 * skipped?, info}`. Stage kinds only produce outputs (see `src/stages/`).
 *
 * @module
 */

import type { Stage, Status } from "../models/types.ts";
import { evaluateCondition, hasTemplate, render, renderString } from "../template/mod.ts";
import { errorToRecord, NonRetriableError, SkipError, StageError } from "../errors.ts";
import { stageHashId } from "./ids.ts";
import {
  errorForAbort,
  type EventScope,
  NO_OUTCOME,
  type RunState,
  scopedSignal,
  statusForAbort,
  TimeoutReason,
} from "./run_state.ts";
import { Timer } from "./timing.ts";
import { Retries } from "./retry.ts";
import type { JsRunner, NestedRun, StageContext, StageOutcome } from "../stages/types.ts";
import { STAGE_KINDS, stageHandler } from "../stages/kinds.ts";
import type { LogLevel } from "./events.ts";
import { childSignal, onAbort } from "../util/abort.ts";
import { formatTimeout } from "../util/text.ts";
import type { ErrorRecord, StageContext as StageRecord } from "../models/run_context.ts";
import { PythonSession } from "../stages/python.ts";

/** Where a list of stages runs: its job/strategy, scope and output map. */
export interface StagesFrame {
  readonly run: RunState;
  readonly jobId: string;
  readonly strategyId?: string;
  /** Path of enclosing nested stages. */
  readonly nested: readonly string[];
  /** Template scope. Its `stages` is `stages` itself for a job's own list; for nested stages
   * it is a view that also holds the job's earlier stages (REFERENCE.md §4.7, later versions). */
  readonly scope: Record<string, unknown>;
  /** Where this list's stage entries are recorded (the job's, or the nested stage's output). */
  readonly stages: Record<string, unknown>;
  /** What the stages of one job (one matrix combination) share, nested stages included. */
  readonly lane: JobLane;
}

/** Resources of one job (one matrix combination), released by {@linkcode endLane}. */
export interface JobLane {
  /** The job's Python interpreter session, opened by its first Python stage. */
  python?: PythonSession;
}

/** Ends a job's lane: kills its Python interpreter and turns the Python objects left in
 * `stages` (its stage entries) into their display text. */
export function endLane(lane: JobLane, stages: Record<string, unknown>): void {
  lane.python?.close(stages);
  lane.python = undefined;
}

/** A stage's entry in the run context (see {@linkcode StageRecord}). */
export type StageEntry = StageRecord;

const ACTION_KINDS = new Set(STAGE_KINDS.filter((kind) => kind.acts).map((kind) => kind.kind));

/**
 * Runs `work` but settles with the abort reason as soon as `signal` aborts,
 * so user code that ignores its signal cannot hang a run.
 */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let off = () => {};
  const aborted = new Promise<never>((_, reject) => {
    off = onAbort(signal, () => reject(signal.reason));
  });
  return Promise.race([work, aborted]).finally(off);
}

/** Kinds whose handler is user code that may ignore its signal. */
const UNTRUSTED_KINDS = new Set(
  STAGE_KINDS.filter((kind) => kind.runsUserCodeInProcess).map((kind) => kind.kind),
);
const QUIET_KINDS = new Set(STAGE_KINDS.filter((kind) => kind.quietEdges).map((kind) => kind.kind));

class StageContextImpl implements StageContext {
  #signal?: { signal: AbortSignal; dispose: () => void };
  readonly runtime;
  readonly runId;
  readonly parentRunId;
  readonly workflowName;
  readonly calls;
  readonly defaultRunLang;
  readonly dryRun;
  constructor(
    private readonly frame: StagesFrame,
    readonly stageId: string,
    readonly stageName: string,
    private readonly parentSignal: AbortSignal,
    readonly timeoutMs: number | undefined,
  ) {
    const { services, identity } = frame.run;
    this.runtime = services.runtime;
    this.runId = identity.runId;
    this.parentRunId = identity.parentRunId;
    this.workflowName = identity.workflow;
    this.calls = services.calls;
    this.defaultRunLang = services.defaultRunLang;
    this.dryRun = services.dryRun;
  }
  /** The stage's own signal, made on first use: concurrent stages each add listeners to
   * theirs (sleeps, subprocesses), and the shared job signal carries one. */
  get signal(): AbortSignal {
    this.#signal ??= childSignal(this.parentSignal);
    return this.#signal.signal;
  }
  /** Unlinks the stage's signal from the job's once the stage has ended. */
  dispose(): void {
    this.#signal?.dispose();
  }
  get scope() {
    return this.frame.scope;
  }
  private scopeWith(extra?: Readonly<Record<string, unknown>>) {
    return extra ? { ...this.frame.scope, ...extra } : this.frame.scope;
  }
  log(level: LogLevel, message: string): void {
    if (this.frame.run.listens("log", level)) this.frame.run.log(level, message, this.where());
  }
  get traceparent(): string | undefined {
    return this.frame.run.traceparent(this.where());
  }
  addSecret(value: string): void {
    if (value !== "") this.frame.run.addSecret(value);
  }
  mask(text: string): string {
    return this.frame.run.masker.mask(text);
  }
  get logging(): boolean {
    return this.frame.run.listens("log", "info");
  }
  private where() {
    return {
      job: this.frame.jobId,
      strategy: this.frame.strategyId,
      stage: this.stageId,
      nested: this.frame.nested.length ? this.frame.nested : undefined,
    };
  }
  render(value: unknown, extra?: Readonly<Record<string, unknown>>): unknown {
    return render(value, this.scopeWith(extra), this.frame.run.renderOptions);
  }
  renderString(
    value: string,
    extra?: Readonly<Record<string, unknown>>,
    options?: { readonly env?: boolean },
  ): string {
    const run = this.frame.run;
    const opts = options?.env === false ? run.renderOptionsWithoutEnv : run.renderOptions;
    return renderString(value, this.scopeWith(extra), opts);
  }
  condition(value: string | boolean, extra?: Readonly<Record<string, unknown>>): boolean {
    return evaluateCondition(value, this.scopeWith(extra), this.frame.run.renderOptions);
  }
  runNested(
    stages: readonly Stage[],
    extraScope: Readonly<Record<string, unknown>>,
    options: { signal: AbortSignal; path: readonly string[] },
  ): Promise<NestedRun> {
    const out: Record<string, unknown> = {};
    // Nested stages read what their job (and enclosing nested stages) ran before them, plus
    // their earlier siblings; only their own entries are recorded under this stage's output.
    // Each branch/item/loop gets its own view, so concurrent branches do not see each other.
    const visible = { ...(this.frame.scope.stages as Record<string, unknown>) };
    const frame: StagesFrame = {
      run: this.frame.run,
      jobId: this.frame.jobId,
      strategyId: this.frame.strategyId,
      nested: [...this.frame.nested, this.stageId, ...options.path],
      scope: { ...this.frame.scope, ...extraScope, stages: visible },
      stages: out,
      lane: this.frame.lane,
    };
    return runStages(stages, frame, options.signal);
  }
  jsRunner(): Pick<JsRunner, "run"> {
    return this.frame.run.jsRunner();
  }
  python(): Pick<PythonSession, "run"> {
    return this.frame.lane.python ??= new PythonSession(this.frame.run.pythonPool());
  }
  triggerWorkflow(
    name: string,
    params: Record<string, unknown>,
    options: { signal: AbortSignal; traceparent?: string },
  ) {
    const trigger = this.frame.run.trigger;
    if (!trigger) {
      return Promise.reject(new StageError("trigger stages need a workflow lookup"));
    }
    return trigger(name, params, options.signal, options.traceparent);
  }
}

/** Resolves a stage's id: its rendered `id`, else the hash of its rendered name. */
export function resolveStageId(stage: Stage, frame: StagesFrame): { id: string; name: string } {
  const opts = frame.run.renderOptions;
  const name = hasTemplate(stage.name) ? renderString(stage.name, frame.scope, opts) : stage.name;
  if (stage.id !== undefined) {
    const id = hasTemplate(stage.id) ? renderString(stage.id, frame.scope, opts) : stage.id;
    return { id, name };
  }
  return { id: stageHashId(name), name };
}

/** Level of a stage's start and end records: an echo/sleep stage's own log line says all
 * there is, so its edges are `debug`. */
function edgeBase(stage: Stage): LogLevel {
  return QUIET_KINDS.has(stage.kind) ? "debug" : "info";
}

/** Runs one stage and records its entry in `frame.stages`. */
export async function runStage(
  stage: Stage,
  frame: StagesFrame,
  signal: AbortSignal,
): Promise<{ id: string; entry: StageEntry }> {
  const { run } = frame;
  const timer = new Timer(run.services.runtime.clock);
  let id: string;
  let name: string;
  try {
    ({ id, name } = resolveStageId(stage, frame));
  } catch (error) {
    const id = stage.id ?? stage.name;
    return finish(frame, { stage, id, timer, status: "FAILED", error: errorToRecord(error) });
  }
  if (signal.aborted) {
    const error = errorToRecord(errorForAbort(signal.reason));
    return finish(frame, { stage, id, timer, status: statusForAbort(signal.reason), error });
  }
  const started: EventScope = {
    job: frame.jobId,
    strategy: frame.strategyId,
    stage: id,
    stageName: name,
    nested: frame.nested.length ? frame.nested : undefined,
    kind: stage.kind,
  };
  run.emitIn("stage-start", started, NO_OUTCOME, edgeBase(stage), timer.startMs);

  if (stage.if !== undefined) {
    let go: boolean;
    try {
      go = evaluateCondition(stage.if, frame.scope, run.renderOptions);
    } catch (error) {
      return finish(frame, {
        stage,
        id,
        timer,
        started,
        status: "FAILED",
        error: errorToRecord(error),
      });
    }
    if (!go) {
      run.log("info", `[STAGE]: Skip '${name}': condition is false`, started);
      return finish(frame, { stage, id, timer, started, status: "SKIP", skipped: true });
    }
  }

  if (run.services.dryRun && ACTION_KINDS.has(stage.kind)) {
    run.log("info", `[STAGE]: Dry-run: '${name}' (${stage.kind}) not executed`, started);
    return finish(frame, { stage, id, timer, started, status: "SUCCESS" });
  }

  const handler = stageHandler(stage.kind);
  const retries = Retries.of(stage.retry, run.services.runtime.clock, signal);
  for (;;) {
    const scoped = scopedSignal(
      run.services.runtime,
      signal,
      stage.timeoutMs,
      () =>
        new TimeoutReason(
          "stage",
          `stage '${name}' timed out after ${formatTimeout(stage.timeoutMs!)}`,
        ),
    );
    const context = new StageContextImpl(frame, id, name, scoped.signal, stage.timeoutMs);
    let status: Status;
    let outputs: Record<string, unknown> = {};
    let error: ErrorRecord | undefined;
    let retriable = false;
    try {
      const work = handler(stage, context);
      const outcome: StageOutcome = UNTRUSTED_KINDS.has(stage.kind)
        ? await raceAbort(work, scoped.signal)
        : await work;
      ({ outputs, error } = outcome);
      status = outcome.status ?? "SUCCESS";
      retriable = true;
    } catch (thrown) {
      if (scoped.signal.aborted) {
        status = statusForAbort(scoped.signal.reason);
        error = errorToRecord(errorForAbort(scoped.signal.reason));
        // The stage's own timeout may be retried; the caller's cancel or timeout may not.
        retriable = !signal.aborted;
      } else if (thrown instanceof SkipError) {
        status = "SKIP";
      } else {
        status = "FAILED";
        error = errorToRecord(thrown);
        retriable = !(thrown instanceof NonRetriableError);
      }
    } finally {
      context.dispose();
      scoped.dispose();
    }
    if (status === "FAILED" && retriable && retries?.left) {
      run.log(
        "warning",
        `[STAGE]: '${name}' failed (attempt ${retries.attempt} of ${retries.attempts}): ${
          error?.message ?? ""
        }; retrying in ${retries.delayMs} ms`,
        started,
      );
      if (await retries.wait()) continue;
      status = statusForAbort(signal.reason);
      error = errorToRecord(errorForAbort(signal.reason));
    }
    const attempts = retries?.attempt ?? 1;
    return finish(frame, { stage, id, timer, started, status, outputs, error, attempts });
  }
}

/** How a stage ended, for {@linkcode finish}. */
interface StageEnd {
  readonly stage: Stage;
  /** The stage's resolved id (its declared id or name when resolving failed). */
  readonly id: string;
  readonly timer: Timer;
  readonly status: Status;
  /** @default {} */
  readonly outputs?: Record<string, unknown>;
  readonly error?: ErrorRecord;
  /** The scope of its `stage-start` event, when it had one (its `stage-end` goes there). */
  readonly started?: EventScope;
  /** Skipped by its `if`. @default false */
  readonly skipped?: boolean;
  /** Attempts made, when the stage's handler ran. */
  readonly attempts?: number;
}

/** Records a stage's entry and emits its `stage-end` (when it started). */
function finish(frame: StagesFrame, end: StageEnd): { id: string; entry: StageEntry } {
  const { timer, id, status, error } = end;
  const info = timer.stop();
  const entry: StageEntry = { status, outputs: end.outputs ?? {}, info };
  if (error) entry.errors = error;
  if (end.skipped) entry.skipped = true;
  frame.stages[id] = entry;
  const visible = frame.scope.stages as Record<string, unknown>;
  if (visible !== frame.stages) visible[id] = entry;
  if (end.started) {
    frame.run.emitIn(
      "stage-end",
      end.started,
      { status, durationMs: timer.durationMs, error, attempts: end.attempts },
      edgeBase(end.stage),
      Math.floor(timer.endMs),
    );
  }
  return { id, entry };
}

/**
 * Runs stages in order. A FAILED stage stops the list unless it has
 * `continue-on-error`; a cancelled one stops it with CANCEL. The list is SKIP
 * when every stage skipped.
 */
export async function runStages(
  stages: readonly Stage[],
  frame: StagesFrame,
  signal: AbortSignal,
): Promise<NestedRun> {
  let allSkipped = stages.length > 0;
  for (const stage of stages) {
    const { id, entry } = await runStage(stage, frame, signal);
    if (entry.status !== "SKIP") allSkipped = false;
    if (entry.status === "CANCEL") {
      return { status: "CANCEL", stages: frame.stages, error: entry.errors };
    }
    if (entry.status === "FAILED" && !stage.continueOnError) {
      return {
        status: "FAILED",
        stages: frame.stages,
        error: {
          name: "StageError",
          message: `stage '${id}' failed: ${entry.errors?.message ?? "unknown error"}`,
        },
      };
    }
  }
  return { status: allSkipped ? "SKIP" : "SUCCESS", stages: frame.stages };
}
