/**
 * Per-run state shared by the workflow, job and stage runners: services,
 * run ids, the secret masker, template options and event emission.
 *
 * @module
 */

import type { Runtime } from "../runtime/types.ts";
import type { Status, Workflow } from "../models/types.ts";
import type { FilterRegistry, RenderOptions } from "../template/mod.ts";
import { Masker } from "../util/mask.ts";
import { isSecretEnvName } from "../util/secret_env.ts";
import {
  edgeLevel,
  LifecycleBus,
  type LifecycleDetail,
  type LifecycleEventType,
  type ListenerErrorHandler,
  type LogLevel,
  mayListen,
} from "./events.ts";
import type { CallResolver, JsRunner } from "../stages/types.ts";
import { PythonPool } from "../stages/python.ts";
import { onAbort, type TimeoutReason } from "../util/abort.ts";
// The runners take these with the rest of a scope's helpers from here.
export { errorForAbort, statusForAbort, TimeoutReason } from "../util/abort.ts";
import type { RunContext } from "../models/run_context.ts";

/** Services a run needs beyond the workflow itself. */
export interface RunServices {
  /** Host adapter: fs, clock, env, spawn, workers. */
  readonly runtime: Runtime;
  /** Lifecycle events are dispatched here (a plain `EventTarget` is wrapped in a
   * {@linkcode LifecycleBus} per run, so its listeners' errors never reach the run). */
  readonly events: EventTarget;
  /** Where errors of lifecycle listeners go when `events` is not a {@linkcode LifecycleBus}
   * (a bus has its own). @default one `error` log event per failing listener */
  readonly onListenerError?: ListenerErrorHandler;
  /** Template filters. @default the built-in filters */
  readonly filters?: FilterRegistry;
  /** Resolves `uses:` targets of call stages. */
  readonly calls: CallResolver;
  /** Lazily created JavaScript runner; each run opens its own session of it. */
  readonly jsRunner: () => JsRunner;
  /** The engine's warm `python3` interpreters; each job takes its own. @default a pool of
   * the run's own, closed when the run ends */
  readonly pythonPool?: () => PythonPool;
  /** Looks up another workflow by name (trigger stages). */
  readonly lookupWorkflow?: (name: string) => Workflow | Promise<Workflow>;
  /** IANA zone for rendering dates and naive datetime params. */
  readonly timezone: string;
  /** Most jobs running at once, unless the workflow or call sets it. */
  readonly maxJobParallel: number;
  /** Most matrix combinations one job may expand to. */
  readonly maxCombinations: number;
  /** Language of `run:` stages that declare no `lang:`. */
  readonly defaultRunLang: "javascript" | "python";
  /** When `true`, action stages are not executed. */
  readonly dryRun: boolean;
  /** Env names whose `${VAR}` values are masked besides those whose name marks a secret
   * (`WORKFLOW_CORE_SECRET_ENV`). @default [] */
  readonly secretEnv?: readonly string[];
  /** Values every run masks from its start (the server's own credentials). @default [] */
  readonly secrets?: readonly string[];
  /**
   * The W3C `traceparent` of the innermost open span at `where` in run `runId` (telemetry's
   * span of a running stage), so stages hand it on to tasks, subprocesses and child runs.
   * `where` holds masked ids, as the lifecycle events do. @default none: stages see the run's
   * own `traceparent` (the caller's), if any
   */
  readonly traceContext?: (runId: string, where: EventScope) => string | undefined;
}

/** Identity of one run. */
export interface RunIdentity {
  readonly runId: string;
  readonly parentRunId?: string;
  readonly workflow: string;
  /** Names of the workflows that triggered this one, outermost first (cycle guard). */
  readonly triggerChain: readonly string[];
  /** W3C `traceparent` of the caller (API request header or parent run's trigger stage). */
  readonly traceparent?: string;
}

/** Mutable state of one run. */
export class RunState {
  readonly masker = new Masker();
  /** Every secret value this run has seen (for child runs and stores). */
  readonly secrets = new Set<string>();
  readonly renderOptions: RenderOptions;
  /** Render options without the `${VAR}` env pass (JavaScript code, where `${…}` is JS). */
  readonly renderOptionsWithoutEnv: RenderOptions;
  /** Runs a child workflow (set by the workflow runner when a lookup exists). */
  trigger?: (
    name: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
    traceparent?: string,
  ) => Promise<{ status: Status; runId: string; context: RunContext }>;
  /** Where this run's events go: `services.events`, wrapped in a bus when it is not one. */
  readonly #events: LifecycleBus;
  #js?: Pick<JsRunner, "run" | "close">;
  #ownPython?: PythonPool;

