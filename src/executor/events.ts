/**
 * Lifecycle events of a run. The executor dispatches them on an `EventTarget`;
 * traces, audits, the CLI progress view and the API stream all listen to the
 * same events instead of being called from inside the executor.
 *
 * @module
 */

import type { LogLevel, Status } from "../models/types.ts";

export type { LogLevel } from "../models/types.ts";

/** Event types, one per lifecycle edge plus `log` for trace lines. */
export type LifecycleEventType =
  | "run-start"
  | "run-end"
  | "job-start"
  | "job-end"
  | "strategy-start"
  | "strategy-end"
  | "stage-start"
  | "stage-end"
  | "log";

/** Every type, for listeners that want all of them. */
export const LIFECYCLE_EVENT_TYPES: readonly LifecycleEventType[] = [
  "run-start",
  "run-end",
  "job-start",
  "job-end",
  "strategy-start",
  "strategy-end",
  "stage-start",
  "stage-end",
  "log",
];

/** Ordering of levels, lowest first. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warning", "error"];

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warning: 2, error: 3 };

/** `true` when `level` is at or above `minLevel`. */
export function levelAtLeast(level: LogLevel, minLevel: LogLevel): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[minLevel];
}

/**
 * Level of a lifecycle edge: a FAILED end is an `error`, a CANCEL end a `warning`, anything
 * else `base` (`info`, or `debug` for the edges of stages that only echo or sleep, whose own
 * log line says all there is).
 */
export function edgeLevel(status: Status | undefined, base: LogLevel = "info"): LogLevel {
  return status === "FAILED" ? "error" : status === "CANCEL" ? "warning" : base;
}

/** The data an event carries. Text fields are already masked (secrets → `***`). */
export interface LifecycleDetail {
  /** Which lifecycle edge this is (also the DOM event type). */
  readonly type: LifecycleEventType;
  /** Epoch ms from the run's clock. */
  readonly time: number;
  /** Id of the run the event belongs to. */
  readonly runId: string;
  /** Run id of the caller when this run was triggered by another. */
  readonly parentRunId?: string;
  /** Workflow name. */
  readonly workflow: string;
  /** Job id, on job, strategy, stage and job-scoped log events. */
  readonly job?: string;
  /** Strategy id (matrix hash) when the job has a matrix. */
  readonly strategy?: string;
  /** Stage id (declared or hash). */
  readonly stage?: string;
  /** Rendered stage name. */
  readonly stageName?: string;
  /** Nesting path for stages inside parallel/foreach/until/case, e.g. `["loop", "2", "inner"]`. */
  readonly nested?: readonly string[];
  /** Stage kind (`shell`, `call`, `trigger`…), on `stage-start` and `stage-end`. */
  readonly kind?: string;
  /** On `strategy-start`: the matrix combination of the strategy (masked). */
  readonly matrix?: Readonly<Record<string, unknown>>;
  /** On `stage-end`: how many attempts the stage made (more than 1 when it was retried). */
  readonly attempts?: number;
  /** On `run-start`: the W3C `traceparent` of the caller (an API request's header, or the
   * trigger stage of a parent run), when there is one. */
  readonly traceparent?: string;
  /** On `run-start`: the id of the run this one re-runs (`POST /runs/{id}/rerun`), if any. */
  readonly rerunOf?: string;
  /** On `*-end` events. */
  readonly status?: Status;
  /** On `*-end` events. */
  readonly durationMs?: number;
  /** On a failed `*-end`. */
  readonly error?: { readonly name: string; readonly message: string };
  /** Severity: the line's level on `log` events; on edges the level of their trace record
   * (see {@linkcode edgeLevel}; computed from `status` when absent). */
  readonly level?: LogLevel;
  /** On `log` events: the (masked) trace line. */
  readonly message?: string;
  /** On `run-end`: the masked run context. */
  readonly context?: Readonly<Record<string, unknown>>;
}

/**
 * Receives the error of a lifecycle listener that threw (or whose promise rejected) and the
 * event it was handling. Listener errors never reach the run: a {@linkcode LifecycleBus}
 * catches them and hands the first error of each listener to this hook.
 */
export type ListenerErrorHandler = (error: unknown, detail: LifecycleDetail) => void;

/** Reports a listener's error to the bus that dispatched the event (see
 * {@linkcode LifecycleEvent.reportListenerError}). */
type ListenerErrorReporter = (error: unknown, listener: object, detail: LifecycleDetail) => void;

