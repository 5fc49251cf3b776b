/**
 * `@ddeutil/workflow/events`: the lifecycle of runs as events. Every run start and end, job,
 * matrix combination, stage and log line is a `LifecycleEvent` on the engine's `events`
 * (a `LifecycleBus`); `onLifecycle` subscribes to them with a minimum level, and
 * `WorkflowMetrics` turns them into Prometheus metrics.
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 * import { onLifecycle } from "@ddeutil/workflow/events";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const stop = onLifecycle(engine.events, (detail) => {
 *   if (detail.type === "run-end") console.log(detail.status);
 * });
 * stop();
 * await engine.close();
 * ```
 *
 * @module
 */

export {
  LIFECYCLE_EVENT_TYPES,
  LifecycleBus,
  type LifecycleBusOptions,
  type LifecycleDetail,
  LifecycleEvent,
  type LifecycleEventType,
  type LifecycleListenOptions,
  type ListenerErrorHandler,
  onLifecycle,
} from "./src/executor/events.ts";
export type { LogLevel } from "./src/models/types.ts";
export {
  formatTraceParent,
  parseTraceParent,
  PROMETHEUS_CONTENT_TYPE,
  type TraceParent,
  WorkflowMetrics,
  type WorkflowMetricsOptions,
} from "./src/telemetry/mod.ts";
