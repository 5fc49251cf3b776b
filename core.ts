/**
 * `@ddeutil/workflow/core`: the package's root API on web-standard APIs alone — the engine,
 * config from text or a folder, results, tasks (`tag`, `Registry`), the errors and the Hono app,
 * plus `createWebRuntime()` — without the Deno/Bun/Node adapters or the socket server. Import it
 * on edge runtimes and pass a runtime yourself (`createWebRuntime()`, or your own `Runtime`);
 * `docs/edge.md` has a complete Cloudflare Worker. The subpaths `/events`, `/stores`,
 * `/scheduler` and `/testing` are web-standard too.
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

// The engine and its settings.
export {
  type ConfigReport,
  Engine,
  type EngineExecuteOptions,
  type EngineOptions,
} from "./src/engine.ts";
export type { ApiSettingKey, EngineSettings, Settings } from "./src/settings.ts";
export type { ListenerErrorHandler } from "./src/executor/events.ts";

// What a run gives back.
export {
  type ErrorRecord,
  type ExecuteOptions,
  type JobContext,
  type Result,
  type RevealedResult,
  revealSecrets,
  type RunContext,
  type StageContext,
  type StrategyContext,
  type TimingInfo,
} from "./src/executor/workflow_runner.ts";
export { type ResultJson, resultToJson } from "./src/results/result.ts";

// Task functions for `uses:` stages.
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
  StandardSchemaLike,
  StandardSchemaResult,
} from "./src/stages/types.ts";

// Config: templates from a folder or from text.
export {
  type ConfigFile,
  type ConfigIndex,
  type ConfigOptions,
  indexConfig,
  loadConfig,
  type LoadConfigOptions,
  type TemplateEntry,
  type TemplateType,
} from "./src/config/loader.ts";
export type * from "./src/models/types.ts";
export type { FilterFunction, FilterRegistry } from "./src/template/mod.ts";

// Runtimes: the web-standard one, and the interface every adapter implements.
export { createWebRuntime, type WebRuntime, type WebRuntimeOptions } from "./src/runtime/web.ts";
export type * from "./src/runtime/types.ts";

// The HTTP API (Hono).
export {
  type ApiCloseOptions,
  type ApiOptions,
  createApi,
  type ExecutionContextLike,
  type RegisteredRoute,
  type WorkflowApi,
} from "./src/api/app.ts";
export { ApiError, type ErrorBody } from "./src/api/errors.ts";
export type { ApiEngine } from "./src/api/engine_port.ts";

export {
  CancelError,
  ConfigError,
  type ConfigIssue,
  FileExistsError,
  formatIssue,
  isBlockingIssue,
  JobError,
  NonRetriableError,
  ParamError,
  RegistryError,
  RunIdError,
  SkipError,
  type SourcePosition,
  StageError,
  StageTimeoutError,
  StaleAttemptError,
  StoreError,
  TemplateError,
  UnsupportedError,
  WorkflowBaseError,
  WorkflowError,
} from "./src/errors.ts";
export { VERSION } from "./src/version.ts";