  constructor(readonly services: RunServices, readonly identity: RunIdentity) {
    this.#events = services.events instanceof LifecycleBus
      ? services.events
      : new LifecycleBus([services.events], { onListenerError: services.onListenerError });
    const env = services.runtime.env;
    this.renderOptions = {
      filters: services.filters,
      timezone: services.timezone,
      env: (name: string) => env.get(name),
      onEnv: (name: string, value: string) => {
        if (isSecretEnvName(name, services.secretEnv)) this.addSecret(value);
      },
    };
    this.renderOptionsWithoutEnv = { filters: services.filters, timezone: services.timezone };
    for (const secret of services.secrets ?? []) this.addSecret(secret);
  }

  /** This run's JavaScript session, opened on first use: its workers never serve another
   * run, so code that tampers with a worker cannot see a later run's `vars`. */
  jsRunner(): Pick<JsRunner, "run"> {
    if (!this.#js) {
      const runner = this.services.jsRunner();
      this.#js = runner.session?.() ?? { run: runner.run.bind(runner), close: async () => {} };
    }
    return this.#js;
  }

  /** Ends this run's JavaScript workers (at the end of the run). */
  async closeJs(): Promise<void> {
    const js = this.#js;
    this.#js = undefined;
    await js?.close();
  }

  /** Where this run's jobs take their Python interpreters from. */
  pythonPool(): PythonPool {
    return this.services.pythonPool?.() ??
      (this.#ownPython ??= new PythonPool(this.services.runtime.spawn, { spares: 0 }));
  }

  /** Ends the Python interpreters of a pool this run made for itself (at the end of the run). */
  async closePython(): Promise<void> {
    const own = this.#ownPython;
    this.#ownPython = undefined;
    await own?.close();
  }

  /** Registers a value to be masked everywhere it would be shown. */
  addSecret(value: string): void {
    if (this.secrets.has(value)) return;
    this.secrets.add(value);
    this.masker.add(value);
  }

  /** Dispatches a lifecycle event with the run's ids filled in; `time` defaults to now and
   * the level of an edge to {@linkcode edgeLevel} of its status. */
  emit(detail: EmitDetail): void {
    const level = detail.level ?? edgeLevel(detail.status);
    if (!mayListen(this.#events, detail.type, level)) return;
    this.#send(detail.type, detail, detail, level, detail.message, detail.time);
  }

  /**
   * Like {@linkcode emit}, for hot paths that already hold the scope and outcome objects;
   * `base` is the level of the edge unless it failed or was cancelled.
   */
  emitIn(
    type: LifecycleEventType,
    where: EventScope,
    outcome: EventOutcome,
    base: LogLevel,
    time?: number,
  ): void {
    const level = edgeLevel(outcome.status, base);
    if (!mayListen(this.#events, type, level)) return;
    this.#send(type, where, outcome, level, undefined, time);
  }

  /** Whether anyone may listen to `type` events at `level` (lets callers skip building
   * messages). */
  listens(type: LifecycleDetail["type"], level?: LogLevel): boolean {
    return mayListen(this.#events, type, level);
  }

  /** The W3C `traceparent` a stage at `where` hands on: its telemetry span's, else the
   * caller's of this run, else none. */
  traceparent(where: EventScope): string | undefined {
    const lookup = this.services.traceContext;
    if (lookup) {
      const masker = this.masker;
      const masked = masker.size === 0 ? where : {
        job: where.job === undefined ? undefined : masker.mask(where.job),
        strategy: where.strategy === undefined ? undefined : masker.mask(where.strategy),
        stage: where.stage === undefined ? undefined : masker.mask(where.stage),
        nested: where.nested?.map((part) => masker.mask(part)),
      };
      const found = lookup(this.identity.runId, masked);
      if (found !== undefined) return found;
    }
    return this.identity.traceparent;
  }

  /** Emits a `log` event. */
  log(level: LogLevel, message: string, where: EventScope = NO_SCOPE): void {
    if (!this.listens("log", level)) return;
    this.#send("log", where, NO_OUTCOME, level, message, undefined);
  }

  // Every event is built as one object literal of a fixed shape, so building and reading
  // them stays monomorphic on the hot path of fast stages.
  #send(
    type: LifecycleEventType,
    where: EventScope,
    outcome: EventOutcome,
    level: LogLevel,
    message: string | undefined,
    time: number | undefined,
  ): void {
    let error = outcome.error;
    // The one place an event's text is masked: ids and names may be rendered from secrets
    // (a stage named after a matrix value, a foreach key), not only messages.
    let { job, strategy, stage, stageName, nested, matrix } = where;
    const masker = this.masker;
    if (masker.size > 0) {
      if (message !== undefined) message = masker.mask(message);
      if (error !== undefined) error = { name: error.name, message: masker.mask(error.message) };
      if (job !== undefined) job = masker.mask(job);
      if (strategy !== undefined) strategy = masker.mask(strategy);
      if (stage !== undefined) stage = masker.mask(stage);
      if (stageName !== undefined) stageName = masker.mask(stageName);
      if (nested !== undefined) nested = nested.map((part) => masker.mask(part));
      if (matrix !== undefined) matrix = masker.maskValue(matrix) as Record<string, unknown>;
    }
    const detail: LifecycleDetail = {
      type,
      time: time ?? this.services.runtime.clock.now(),
      runId: this.identity.runId,
      parentRunId: this.identity.parentRunId,
      workflow: this.identity.workflow,
      job,
      strategy,
      stage,
      stageName,
      nested,
      kind: where.kind,
      matrix,
      status: outcome.status,
      durationMs: outcome.durationMs,
      error,
      attempts: outcome.attempts,
      traceparent: outcome.traceparent,
      rerunOf: outcome.rerunOf,
      level,
      message,
      context: outcome.context,
    };
    this.#events.publish(detail);
  }
}

/** Where in a run an event happened: the job, strategy and stage fields of its
 * {@linkcode LifecycleDetail}. */
export type EventScope = Pick<
  LifecycleDetail,
  "job" | "strategy" | "stage" | "stageName" | "nested" | "kind" | "matrix"
>;

/** What an `*-end` event reports (and the caller's `traceparent` on `run-start`). */
export interface EventOutcome {
  readonly status?: Status;
  readonly durationMs?: number;
  readonly error?: { readonly name: string; readonly message: string };
  readonly context?: Readonly<Record<string, unknown>>;
  /** Attempts a stage made. */
  readonly attempts?: number;
  /** The caller's W3C trace context, on `run-start`. */
  readonly traceparent?: string;
  /** The run this one re-runs, on `run-start`. */
  readonly rerunOf?: string;
}

/** What {@linkcode RunState.emit} takes: the event without the run's ids. */
export type EmitDetail =
  & Omit<LifecycleDetail, "runId" | "parentRunId" | "workflow" | "time">
  & { readonly time?: number };

const NO_SCOPE: EventScope = {};
/** The outcome of an event that reports none (`*-start`). */
export const NO_OUTCOME: EventOutcome = {};

/**
 * Calls `onTimeout` after `ms` of the runtime clock unless disposed first. The
 * timer is a real `sleep`, so it keeps the process alive while a run waits on
 * it (a task awaiting only its signal must still time out), and disposing it
 * lets the process exit at once.
 */
export function armTimeout(runtime: Runtime, ms: number, onTimeout: () => void): () => void {
  const cancel = new AbortController();
  runtime.clock.sleep(ms, { signal: cancel.signal }).then(onTimeout, () => {});
  return () => cancel.abort();
}

const NOTHING_TO_DISPOSE = () => {};

/**
 * A child AbortSignal of `parent` that also aborts after `timeoutMs` of the
 * runtime clock with a {@linkcode TimeoutReason}. Call `dispose` when done.
 */
export function scopedSignal(
  runtime: Runtime,
  parent: AbortSignal,
  timeoutMs: number | undefined,
  describe: () => TimeoutReason,
): { signal: AbortSignal; dispose: () => void } {
  if (timeoutMs === undefined) return { signal: parent, dispose: NOTHING_TO_DISPOSE };
  const controller = new AbortController();
  const offParent = onAbort(parent, () => controller.abort(parent.reason));
  const disarm = armTimeout(runtime, timeoutMs, () => controller.abort(describe()));
  return {
    signal: controller.signal,
    dispose: () => {
      offParent();
      disarm();
    },
  };
}
