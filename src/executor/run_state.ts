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
import {
  LifecycleBus,
  type LifecycleDetail,
  LifecycleEvent,
  type LogLevel,
  mayListen,
} from "./events.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
import type { CallResolver, JsRunner } from "../stages/types.ts";
import { CancelError, StageTimeoutError } from "../errors.ts";
import { onAbort } from "../util/abort.ts";
import { isoTime } from "../util/time.ts";

export { isoTime };

/** Services a run needs beyond the workflow itself. */
export interface RunServices {
  /** Host adapter: fs, clock, env, spawn, workers. */
  readonly runtime: Runtime;
  /** Lifecycle events are dispatched here. */
  readonly events: EventTarget;
  /** Template filters. @default the built-in filters */
  readonly filters?: FilterRegistry;
  /** Resolves `uses:` targets of call stages. */
  readonly calls: CallResolver;
  /** Lazily created JavaScript runner. */
  readonly jsRunner: () => JsRunner;
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
}

/** Identity of one run. */
export interface RunIdentity {
  readonly runId: string;
  readonly parentRunId?: string;
  readonly workflow: string;
  /** Names of the workflows that triggered this one, outermost first (cycle guard). */
  readonly triggerChain: readonly string[];
}

/** Why a scope was aborted; lets runners tell a timeout from a cancel. */
export class TimeoutReason extends Error {
  override name = "TimeoutReason";
  constructor(readonly level: "stage" | "job", message: string) {
    super(message);
  }
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
  ) => Promise<{ status: Status; runId: string; context: Record<string, unknown> }>;
  constructor(readonly services: RunServices, readonly identity: RunIdentity) {
    const env = services.runtime.env;
    this.renderOptions = {
      filters: services.filters,
      timezone: services.timezone,
      env: (name: string) => env.get(name),
      onEnv: (_name: string, value: string) => this.addSecret(value),
    };
    this.renderOptionsWithoutEnv = { filters: services.filters, timezone: services.timezone };
  }

  /** Registers a value to be masked everywhere it would be shown. */
  addSecret(value: string): void {
    if (this.secrets.has(value)) return;
    this.secrets.add(value);
    this.masker.add(value);
  }

  /** Dispatches a lifecycle event with the run's ids filled in. */
  emit(detail: Omit<LifecycleDetail, "runId" | "parentRunId" | "workflow" | "time">): void {
    const events = this.services.events;
    if (!mayListen(events, detail.type)) return;
    const full = detail as Mutable<LifecycleDetail>;
    full.time = this.services.runtime.clock.now();
    full.runId = this.identity.runId;
    full.parentRunId = this.identity.parentRunId;
    full.workflow = this.identity.workflow;
    if (this.masker.size > 0) {
      if (full.message !== undefined) full.message = this.masker.mask(full.message);
      if (full.error !== undefined) {
        full.error = { name: full.error.name, message: this.masker.mask(full.error.message) };
      }
    }
    if (events instanceof LifecycleBus) events.publish(full);
    else events.dispatchEvent(new LifecycleEvent(full));
  }

  /** Whether anyone may listen to `type` (lets callers skip building messages). */
  listens(type: LifecycleDetail["type"]): boolean {
    return mayListen(this.services.events, type);
  }

  /** Emits a `log` event. */
  log(
    level: LogLevel,
    message: string,
    where: { job?: string; strategy?: string; stage?: string; nested?: readonly string[] } = {},
  ): void {
    if (!this.listens("log")) return;
    this.emit({ type: "log", level, message, ...where });
  }
}

/** `{start, end, duration_ms}` as recorded at every context level. */
export function timingInfo(startMs: number, endMs: number, durationMs: number) {
  return {
    start: isoTime(startMs),
    end: isoTime(endMs),
    duration_ms: Math.round(durationMs * 1000) / 1000,
  };
}

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

/** Maps an abort reason to the status a node that was stopped by it ends with. */
export function statusForAbort(reason: unknown): Status {
  return reason instanceof TimeoutReason || reason instanceof StageTimeoutError
    ? "FAILED"
    : "CANCEL";
}

/** The error recorded for a node stopped by `reason`. */
export function errorForAbort(reason: unknown): Error {
  if (reason instanceof TimeoutReason) return new StageTimeoutError(reason.message);
  if (reason instanceof Error && reason.name !== "AbortError") {
    return reason instanceof CancelError || reason instanceof StageTimeoutError
      ? reason
      : new CancelError(reason.message);
  }
  return new CancelError("cancelled");
}
