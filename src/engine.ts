/**
 * The engine: one object that ties config, runtime, task registry, filters
 * and lifecycle events together, and runs workflows. The CLI, the HTTP API
 * and the scheduler all drive an `Engine`.
 *
 * @module
 */

import type { Runtime } from "./runtime/types.ts";
import type { Workflow } from "./models/types.ts";
import {
  ENGINE_SETTING_KEYS,
  type EngineSettings,
  readSettings,
  storeSettingName,
} from "./settings.ts";
import { createFilters, type FilterFunction, type FilterRegistry } from "./template/mod.ts";
import { Registry } from "./stages/registry.ts";
import type { CallResolver, JsRunner } from "./stages/types.ts";
import { onDemandJsRunner } from "./worker/on_demand.ts";
import { PythonPool } from "./stages/python.ts";
import { type ConfigIndex, loadConfig, type LoadConfigOptions } from "./config/config_index.ts";
import { type ExecuteOptions, executeWorkflow, type Result } from "./executor/workflow_runner.ts";
import type { RunServices } from "./executor/run_state.ts";
import { LifecycleBus, type ListenerErrorHandler, type LogLevel } from "./executor/events.ts";
import {
  ConfigError,
  type ConfigIssue,
  isBlockingIssue,
  RunIdError,
  StoreError,
} from "./errors.ts";
import { assertRunId, newRunId } from "./executor/ids.ts";

import { hasTemplate } from "./template/mod.ts";
import { moduleUrl } from "./util/path.ts";
import { checkCron } from "./scheduler/cron_check.ts";
import type { TraceStore } from "./results/trace_store.ts";
import type { AuditStore } from "./results/audit_store.ts";
import { openStores } from "./results/stores.ts";
import type { RunOwner, RunRecord, RunRelease, RunStore } from "./results/run_store.ts";
import { ownerOf, RunRecorder, type RunTicket } from "./run_records.ts";
import type { attachTraces, TraceAttachment } from "./results/trace_writer.ts";
import { credentialTexts, serverCredentialNames } from "./util/secret_env.ts";
import { hideEnv } from "./executor/stage_runtime.ts";
import { missingHostFeature } from "./stages/_host.ts";
import { STAGE_SYNTAX } from "./stages/kinds.ts";
import { startTelemetry, type TelemetryStarter } from "./telemetry/start.ts";
import type { TelemetryAttachment } from "./telemetry/otel.ts";

/** Options of {@linkcode Engine.create}. */
export interface EngineOptions {
  /** Host adapter (see `detectRuntime()` / `createMemoryRuntime()`). */
  readonly runtime: Runtime;
  /** Settings that win over the `WORKFLOW_*` variables of `runtime.env`; validated like them
   * (a bad one is a `ConfigError` naming `settings.<key>`). */
  readonly settings?: Partial<EngineSettings>;
  /** Use this config instead of loading `settings.confPath`. */
  readonly config?: ConfigIndex;
  /** Task registry for `uses:`. @default a registry over `WORKFLOW_CORE_REGISTRY_CALLER` */
  readonly registry?: CallResolver;
  /** Custom template filters, added to those from `WORKFLOW_CORE_REGISTRY_FILTER`. */
  readonly filters?: Readonly<Record<string, FilterFunction>>;
  /** Where lifecycle events go. @default a new {@linkcode LifecycleBus} */
  readonly events?: EventTarget;
  /**
   * Receives the first error of each lifecycle listener that throws or rejects (traces, the
   * CLI view, the API stream and your own `onLifecycle` listeners are observers: their errors
   * never change a run). Used by the default bus and the per-run buses; a bus passed as
   * `events` keeps its own hook. @default one `error`-level `log` event in the observed run
   */
  readonly onListenerError?: ListenerErrorHandler;
  /** Dry-run: action stages are not executed. @default false */
  readonly dryRun?: boolean;
  /** Where traces are written; `null` for none.
   * @default from `settings.traceUrl` / `WORKFLOW_LOG_TRACE_*` (off unless enabled; file store
   * under ./logs) */
  readonly traces?: TraceStore | null;
  /** Where release audits are written; `null` for none.
   * @default from `settings.auditUrl` / `WORKFLOW_LOG_AUDIT_*` (off unless enabled; file store
   * under ./audits) */
  readonly audits?: AuditStore | null;
  /** Where run records are kept; `null` for nowhere.
   * @default from `settings.runUrl` / `WORKFLOW_LOG_RUN_*` (off unless enabled; file store
   * under ./runs) */
  readonly runs?: RunStore | null;
  /** How long a run's lease lasts without renewal, ms (renewed every third of it).
   * @default 30000 */
  readonly runLeaseMs?: number;
  /** How often buffered trace records are written, ms. @default 1000 */
  readonly traceFlushIntervalMs?: number;
  /** Lowest level written to the trace store; `debug` adds the start and end records of
   * echo/sleep stages. Wins over `settings.traceLevel`.
   * @default `WORKFLOW_LOG_TRACE_LEVEL`, else "info" */
  readonly traceLevel?: LogLevel;
  /**
   * OpenTelemetry spans for runs, jobs, strategies and stages (needs `@opentelemetry/api`):
   * `true` always (a provider registered later is used), `false` never, `"auto"` only when
   * a tracer provider is registered when the engine is created. Wins over `settings.telemetry`.
   * @default `WORKFLOW_LOG_OTEL` (`true`/`false`), else "auto"
   */
  readonly telemetry?: boolean | "auto";
}

