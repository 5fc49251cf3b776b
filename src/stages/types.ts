/**
 * The contract between the stage runner and the stage kinds. A kind is a
 * function from a validated stage and a {@linkcode StageContext} to its
 * outputs; everything common (if, retry, timeout, events, recording) is the
 * runner's job, not the kind's.
 *
 * @module
 */

import type { LogLevel, Stage, Status, Workflow } from "../models/types.ts";
import type { RunContext } from "../models/run_context.ts";
import type { Clock, Runtime } from "../runtime/types.ts";
import type { PythonSession } from "./python.ts";

/** A `uses:` target resolved from the registry. */
export interface CallTarget {
  /** `group/name@tag`. */
  readonly ref: string;
  /** The registered function. */
  readonly fn: CallFunction;
  /** Optional Standard Schema v1 validator of the args. */
  readonly schema?: StandardSchemaLike;
}

/** What a registered function receives besides its args. */
export interface CallContext {
  /** Aborts on the stage's timeout, a cancel or fail-fast; long work should stop on it. */
  readonly signal: AbortSignal;
  /** Id of the run calling the task. */
  readonly runId: string;
  /** Id of the run that triggered this one, if any. */
  readonly parentRunId?: string;
  /** The run's coerced params. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Writes a trace line. */
  readonly trace: (message: string, level?: LogLevel) => void;
  /** Name of the running workflow. */
  readonly workflow: string;
  /** The run's job entries so far (`{status, errors?, stages | strategies}` by job id), as
   * templates see `jobs`. Holds real values: mask text before showing it. */
  readonly jobs: Readonly<Record<string, unknown>>;
  /** W3C trace context of this stage (its telemetry span, else the run's caller), to send on
   * as a `traceparent` header. */
  readonly traceparent?: string;
  /** Masks `value` from now on in everything the run shows (traces, events, results): for
   * a secret the task received, such as a webhook URL. */
  readonly addSecret: (value: string) => void;
  /** `text` with every secret of the run replaced by `***`. */
  readonly mask: (text: string) => string;
  /** The run's clock (timeouts and retry delays of the task). */
  readonly clock: Clock;
}

/** A registered task function. */
export type CallFunction = (
  args: Record<string, unknown>,
  context: CallContext,
) => unknown | Promise<unknown>;

/** The part of the Standard Schema v1 interface we call. */
export interface StandardSchemaLike {
  /** The Standard Schema v1 entry point. */
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) =>
      | StandardSchemaResult
      | Promise<StandardSchemaResult>;
  };
}

/** Result of a Standard Schema validation. */
export type StandardSchemaResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | {
    readonly issues: readonly {
      readonly message: string;
      readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[];
    }[];
  };

/** Resolves `uses:` references. */
export interface CallResolver {
  /**
   * Finds the function of `group/name@tag`.
   *
   * @throws {RegistryError} naming what exists when the ref is unknown.
   */
  resolve(ref: string): Promise<CallTarget>;
}

/** Runs JavaScript `run:` code isolated from the engine. */
export interface JsRunner {
  /** Runs `code` with `vars` and a read-only `context`; resolves to its outputs. */
  run(
    job: { code: string; vars: Record<string, unknown>; context: unknown },
    options: {
      signal?: AbortSignal;
      timeoutMs?: number;
      onLog?: (level: LogLevel, message: string) => void;
    },
  ): Promise<Record<string, unknown>>;
  /** Opens a runner whose workers serve its own jobs and no one else's (one per run), when
   * this runner can; a run falls back to `run` itself otherwise. */
  session?(): Pick<JsRunner, "run" | "close">;
  /** Stops every worker. */
  close(): Promise<void>;
}

/** Aggregate of running a list of nested stages. */
export interface NestedRun {
  readonly status: Status;
  readonly stages: Record<string, unknown>;
  readonly error?: { readonly name: string; readonly message: string };
}

/** What a stage kind gets to do its work. */
export interface StageContext {
  readonly runtime: Runtime;
  /** Template scope: `params`, `jobs`, `matrix`, `stages`, and `item`/`loop`/`branch` when nested. */
  readonly scope: Readonly<Record<string, unknown>>;
  /** Aborts on timeout, cancel or fail-fast. */
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly parentRunId?: string;
  readonly workflowName: string;
  /** Rendered stage name. */
  readonly stageName: string;
  /** The stage's own timeout, for kinds that hand it to a subprocess or worker. */
  readonly timeoutMs?: number;
  /** Writes a trace line (masked). */
  log(level: LogLevel, message: string): void;
  /** W3C trace context to hand on (`TRACEPARENT`): the stage's span when telemetry is on,
   * else the run caller's, else `undefined`. */
  readonly traceparent?: string;
  /** Masks `value` from now on in everything the run shows. */
  addSecret(value: string): void;
  /** `text` with the run's secrets replaced by `***`. */
  mask(text: string): string;
  /** Whether anyone listens to `info` trace lines (lets a kind skip building messages). */
  readonly logging: boolean;
  /** Renders templates and env vars in any value (native types for whole-string templates). */
  render(value: unknown, extraScope?: Readonly<Record<string, unknown>>): unknown;
  /** Renders to a string. */
  renderString(
    value: string,
    extraScope?: Readonly<Record<string, unknown>>,
    options?: { readonly env?: boolean },
  ): string;
  /** Evaluates an `if:`/`until:` condition. */
  condition(value: string | boolean, extraScope?: Readonly<Record<string, unknown>>): boolean;
  /** Runs nested stages in order with `extraScope` added and a fresh `stages` map. */
  runNested(
    stages: readonly Stage[],
    extraScope: Readonly<Record<string, unknown>>,
    options: { signal: AbortSignal; path: readonly string[] },
  ): Promise<NestedRun>;
  /** Resolves `uses:`. */
  readonly calls: CallResolver;
  /** JavaScript runner (worker pool). */
  jsRunner(): Pick<JsRunner, "run">;
  /** The job's warm Python interpreter (`lang: python`), shared by the stages of this job (of
   * this matrix combination) and no one else. */
  python(): Pick<PythonSession, "run">;
  /** Runs another workflow of the same config as a child run (trigger stage). */
  triggerWorkflow(
    name: string,
    params: Record<string, unknown>,
    options: { signal: AbortSignal; traceparent?: string },
  ): Promise<{ status: Status; runId: string; context: RunContext }>;
  /** `WORKFLOW_CORE_RUN_DEFAULT_LANG`. */
  readonly defaultRunLang: "javascript" | "python";
  /** Dry-run releases run no action stage. */
  readonly dryRun: boolean;
}

/** What a stage kind returns. A thrown error fails the stage. */
export interface StageOutcome {
  readonly outputs: Record<string, unknown>;
  /** Set by kinds that can end in another status without throwing (nested kinds). */
  readonly status?: Status;
  readonly error?: { readonly name: string; readonly message: string };
}

/** A stage kind's implementation. */
export type StageHandler<S extends Stage = Stage> = (
  stage: S,
  context: StageContext,
) => Promise<StageOutcome>;

/** Looks up workflows for trigger stages. */
export type WorkflowLookup = (name: string) => Workflow | Promise<Workflow>;
