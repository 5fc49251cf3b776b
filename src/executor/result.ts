/**
 * The `Result` every execute returns, masked by construction: its `context` shows `***` for
 * every secret the run saw, so it may be printed, stored, sent or logged as it is. The real
 * values sit behind a hidden (non-enumerable symbol) property that `JSON.stringify`,
 * `structuredClone`, spreads and console dumps leave out, and are reached only through
 * {@linkcode revealSecrets}, a call that reads as the deliberate act it is.
 *
 * @module
 */

import type { Status } from "../models/types.ts";
import type { RunContext } from "../models/run_context.ts";

/** What every execute returns. Safe to show: secrets in it read `***`. */
export interface Result {
  /** Final status of the run. */
  readonly status: Status;
  /** Id of this run. */
  readonly runId: string;
  /** Run id of the caller, when another run triggered this one. */
  readonly parentRunId?: string;
  /**
   * `{params, jobs, status, info, errors?}`: `context.jobs.<job>.stages?.<stage>.outputs` holds
   * what each stage produced, with every secret of the run (`secret` params, secret `${VAR}`
   * values, values a task registered) replaced by `***`. The real values:
   * {@linkcode revealSecrets}.
   */
  readonly context: RunContext;
}

/** The unmasked side of a {@linkcode Result}, from {@linkcode revealSecrets}. */
export interface RevealedResult {
  /** The run's context with the real values: not for showing. */
  readonly context: RunContext;
  /** The secret values the run masks (its `secret` params, secret env values, values its
   * tasks and trigger children registered). */
  readonly secrets: readonly string[];
}

// A non-enumerable symbol property: `JSON.stringify`, `structuredClone`, spreads and console
// dumps leave it out, and the real values die with the result (a WeakMap keyed by results kept
// every run's unmasked context alive until a major collection, which slowed long loops).
const REVEALED: unique symbol = Symbol("workflow.revealed");

/**
 * Makes the `Result` of a run from its masked context and attaches the real one for
 * {@linkcode revealSecrets}. Only the executor calls it.
 */
export function sealResult(result: Result, unmasked: RevealedResult): Result {
  Object.defineProperty(result, REVEALED, { value: unmasked, enumerable: false });
  return result;
}

/**
 * The real values behind a masked {@linkcode Result}: the run's unmasked context and the
 * secret values it masks. Use it deliberately, for code that needs a secret output (resuming
 * from a context with the real values, say), never for what is shown or stored.
 *
 * @param result A result returned by `Engine.execute()` or `executeWorkflow()` itself (a
 *   copy, such as `{...result}`, does not carry the real values).
 * @returns The unmasked context and the run's secret values.
 * @throws {TypeError} when `result` is not a result an execute returned.
 *
 * @example Read a secret output in code
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const result = await engine.execute("deploy", { password: "hunter22" });
 * result.context.params.password; // "***"
 * revealSecrets(result).context.params.password; // "hunter22"
 * ```
 */
export function revealSecrets(result: Result): RevealedResult {
  const found = (result as { [REVEALED]?: RevealedResult })[REVEALED];
  if (found === undefined) {
    throw new TypeError(
      "revealSecrets() needs a Result returned by execute(); a copy of one does not carry " +
        "the real values",
    );
  }
  return found;
}