/** What {@linkcode Engine.reloadConfig} found. */
export interface ConfigReport {
  /** `true` when the config was valid and replaced the old one. */
  readonly ok: boolean;
  /** Templates in the folder read. */
  readonly count: number;
  /** Every problem found (blocking issues and warnings). */
  readonly issues: readonly ConfigIssue[];
}

/** Options of {@linkcode Engine.execute}. */
export interface EngineExecuteOptions extends ExecuteOptions {
  /** Extra listener target for this run only (in addition to the engine's). */
  readonly events?: EventTarget;
  /** Run no action stage. @default false */
  readonly dryRun?: boolean;
  /** The release this run is, kept in its run record so that a recovered run writes its audit.
   * @default none */
  readonly release?: RunRelease;
  /**
   * Go on with a run record this process has claimed (see `recoverRuns`): the run keeps the
   * record's id, writes as its attempt, and keeps the jobs its checkpoints hold. @default none
   */
  readonly takeOver?: RunRecord;
}

/**
 * Loads config and runs workflows.
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 * const engine = await Engine.create({ runtime: detectRuntime(), settings: { confPath: "./conf" } });
 * const result = await engine.execute("demo-hello", { name: "world" });
 * console.log(result.status);
 * await engine.close();
 * ```
 */
export class Engine {
  /** Host adapter every run uses. */
  readonly runtime: Runtime;
  /** Effective settings (`options.settings` merged over env `WORKFLOW_*`, validated once). */
  readonly settings: EngineSettings;
  #config: ConfigIndex;
  /** How `reloadConfig()` reads the folder again; `undefined` when the config was given. */
  readonly #reload?: LoadConfigOptions;
  /** Resolves `uses:` targets of call stages. */
  readonly registry: CallResolver;
  /** Built-in plus custom template filters. */
  readonly filters: FilterRegistry;
  /** Where lifecycle events of every run are dispatched. */
  readonly events: EventTarget;
  /** When `true`, action stages are not executed. */
  readonly dryRun: boolean;
  /** The trace store every run writes to, if any. */
  readonly traces: TraceStore | null;
  /** The audit store releases write to, if any. */
  readonly audits: AuditStore | null;
  /** The run store every run is recorded in, if any. */
  readonly runs: RunStore | null;
  #recorder?: RunRecorder;
  #owner?: RunOwner;
  #jsRunner?: JsRunner;
  #pythonPool?: PythonPool;
  #tracing?: TraceAttachment;
  #telemetry?: TelemetryAttachment;
  /** What stages get: the runtime without the server's credentials, and their values to mask. */
  readonly #stages: { runtime: Runtime; secrets: readonly string[] };
  readonly #onListenerError?: ListenerErrorHandler;
  #closeStores: () => Promise<void>;
  /** What the run store could not write, for `storeErrors()`. */
  readonly #storeErrors: string[] = [];
  /** Ids of the runs this engine is executing. */
  readonly #running = new Set<string>();
  /** Ids made by `newRunId()` and not yet used: new by construction, so no store lookup. */
  readonly #minted = new Set<string>();