/** A lifecycle event; `event.detail` holds the data. */
export class LifecycleEvent extends Event {
  /** The data of this event. */
  readonly detail: LifecycleDetail;
  /** Set on events a {@linkcode LifecycleBus} dispatches: reports a listener's error to that
   * bus's `onListenerError` instead of letting it escape to the host (which ends the process
   * on Deno, Bun and Node). {@linkcode onLifecycle} calls it for listeners it attached. */
  readonly reportListenerError?: (error: unknown, listener: object) => void;
  /**
   * Creates an event whose `type` is `detail.type`.
   *
   * @param detail The event's data; its `type` becomes the event type.
   * @param report Where a listener's error goes (set by a `LifecycleBus`).
   */
  constructor(detail: LifecycleDetail, report?: ListenerErrorReporter) {
    super(detail.type);
    this.detail = detail;
    if (report) this.reportListenerError = (error, listener) => report(error, listener, detail);
  }
}

/** Calls `listener` with `argument`; a throw or a rejected promise goes to `fail`. */
function callIsolated<A>(
  listener: (argument: A) => unknown,
  self: unknown,
  argument: A,
  fail: (error: unknown) => void,
): void {
  let returned: unknown;
  try {
    returned = listener.call(self, argument);
  } catch (error) {
    fail(error);
    return;
  }
  // Async listeners: a rejection is a listener error too, never an unhandled rejection.
  if (
    returned !== undefined && returned !== null &&
    typeof (returned as PromiseLike<unknown>).then === "function"
  ) {
    (returned as PromiseLike<unknown>).then(undefined, fail);
  }
}

/** Options of {@linkcode onLifecycle}. */
export interface LifecycleListenOptions {
  /** Events below this level are not delivered; on a {@linkcode LifecycleBus} the executor
   * then skips building them. @default "debug" (everything) */
  readonly minLevel?: LogLevel;
}

/** The level an event is delivered at (see {@linkcode LifecycleListenOptions.minLevel}). */
export function detailLevel(detail: LifecycleDetail): LogLevel {
  return detail.level ?? edgeLevel(detail.status);
}

/**
 * Listens to every lifecycle event type on `target`; returns a function that stops listening.
 * On a {@linkcode LifecycleBus} the listener gets details directly, without `Event` objects.
 * The listener may be async. Its errors never change a run: they go to the `onListenerError`
 * hook of the bus that dispatched the event (on a plain `EventTarget`, events from a bus
 * forwarding to it carry that bus's hook; an event dispatched by hand has none, so the error
 * is thrown to the host as `EventTarget` does).
 *
 * @param target An event target or `LifecycleBus` that lifecycle events are dispatched on.
 * @param listener Called with each event's detail.
 * @param options Event types and lowest level to listen to.
 */
export function onLifecycle(
  target: EventTarget,
  listener: (detail: LifecycleDetail) => unknown,
  options: LifecycleListenOptions = {},
): () => void {
  const minLevel = options.minLevel ?? "debug";
  if (target instanceof LifecycleBus) return target.subscribe(listener, minLevel);
  const handler = (event: Event) => {
    const { detail, reportListenerError } = event as LifecycleEvent;
    if (minLevel !== "debug" && !levelAtLeast(detailLevel(detail), minLevel)) return;
    if (!reportListenerError) {
      listener(detail);
      return;
    }
    callIsolated(listener, undefined, detail, (error) => reportListenerError(error, listener));
  };
  for (const type of LIFECYCLE_EVENT_TYPES) target.addEventListener(type, handler);
  return () => {
    for (const type of LIFECYCLE_EVENT_TYPES) target.removeEventListener(type, handler);
  };
}

/** Options of {@linkcode LifecycleBus}. */
export interface LifecycleBusOptions {
  /**
   * Receives the first error of each listener that throws or rejects (later errors of the same
   * listener are not reported again; it keeps receiving events). The run never sees these
   * errors. @default publishes one `error`-level `log` event (`lifecycle listener failed …`)
   * in the run and at the place of the event that failed, so traces, the CLI and the API show
   * it like any other run error
   */
  readonly onListenerError?: ListenerErrorHandler;
}

const LIFECYCLE_TYPE_SET: ReadonlySet<string> = new Set(LIFECYCLE_EVENT_TYPES);

