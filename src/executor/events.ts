/**
 * Lifecycle events of a run. The executor dispatches them on an `EventTarget`;
 * traces, audits, the CLI progress view and the API stream all listen to the
 * same events instead of being called from inside the executor.
 *
 * @module
 */

import type { Status } from "../models/types.ts";

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

/** Trace levels. */
export type LogLevel = "debug" | "info" | "warning" | "error";

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

/** A lifecycle event; `event.detail` holds the data. */
export class LifecycleEvent extends Event {
  /** The data of this event. */
  readonly detail: LifecycleDetail;
  /** Creates an event whose `type` is `detail.type`. */
  constructor(detail: LifecycleDetail) {
    super(detail.type);
    this.detail = detail;
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
 */
export function onLifecycle(
  target: EventTarget,
  listener: (detail: LifecycleDetail) => void,
  options: LifecycleListenOptions = {},
): () => void {
  const minLevel = options.minLevel ?? "debug";
  if (target instanceof LifecycleBus) return target.subscribe(listener, minLevel);
  const handler = (event: Event) => {
    const detail = (event as LifecycleEvent).detail;
    if (minLevel === "debug" || levelAtLeast(detailLevel(detail), minLevel)) listener(detail);
  };
  for (const type of LIFECYCLE_EVENT_TYPES) target.addEventListener(type, handler);
  return () => {
    for (const type of LIFECYCLE_EVENT_TYPES) target.removeEventListener(type, handler);
  };
}

/**
 * An `EventTarget` that knows whether anyone listens to a type, so the
 * executor can skip building events nobody will see (the common case for
 * fast stages without traces).
 */
export class LifecycleBus extends EventTarget {
  readonly #counts = new Map<string, number>();
  readonly #extra: readonly EventTarget[];
  /** Direct subscribers with the rank of the lowest level each wants. */
  readonly #direct = new Map<(detail: LifecycleDetail) => void, number>();
  /** Lowest rank any direct subscriber wants (4: there are none). */
  #directRank = 4;

  /** @param forwardTo targets that also receive every event dispatched here */
  constructor(forwardTo: readonly EventTarget[] = []) {
    super();
    this.#extra = forwardTo;
  }

  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (listener) this.#counts.set(type, (this.#counts.get(type) ?? 0) + 1);
    super.addEventListener(type, listener, options);
  }

  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    const count = this.#counts.get(type) ?? 0;
    if (listener && count > 0) this.#counts.set(type, count - 1);
    super.removeEventListener(type, listener, options);
  }

  override dispatchEvent(event: Event): boolean {
    for (const target of this.#extra) target.dispatchEvent(event);
    const detail = (event as Partial<LifecycleEvent>).detail;
    if (detail) this.#deliver(detail);
    return super.dispatchEvent(event);
  }

  /**
   * Calls `listener` with the detail of every lifecycle event at `minLevel` or above; returns
   * an unsubscribe function.
   */
  subscribe(listener: (detail: LifecycleDetail) => void, minLevel: LogLevel = "debug"): () => void {
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
    for (const [listener, wanted] of this.#direct) if (rank >= wanted) listener(detail);
  }

  /**
   * Delivers `detail` to direct subscribers, forward targets and `EventTarget` listeners,
   * building an `Event` only for those that need one.
   */
  publish(detail: LifecycleDetail): void {
    let event: LifecycleEvent | undefined;
    for (const target of this.#extra) {
      if (target instanceof LifecycleBus) target.publish(detail);
      else target.dispatchEvent(event ??= new LifecycleEvent(detail));
    }
    this.#deliver(detail);
    if ((this.#counts.get(detail.type) ?? 0) > 0) {
      super.dispatchEvent(event ??= new LifecycleEvent(detail));
    }
  }

  /** False only when certainly nobody listens to `type` events at `level` here or on a
   * forward target. */
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