  private constructor(
    options: EngineOptions,
    settings: EngineSettings,
    config: ConfigIndex,
    filters: FilterRegistry,
    stores: {
      traces: TraceStore | null;
      audits: AuditStore | null;
      runs: RunStore | null;
      close: () => Promise<void>;
      /** Writes the events to `traces`: given when there is a trace store. */
      attachTraces?: typeof attachTraces;
    },
    telemetry: TelemetryStarter | undefined,
    reload: LoadConfigOptions,
  ) {
    this.runtime = options.runtime;
    this.settings = settings;
    this.#config = config;
    this.#reload = options.config ? undefined : reload;
    this.filters = filters;
    this.#onListenerError = options.onListenerError;
    this.events = options.events ??
      new LifecycleBus([], { onListenerError: options.onListenerError });
    this.dryRun = options.dryRun ?? false;
    this.registry = options.registry ?? new Registry({
      callers: settings.registryCaller,
      runtime: options.runtime,
    });
    this.traces = stores.traces;
    this.audits = stores.audits;
    this.runs = stores.runs;
    if (stores.runs) {
      this.#recorder = new RunRecorder(stores.runs, {
        clock: options.runtime.clock,
        leaseMs: options.runLeaseMs ?? 30_000,
        owner: () => this.owner,
        onError: (message) => this.#storeErrors.push(message),
      });
    }
    this.#closeStores = stores.close;
    const hostEnv = options.runtime.env.toObject();
    const hidden = serverCredentialNames(hostEnv);
    this.#stages = {
      runtime: hideEnv(options.runtime, hidden),
      secrets: hidden.flatMap((name) => credentialTexts(hostEnv[name])),
    };
    if (stores.traces && stores.attachTraces) {
      this.#tracing = stores.attachTraces(this.events, stores.traces, {
        minLevel: settings.traceLevel,
        clock: options.runtime.clock,
        flushIntervalMs: options.traceFlushIntervalMs ?? 1000,
      });
    }
    this.#telemetry = telemetry?.attach(this.events);
  }

  /**
   * Reads settings, loads the config folder (unless given) and filter modules.
   *
   * @throws {ConfigError} on bad settings or unreadable config.
   */
  static async create(options: EngineOptions): Promise<Engine> {
    const settings = readEngineSettings(options);
    if (settings.runPermissions !== "all" && options.runtime.name !== "deno") {
      const setting = options.settings?.runPermissions === undefined
        ? "WORKFLOW_CORE_RUN_PERMISSIONS"
        : "settings.runPermissions";
      throw new ConfigError(
        `${setting} is set, but only Deno can confine JavaScript run stages ` +
          `(on ${options.runtime.name} they run in threads of the engine with its full access); ` +
          "unset it, or run the engine on Deno",
      );
    }
    const custom: Record<string, FilterFunction> = {};
    for (const entry of settings.registryFilter) {
      Object.assign(custom, await importFilters(options.runtime, entry));
    }
    Object.assign(custom, options.filters ?? {});
    const filters = createFilters(custom);
    const configOptions = {
      maxCronPerWorkflow: settings.maxCronPerWorkflow,
      defaultTimezone: settings.timezone,
      // Syntax and zone only: `croner` is loaded when fire times are computed, not by a run.
      validateCron: checkCron,
      knownFilters: Object.keys(custom),
    };
    // A config built elsewhere is re-validated with this engine's filters and cron check
    // (its YAML is not parsed again), so custom filters are known to validation.
    const config = options.config
      ? options.config.withOptions({
        validateCron: checkCron,
        knownFilters: configOptions.knownFilters,
      })
      : await loadConfig(options.runtime, { confPath: settings.confPath, ...configOptions });
    const getEnv = (name: string) => options.runtime.env.get(name);
    const opened = await openStores(options.runtime, {
      traceUrl: settings.traceUrl ?? undefined,
      auditUrl: settings.auditUrl ?? undefined,
      runUrl: settings.runUrl ?? undefined,
      traceSetting: storeSettingName("trace", getEnv, options.settings),
      auditSetting: storeSettingName("audit", getEnv, options.settings),
      runSetting: storeSettingName("run", getEnv, options.settings),
    });
    const telemetry = await startTelemetry(settings.telemetry);
    const traces = options.traces === undefined ? opened.trace : options.traces;
    return new Engine(
      options,
      settings,
      config,
      filters,
      {
        traces,
        // Imported only with a trace store: trace writing is off unless asked for.
        attachTraces: traces ? (await import("./results/trace_writer.ts")).attachTraces : undefined,
        audits: options.audits === undefined ? opened.audit : options.audits,
        runs: options.runs === undefined ? opened.run : options.runs,
        close: () => opened.close(),
      },
      telemetry,
      { confPath: settings.confPath, ...configOptions },
    );
  }

  /** The loaded templates, indexed by name (replaced by {@linkcode reloadConfig}). */
  get config(): ConfigIndex {
    return this.#config;
  }

  /**
   * Reads the config folder again. When every template is valid (warnings aside), the new
   * config replaces the old one for runs started from now on (running ones keep theirs);
   * otherwise the old one stays and the issues say why.
   *
   * @example
   * ```ts
   * import { detectRuntime, Engine } from "@ddeutil/workflow";
   *
   * const engine = await Engine.create({ runtime: detectRuntime() });
   * const { ok, count, issues } = await engine.reloadConfig();
   * if (!ok) console.error(`kept the old config of ${count} templates`, issues);
   * ```
   * @throws {ConfigError} when the engine was given its config in code (there is no folder
   *   to read), or the folder is gone.
   */
  async reloadConfig(options: { signal?: AbortSignal } = {}): Promise<ConfigReport> {
    if (!this.#reload) {
      throw new ConfigError(
        "this engine was given its config in code, so there is no config folder to read again",
      );
    }
    const config = await loadConfig(this.runtime, { ...this.#reload, signal: options.signal });
    const issues = config.validate();
    const ok = issues.every((issue) => !isBlockingIssue(issue));
    if (ok) this.#config = config;
    return { ok, count: config.names().length, issues };
  }

  /** A validated workflow by name. @throws {ConfigError} when unknown or invalid. */
  workflow(name: string): Workflow {
    return this.config.workflow(name);
  }

  /** Services handed to each run. */
  #services(options: { events?: EventTarget; dryRun?: boolean } = {}): RunServices {
    const onListenerError = this.#onListenerError;
    const events = options.events
      ? new LifecycleBus([this.events, options.events], { onListenerError })
      : this.events;
    return {
      runtime: this.#stages.runtime,
      events,
      onListenerError,
      filters: this.filters,
      calls: this.registry,
      // The pool is imported by the first `run:` stage: runs without one never load it.
      jsRunner: () =>
        this.#jsRunner ??= onDemandJsRunner(async () =>
          (await import("./worker/pool.ts")).createJsRunner(this.#stages.runtime, {
            permissions: this.settings.runPermissions === "all"
              ? undefined
              : this.settings.runPermissions,
          })
        ),
      pythonPool: () => this.#pythonPool ??= new PythonPool(this.#stages.runtime.spawn),
      lookupWorkflow: (name) => this.config.workflow(name),
      timezone: this.settings.timezone,
      maxJobParallel: this.settings.maxJobParallel,
      maxCombinations: this.settings.maxCombinations,
      defaultRunLang: this.settings.runDefaultLang,
      dryRun: options.dryRun ?? this.dryRun,
      secretEnv: this.settings.secretEnv,
      secrets: this.#stages.secrets,
      traceContext: this.#telemetry?.traceContext,
    };
  }

  /** `true` when runs of this engine build OpenTelemetry spans. */
  get telemetry(): boolean {
    return this.#telemetry !== undefined;
  }

  /** Trace events buffered or being written to the trace store (0 without one). */
  traceBacklog(): number {
    return this.#tracing?.backlog() ?? 0;
  }

  /**
   * Runs a workflow (by name or as a model) to completion. A `runId` given in `options` must
   * be a valid run id (see `RUN_ID_PATTERN`) that no run has used: not one this engine is
   * running, not one in its trace store (ids from {@linkcode newRunId} skip that lookup).
   *
   * @param workflow A workflow name from the config, or a workflow model.
   * @param params Param values by name; coerced to the declared types.
   * @param options Signal, run id, resume, events and the other execute options.
   *
   * @throws {ConfigError} for an unknown or invalid workflow.
   * @throws {ParamError} for missing or bad params.
   * @throws {RunIdError} for a malformed `runId`/`parentRunId` (`reason: "invalid"`) or a
   *   `runId` already used (`reason: "taken"`); nothing has run then.
   */
  async execute(
    workflow: string | Workflow,
    params: Readonly<Record<string, unknown>> = {},
    options: EngineExecuteOptions = {},
  ): Promise<Result> {
    const model = typeof workflow === "string" ? this.workflow(workflow) : workflow;
    const takeOver = options.takeOver;
    const given = takeOver?.runId ?? options.runId;
    const runId = given ?? newRunId(this.runtime.clock.now(), model.name);
    if (options.parentRunId !== undefined) assertRunId(options.parentRunId, "parentRunId");
    if (options.rerunOf !== undefined) assertRunId(options.rerunOf, "rerunOf");
    this.#assertNotRunning(runId);
    this.#running.add(runId);
    let ticket: RunTicket | undefined;
    let result: Result | undefined;
    let failure: unknown;
    try {
      // An id this engine made (just now, or in newRunId()) is new; a caller's is looked up.
      if (given !== undefined && !takeOver && !this.#minted.delete(given)) {
        await this.#assertNotStored(given);
      }
      ticket = await this.#ticket(model, runId, params, options);
      const resume = takeOver
        ? { runId, context: { jobs: structuredClone(takeOver.jobs) } }
        : options.resume;
      result = await executeWorkflow(model, params, this.#services(options), {
        ...options,
        runId,
        resume,
        parentRunId: options.parentRunId ?? takeOver?.parentRunId,
        onJobEnd: joinJobEnds(ticket?.onJobEnd, options.onJobEnd),
      });
      return result;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await ticket?.close(
        result ? { status: result.status } : {
          status: "FAILED",
          reason: failure instanceof Error ? failure.message : String(failure),
        },
      );
      this.#running.delete(runId);
    }
  }

  /** The run record of a run about to start: a new one, or the record taken over. */
  #ticket(
    model: Workflow,
    runId: string,
    params: Readonly<Record<string, unknown>>,
    options: EngineExecuteOptions,
  ): Promise<RunTicket | undefined> | RunTicket | undefined {
    const recorder = this.#recorder;
    if (!recorder || (options.dryRun ?? this.dryRun)) return undefined;
    if (options.takeOver) return recorder.adopt(options.takeOver);
    return recorder.open(model, runId, params, {
      parentRunId: options.parentRunId,
      release: options.release,
    });
  }

  /** Who this engine's process is, as run records and release claims name it (`host:pid`). */
  get owner(): RunOwner {
    return this.#owner ??= ownerOf(this.runtime.processes);
  }

  /** Ids of the runs this engine is executing now. */
  runningIds(): string[] {
    return [...this.#running];
  }

  /** What the run store could not write since the last call (lease renewals, run ends); the
   * runs went on regardless. */
  storeErrors(): string[] {
    return this.#storeErrors.splice(0);
  }

  /**
   * A new run id for a run of `workflow`, which {@linkcode execute} then accepts without
   * looking it up in the trace store. Use it to know a run's id before it starts.
   */
  newRunId(workflow: string): string {
    const runId = newRunId(this.runtime.clock.now(), workflow);
    this.#minted.add(runId);
    // Ids handed out but never used are forgotten after a while; such an id is then merely
    // looked up in the trace store like any other.
    if (this.#minted.size > MAX_MINTED_RUN_IDS) {
      this.#minted.delete(this.#minted.values().next().value!);
    }
    return runId;
  }

  /**
   * Checks a run id a caller wants to use: its format, that this engine is not running it and
   * that neither the trace store nor the run store holds a run with it.
   *
   * @throws {RunIdError} `reason: "invalid"` for a malformed id, `"taken"` for a used one.
   */
  async checkRunId(runId: string): Promise<void> {
    this.#assertNotRunning(runId);
    await this.#assertNotStored(runId);
  }

  #assertNotRunning(runId: string): void {
    assertRunId(runId);
    if (this.#running.has(runId)) throw taken(runId, "is running");
  }

  async #assertNotStored(runId: string): Promise<void> {
    if (this.traces && (await this.traces.getTrace(runId)) !== null) {
      throw taken(runId, "is recorded in the trace store");
    }
    if (this.runs && (await this.runs.get(runId)) !== null) {
      throw taken(runId, "is recorded in the run store");
    }
  }

  /**
   * Resolves once the trace records of run `runId` seen so far are written (at once when no
   * trace store is set).
   *
   * @throws {StoreError} naming the run when the trace store could not write them.
   */
  async tracesWritten(runId: string): Promise<void> {
    try {
      await this.#tracing?.written(runId);
    } catch (error) {
      throw new StoreError(
        `the trace store could not write the records of run '${runId}': ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    }
  }

  /**
   * Resolves every static `uses:` target of every valid workflow against the task registry,
   * returning one issue (with file and line of the stage) per target that cannot be found or
   * whose module fails to import. Templated targets are left to run time.
   */
  async checkTasks(): Promise<ConfigIssue[]> {
    const issues: ConfigIssue[] = [];
    const checked = new Map<string, string | undefined>();
    for (const name of this.config.names("Workflow")) {
      let workflow: Workflow;
      try {
        workflow = this.config.workflow(name);
      } catch {
        continue; // already reported by validate()
      }
      for (const job of Object.values(workflow.jobs)) {
        for (const stage of STAGE_SYNTAX.walk(job.stages)) {
          if (stage.kind !== "call" || hasTemplate(stage.uses)) continue;
          if (!checked.has(stage.uses)) {
            checked.set(
              stage.uses,
              await this.registry.resolve(stage.uses).then(
                () => undefined,
                (error: unknown) => (error instanceof Error ? error.message : String(error)),
              ),
            );
          }
          const problem = checked.get(stage.uses);
          if (problem !== undefined) {
            issues.push({
              ...stage.source,
              path: stage.source?.path ? `${stage.source.path}.uses` : undefined,
              message: problem,
            });
          }
        }
      }
    }
    return issues;
  }

  /**
   * One issue (file and line of the stage) per stage of a valid workflow that this engine's
   * runtime cannot run: `bash:`/`sh:`/`docker:`/`lang: python` stages without subprocesses,
   * JavaScript `run:` stages without workers (an edge host has neither). Empty on Deno, Bun
   * and Node. `workflows` are names in the config or workflow models. @default every workflow
   */
  checkHost(
    workflows: readonly (string | Workflow)[] = this.config.names("Workflow"),
  ): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if (!this.runtime.capabilities) return issues;
    for (const entry of workflows) {
      let workflow: Workflow;
      try {
        workflow = typeof entry === "string" ? this.config.workflow(entry) : entry;
      } catch {
        continue; // already reported by validate()
      }
      for (const job of Object.values(workflow.jobs)) {
        for (const stage of STAGE_SYNTAX.walk(job.stages)) {
          const need = STAGE_SYNTAX.get(stage.kind).hostNeed?.(stage, this.settings.runDefaultLang);
          const problem = missingHostFeature(need, this.runtime);
          if (problem) issues.push({ ...stage.source, severity: "error", message: problem });
        }
      }
    }
    return issues;
  }

  /** Writes buffered traces. */
  async flush(): Promise<void> {
    await this.#tracing?.flush();
  }

  /** Flushes traces, closes stores it opened and stops the worker pool so the process can exit. */
  async close(): Promise<void> {
    await this.#tracing?.detach();
    this.#tracing = undefined;
    this.#telemetry?.detach();
    this.#telemetry = undefined;
    await this.#closeStores();
    await this.#jsRunner?.close();
    this.#jsRunner = undefined;
    await this.#pythonPool?.close();
    this.#pythonPool = undefined;
  }
}

/** The run store's checkpoint, then the caller's own hook. */
function joinJobEnds(
  first: ExecuteOptions["onJobEnd"],
  second: ExecuteOptions["onJobEnd"],
): ExecuteOptions["onJobEnd"] {
  if (!first || !second) return first ?? second;
  return async (job, entry) => {
    await first(job, entry);
    await second(job, entry);
  };
}

/** Most ids from `newRunId()` remembered until used. */
const MAX_MINTED_RUN_IDS = 10_000;

function taken(runId: string, where: string): RunIdError {
  return new RunIdError(
    `a run with id '${runId}' already exists (it ${where}): give a new run id or leave it out`,
    runId,
    "taken",
  );
}

/**
 * The engine's settings: `options.settings`, then the top-level `traceLevel` and `telemetry`
 * options, over the environment. A store given in code leaves its `WORKFLOW_LOG_*` variables
 * unread.
 */
function readEngineSettings(options: EngineOptions): EngineSettings {
  const code: Partial<EngineSettings> = {
    ...options.settings,
    ...(options.traceLevel === undefined ? {} : { traceLevel: options.traceLevel }),
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
    ...(options.traces === undefined ? {} : { traceUrl: null }),
    ...(options.audits === undefined ? {} : { auditUrl: null }),
    ...(options.runs === undefined ? {} : { runUrl: null }),
  };
  return readSettings((name) => options.runtime.env.get(name), code, {
    keys: ENGINE_SETTING_KEYS,
    labels: {
      ...(options.traceLevel === undefined ? {} : { traceLevel: "traceLevel" }),
      ...(options.telemetry === undefined ? {} : { telemetry: "telemetry" }),
    },
  });
}
async function importFilters(
  runtime: Runtime,
  entry: string,
): Promise<Record<string, FilterFunction>> {
  const url = moduleUrl(runtime.cwd(), entry);
  let module: Record<string, unknown>;
  try {
    module = runtime.importModule ? await runtime.importModule(url) : await import(url);
  } catch (error) {
    throw new ConfigError(
      `WORKFLOW_CORE_REGISTRY_FILTER: cannot import ${entry}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  const filters = (module.filters ?? module.default) as Record<string, unknown> | undefined;
  if (!filters || typeof filters !== "object") {
    throw new ConfigError(
      `WORKFLOW_CORE_REGISTRY_FILTER: ${entry} must export 'filters', an object of filter functions`,
    );
  }
  const out: Record<string, FilterFunction> = {};
  for (const [name, fn] of Object.entries(filters)) {
    if (typeof fn !== "function") {
      throw new ConfigError(
        `WORKFLOW_CORE_REGISTRY_FILTER: ${entry}: filter '${name}' is not a function`,
      );
    }
    out[name] = fn as FilterFunction;
  }
  return out;
}