/**
 * An `EventTarget` that knows whether anyone listens to a type, so the
 * executor can skip building events nobody will see (the common case for
 * fast stages without traces).
 *
 * Listeners are observers: whatever they throw (or reject with, when async) is caught and
 * reported through {@linkcode LifecycleBusOptions.onListenerError}, so a broken listener can
 * never change a job's or a stage's status. This covers direct subscribers, listeners added
 * with `addEventListener` for lifecycle types, and {@linkcode onLifecycle} listeners on
 * `EventTarget`s this bus forwards to. (A listener added with `addEventListener` straight to
 * a plain `EventTarget` is called by the host, which reports its errors as uncaught.)
 *
 * @example
 * ```ts
 * import { LifecycleBus, onLifecycle } from "@ddeutil/workflow/events";
 * const bus = new LifecycleBus([], { onListenerError: (error) => console.warn(error) });
 * onLifecycle(bus, (detail) => console.log(detail.type, detail.status));
 * ```
 */
export class LifecycleBus extends EventTarget {
  readonly #counts = new Map<string, number>();
  readonly #extra: readonly EventTarget[];
  /** Direct subscribers with the rank of the lowest level each wants. */
  readonly #direct = new Map<(detail: LifecycleDetail) => unknown, number>();
  /** Lowest rank any direct subscriber wants (4: there are none). */
  #directRank = 4;
  /** Isolating wrappers of `addEventListener` listeners, by listener. */
  readonly #wrapped = new WeakMap<EventListenerOrEventListenerObject, EventListener>();
  /** Listeners whose error was reported already. */
  readonly #reported = new WeakSet<object>();
  readonly #onListenerError: ListenerErrorHandler;
  readonly #report: ListenerErrorReporter = (error, listener, detail) =>
    this.#listenerFailed(error, listener, detail);

  /**
   * Creates a bus.
   *
   * @param forwardTo targets that also receive every event dispatched here
   * @param options where listener errors go
   */
  constructor(forwardTo: readonly EventTarget[] = [], options: LifecycleBusOptions = {}) {
    super();
    this.#extra = forwardTo;
    this.#onListenerError = options.onListenerError ??
      ((error, detail) => this.#publishListenerError(error, detail));
  }

  /** Adds a listener; listeners of lifecycle types are isolated (their errors are reported,
   * never thrown).
   *
   * @param type The event type, e.g. `stage-end`.
   * @param listener Called with each event.
   * @param options As for `EventTarget.addEventListener`.
   */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (listener) this.#counts.set(type, (this.#counts.get(type) ?? 0) + 1);
    super.addEventListener(type, listener && this.#isolated(type, listener), options);
  }

  /**
   * Removes a listener added with {@linkcode LifecycleBus.addEventListener}.
   *
   * @param type The event type the listener was added for.
   * @param listener The listener to remove.
   * @param options As for `EventTarget.removeEventListener`.
   */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    const count = this.#counts.get(type) ?? 0;
    if (listener && count > 0) this.#counts.set(type, count - 1);
    const wrapper = listener && LIFECYCLE_TYPE_SET.has(type)
      ? this.#wrapped.get(listener)
      : undefined;
    super.removeEventListener(type, wrapper ?? listener, options);
  }

