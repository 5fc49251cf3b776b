/**
 * The shape of a run's context (`Result.context`): what templates read as `params` and
 * `jobs.<id>.stages.<id>.outputs`, and what `--json`, the API and audits show.
 *
 * @module
 */

import type { Status } from "./types.ts";

/** `{start, end, duration_ms}` of a run, job, strategy or stage: ISO times and milliseconds. */
export interface TimingInfo {
  /** ISO time the step started. */
  start: string;
  /** ISO time the step ended. */
  end: string;
  /** How long it took, ms (three decimals at most). */
  duration_ms: number;
}

/** An error as recorded in a context: its class name and message. */
export interface ErrorRecord {
  /** Error class name, e.g. `StageError`. */
  name: string;
  /** What went wrong. */
  message: string;
}

/**
 * The entry of one stage under `jobs.<job>.stages.<stage>` (or a strategy's `stages`).
 *
 * Nested stages record their children inside `outputs`: a `case` stage has
 * `outputs.stages.<id>`, a `foreach` stage `outputs.foreach.<item>.stages.<id>`, a `parallel`
 * stage `outputs.parallel.<branch>.stages.<id>`, each child entry a `StageContext`.
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const result = await engine.execute("wf-build");
 * const stdout = result.context.jobs.build.stages?.compile.outputs.stdout;
 * ```
 */
export interface StageContext {
  /** How the stage ended. */
  status: Status;
  /** What the stage produced (`{}` when it failed, skipped or did not run). */
  outputs: Record<string, unknown>;
  /** Why it failed or was cancelled. */
  errors?: ErrorRecord;
  /** `true` when its `if` was false. */
  skipped?: boolean;
  /** When it ran. */
  info: TimingInfo;
}

/** The entry of one matrix combination under `jobs.<job>.strategies.<strategy-id>`. */
export interface StrategyContext {
  /** The combination this strategy ran with. */
  matrix: Record<string, unknown>;
  /** How the combination ended. */
  status: Status;
  /** Its stages by id. */
  stages: Record<string, StageContext>;
  /** Why it failed or was cancelled. */
  errors?: ErrorRecord;
  /** When it ran; absent for a combination that never started or whose lane threw. */
  info?: TimingInfo;
}

/**
 * The entry of one job under `jobs.<job>`: a job without a matrix has `stages`, a job with one
 * has `strategies`; a job skipped (condition, trigger rule) or failed before its stages has
 * neither.
 */
export interface JobContext {
  /** How the job ended. */
  status: Status;
  /** Stages by id, for a job without a matrix that got to its stages. */
  stages?: Record<string, StageContext>;
  /** Combinations by strategy id, for a job with a matrix. */
  strategies?: Record<string, StrategyContext>;
  /** Why it failed or was cancelled. */
  errors?: ErrorRecord;
  /** `true` when its `if` was false or its trigger rule was not met. */
  skipped?: boolean;
  /** When it ran (for a kept job, when it ran in the earlier run). */
  info: TimingInfo;
  /** Run id of the earlier run this entry was kept from, when a rerun kept the job. */
  resumed_from?: string;
}

/**
 * The context of a run, as `Result.context` holds it once the run has ended.
 *
 * Other keys are the execution's `extraScope` (a release adds `release`).
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const result = await engine.execute("wf", { name: "ada" });
 * result.context.jobs.greet.stages?.hello.outputs.stdout;
 * ```
 */
export interface RunContext {
  /** Params after defaults and coercion (declared ones in declaration order, then the rest). */
  params: Record<string, unknown>;
  /** Jobs by id, in the order they ended. */
  jobs: Record<string, JobContext>;
  /** How the run ended. */
  status: Status;
  /** When it ran. */
  info: TimingInfo;
  /** Why it failed or was cancelled. */
  errors?: ErrorRecord;
  /** Extra scope passed by the caller (a release's `release`). */
  [scope: string]: unknown;
}
