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
  /** On `log` events. */
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

/**
 * Listens to every lifecycle event type on `target`; returns a function that stops listening.
 * On a {@linkcode LifecycleBus} the listener gets details directly, without `Event` objects.
 */
export function onLifecycle(
  target: EventTarget,
  listener: (detail: LifecycleDetail) => void,
): () => void {
  if (target instanceof LifecycleBus) return target.subscribe(listener);
  const handler = (event: Event) => listener((event as LifecycleEvent).detail);
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
  readonly #direct = new Set<(detail: LifecycleDetail) => void>();

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
    if (detail) { for (const listener of this.#direct) listener(detail); }
    return super.dispatchEvent(event);
  }

  /** Calls `listener` with the detail of every lifecycle event; returns an unsubscribe function. */
  subscribe(listener: (detail: LifecycleDetail) => void): () => void {
    this.#direct.add(listener);
    return () => {
      this.#direct.delete(listener);
    };
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
    for (const listener of this.#direct) listener(detail);
    if ((this.#counts.get(detail.type) ?? 0) > 0) {
      super.dispatchEvent(event ??= new LifecycleEvent(detail));
    }
  }

  /** False only when certainly nobody listens to `type` here or on a forward target. */
  hasListeners(type: LifecycleEventType): boolean {
    if (this.#direct.size > 0 || (this.#counts.get(type) ?? 0) > 0) return true;
    return this.#extra.some((t) => !(t instanceof LifecycleBus) || t.hasListeners(type));
  }
}

/** Whether `target` may have listeners for `type` (true unless it is a {@linkcode LifecycleBus} that knows better). */
export function mayListen(target: EventTarget, type: LifecycleEventType): boolean {
  return !(target instanceof LifecycleBus) || target.hasListeners(type);
}