  /** The listener as registered: lifecycle listeners get a wrapper that reports their errors. */
  #isolated(
    type: string,
    listener: EventListenerOrEventListenerObject,
  ): EventListenerOrEventListenerObject {
    if (!LIFECYCLE_TYPE_SET.has(type)) return listener;
    let wrapper = this.#wrapped.get(listener);
    if (!wrapper) {
      wrapper = (event: Event) => {
        const detail = (event as Partial<LifecycleEvent>).detail;
        const call = typeof listener === "function"
          ? listener
          : (e: Event) => listener.handleEvent(e);
        if (!detail) {
          call.call(event.currentTarget, event);
          return;
        }
        callIsolated(
          call,
          event.currentTarget,
          event,
          (error) => this.#listenerFailed(error, listener, detail),
        );
      };
      this.#wrapped.set(listener, wrapper);
    }
    return wrapper;
  }

  /** Dispatches `event` here and on the forward targets (prefer
   * {@linkcode LifecycleBus.publish}, which builds no `Event` when nobody needs one). */
  override dispatchEvent(event: Event): boolean {
    const detail = (event as Partial<LifecycleEvent>).detail;
    for (const target of this.#extra) this.#forward(target, event, detail);
    if (detail) this.#deliver(detail);
    return super.dispatchEvent(event);
  }

  /**
   * Calls `listener` with the detail of every lifecycle event at `minLevel` or above; returns
   * an unsubscribe function. The listener may be async; its errors go to `onListenerError`.
   *
   * @param listener Called with each event's detail.
   * @param minLevel Lowest level delivered. @default "debug"
   */
  subscribe(
    listener: (detail: LifecycleDetail) => unknown,
    minLevel: LogLevel = "debug",
  ): () => void {
    this.#direct.set(listener, LEVEL_RANK[minLevel]);
    this.#directRank = Math.min(this.#directRank, LEVEL_RANK[minLevel]);
    return () => {
      this.#direct.delete(listener);
      this.#directRank = Math.min(4, ...this.#direct.values());
    };
  }

  #deliver(detail: LifecycleDetail): void {
    if (this.#direct.size === 0) return;
    const rank = LEVEL_RANK[detailLevel(detail)];
    for (const [listener, wanted] of this.#direct) {
      if (rank < wanted) continue;
      let returned: unknown;
      try {
        returned = listener(detail);
      } catch (error) {
        this.#listenerFailed(error, listener, detail);
        continue;
      }
      if (returned !== undefined) this.#settle(returned, listener, detail);
    }
  }

  /** Reports the rejection of an async direct subscriber. */
  #settle(returned: unknown, listener: object, detail: LifecycleDetail): void {
    if (returned !== null && typeof (returned as PromiseLike<unknown>).then === "function") {
      (returned as PromiseLike<unknown>).then(
        undefined,
        (error: unknown) => this.#listenerFailed(error, listener, detail),
      );
    }
  }

  /** Dispatches on a forward target; a target whose `dispatchEvent` throws is a failed
   * listener too. */
  #forward(target: EventTarget, event: Event, detail: LifecycleDetail | undefined): void {
    if (!detail) {
      target.dispatchEvent(event);
      return;
    }
    try {
      target.dispatchEvent(event);
    } catch (error) {
      this.#listenerFailed(error, target, detail);
    }
  }

  #listenerFailed(error: unknown, listener: object, detail: LifecycleDetail): void {
    if (this.#reported.has(listener)) return;
    this.#reported.add(listener);
    try {
      this.#onListenerError(error, detail);
    } catch {
      // The hook is an observer too: its own failure must not reach the run either.
    }
  }

  /** The default `onListenerError`: one `error` log line in the run that was observed. */
  #publishListenerError(error: unknown, detail: LifecycleDetail): void {
    const reason = error instanceof Error
      ? `${error.name}: ${error.message}`
      : `thrown value: ${String(error)}`;
    this.publish({
      type: "log",
      time: detail.time,
      runId: detail.runId,
      parentRunId: detail.parentRunId,
      workflow: detail.workflow,
      job: detail.job,
      strategy: detail.strategy,
      stage: detail.stage,
      stageName: detail.stageName,
      nested: detail.nested,
      level: "error",
      message: `lifecycle listener failed on a '${detail.type}' event: ${reason}; ` +
        "the run is not affected and later errors of this listener are not reported " +
        "(pass onListenerError to handle them yourself)",
    });
  }

  /**
   * Delivers `detail` to direct subscribers, forward targets and `EventTarget` listeners,
   * building an `Event` only for those that need one.
   */
  publish(detail: LifecycleDetail): void {
    let event: LifecycleEvent | undefined;
    for (const target of this.#extra) {
      if (target instanceof LifecycleBus) target.publish(detail);
      else this.#forward(target, event ??= new LifecycleEvent(detail, this.#report), detail);
    }
    this.#deliver(detail);
    if ((this.#counts.get(detail.type) ?? 0) > 0) {
      super.dispatchEvent(event ??= new LifecycleEvent(detail, this.#report));
    }
  }

  /** False only when certainly nobody listens to `type` events at `level` here or on a
   * forward target.
   *
   * @param type The event type.
   * @param level The level an event of that type would have.
   */
  hasListeners(type: LifecycleEventType, level: LogLevel = "error"): boolean {
    if (this.#directRank <= LEVEL_RANK[level] || (this.#counts.get(type) ?? 0) > 0) return true;
    return this.#extra.some((t) => !(t instanceof LifecycleBus) || t.hasListeners(type, level));
  }
}

/** Whether `target` may have listeners for `type` events at `level` (true unless it is a
 * {@linkcode LifecycleBus} that knows better). */
export function mayListen(
  target: EventTarget,
  type: LifecycleEventType,
  level: LogLevel = "error",
): boolean {
  return !(target instanceof LifecycleBus) || target.hasListeners(type, level);
}
