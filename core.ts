/**
 * `@ddeutil/workflow/core`: everything that runs on web-standard APIs alone — the engine,
 * config indexing from text, templates, the executor, stores, the scheduler and the Hono app —
 * without the Deno/Bun/Node adapters, the CLI or the socket server. Import it on edge runtimes
 * and pass a runtime yourself (`createWebRuntime()`, or your own `Runtime`); `docs/edge.md` has a
 * complete Cloudflare Worker.
 *
 * @example
 * ```ts
 * import { createApi, createWebRuntime, Engine, indexConfig } from "@ddeutil/workflow/core";
 *
 * const WORKFLOWS = `
 * hello:
 *   type: Workflow
 *   jobs:
 *     say:
 *       stages:
 *         - name: Hello
 *           echo: hello
 * `;
 * const config = indexConfig([{ path: "wf.yml", text: WORKFLOWS }]);
 * const engine = await Engine.create({ runtime: createWebRuntime(), config });
 * // Without a token the API answers only requests addressed to a loopback host.
 * const api = createApi(engine, { token: "s3cret" });
 * // A Cloudflare Worker's module ends with `export default { fetch: api.fetch };`.
 * ```
 *
 * @module
 */

export {
  type ConfigReport,
  Engine,
  type EngineExecuteOptions,
  type EngineOptions,
} from "./src/engine.ts";
export {
  API_SETTING_KEYS,
  type ApiSettingKey,
  DEFAULT_SETTINGS,
  ENGINE_SETTING_KEYS,
  type EngineSettings,
  readSettings,
  type ReadSettingsOptions,
  type Settings,
} from "./src/settings.ts";
export {
  type ErrorRecord,
  type ExecuteOptions,
  executeWorkflow,
  type JobContext,
  type Result,
  type RevealedResult,
  revealSecrets,
  type RunContext,
  type StageContext,
  type StrategyContext,
  type TimingInfo,
} from "./src/executor/workflow_runner.ts";
export {
  LIFECYCLE_EVENT_TYPES,
  LifecycleBus,
  type LifecycleBusOptions,
  type LifecycleDetail,
  LifecycleEvent,
  type LifecycleEventType,
  type LifecycleListenOptions,
  type ListenerErrorHandler,
  type LogLevel,
  onLifecycle,
} from "./src/executor/events.ts";
export { type Combination, expandMatrix, type ExpandMatrixOptions } from "./src/executor/matrix.ts";
export type { EventScope, RunServices } from "./src/executor/run_state.ts";
export { hashId, newRunId, strategyId } from "./src/executor/ids.ts";
export {
  Registry,
  type RegistryOptions,
  TAG,
  tag,
  type TaggedFunction,
  type TagInfo,
  type TagOptions,
} from "./src/stages/registry.ts";
export type {
  CallContext,
  CallFunction,
  CallResolver,
  CallTarget,
  JsRunner,
  StandardSchemaLike,
  StandardSchemaResult,
} from "./src/stages/types.ts";
export type {
  Interpreter,
  PythonObject,
  PythonPool,
  PythonReply,
  PythonRequest,
  PythonSession,
  WireReply,
} from "./src/stages/python.ts";
export {
  buildWorkflow,
  type BuildWorkflowOptions,
  type ConfigFile,
  type ConfigIndex,
  type ConfigOptions,
  indexConfig,
  loadConfig,
  type LoadConfigOptions,
  type TemplateEntry,
  type TemplateType,
} from "./src/config/loader.ts";
export type { OnOptions } from "./src/models/on.ts";
export {
  createFilters,
  evaluateCondition,
  type FilterFunction,
  type FilterRegistry,
  render,
  type RenderOptions,
  renderString,
  type Scope,
} from "./src/template/mod.ts";
export {
  createMemoryRuntime,
  FakeClock,
  type MemoryRuntime,
  type MemoryRuntimeOptions,
} from "./src/runtime/memory.ts";
export { createWebRuntime, type WebRuntime, type WebRuntimeOptions } from "./src/runtime/web.ts";
export type * from "./src/runtime/types.ts";
export type {
  AuditRecord,
  AuditStore,
  CleanupOptions,
  ListOptions,
  ListRunsOptions,
  ReleaseClaim,
  ReleaseType,
  ResultJson,
  RunKey,
  RunSummary,
  TraceEvent,
  TraceRecord,
  TraceStore,
} from "./src/results/mod.ts";
export { maskedResultJson, resultToJson } from "./src/results/result.ts";
export type * from "./src/models/types.ts";
export * from "./src/errors.ts";
export { VERSION } from "./src/version.ts";
export {
  type ApiCloseOptions,
  type ApiOptions,
  createApi,
  type ExecutionContextLike,
  type RegisteredRoute,
  type WorkflowApi,
} from "./src/api/app.ts";
export { ApiError, type ErrorBody } from "./src/api/errors.ts";
export {
  poke,
  type PokeOptions,
  release,
  type ReleaseOptions,
  type ReleaseReport,
  type ReleaseScope,
  type ReleaseStatus,
} from "./src/scheduler/release.ts";
export {
  DECISION_EVENT,
  formatDecision,
  onDecision,
  onScheduledRelease,
  RELEASE_EVENT,
  type ScheduledRelease,
  type ScheduledTask,
  Scheduler,
  SchedulerEvent,
  type SchedulerOptions,
  type SchedulerStartOptions,
  type SchedulerSummary,
  type TickDecision,
  type TickDecisionKind,
} from "./src/scheduler/scheduler.ts";
export {
  /** A parsed cron expression in a time zone (`CronSchedule` in `src/scheduler/cron.ts`). */
  CronSchedule as Cron,
  cronSchedule,
  describeTime,
  nextRun,
  nextRuns,
  previousRun,
  runsBetween,
  type TimeDescription,
  validateCron,
  type ValidateCronOptions,
  validateTimezone,
} from "./src/scheduler/cron.ts";
export {
  escapeLabelValue,
  formatTraceParent,
  parseTraceParent,
  PROMETHEUS_CONTENT_TYPE,
  type TraceParent,
  WorkflowMetrics,
  type WorkflowMetricsOptions,
} from "./src/telemetry/mod.ts";
