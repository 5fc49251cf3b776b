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
  readonly type: LifecycleEventType;
  /** Epoch ms from the run's clock. */
  readonly time: number;
  readonly runId: string;
  readonly parentRunId?: string;
  readonly workflow: string;
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
  readonly message?: string;
  /** On `run-end`: the masked run context. */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** A lifecycle event; `event.detail` holds the data. */
export class LifecycleEvent extends Event {
  readonly detail: LifecycleDetail;
  constructor(detail: LifecycleDetail) {
    super(detail.type);
    this.detail = detail;
  }
}

/** Listens to every lifecycle event type on `target`; returns a function that stops listening. */
export function onLifecycle(
  target: EventTarget,
  listener: (detail: LifecycleDetail) => void,
): () => void {
  const handler = (event: Event) => listener((event as LifecycleEvent).detail);
  for (const type of LIFECYCLE_EVENT_TYPES) target.addEventListener(type, handler);
  return () => {
    for (const type of LIFECYCLE_EVENT_TYPES) target.removeEventListener(type, handler);
  };
}
