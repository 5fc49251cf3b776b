/**
 * Helpers shared by the nested stage kinds (parallel, foreach, until, case).
 *
 * @module
 */

import type { Status } from "../models/types.ts";
import { NonRetriableError } from "../errors.ts";
import { errorToRecord } from "../errors.ts";
import { errorForAbort, statusForAbort } from "../util/abort.ts";
import type { StageContext, StageOutcome } from "./types.ts";

/** Reads a positive integer setting that may have come from a template. */
export function positiveInt(value: unknown, field: string): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new NonRetriableError(
      `${field} must be a whole number >= 1, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** Builds the outcome of a nested stage from its children's statuses. */
export function nestedOutcome(
  outputs: Record<string, unknown>,
  children: readonly (readonly [string, { status: Status; errors?: unknown }])[],
  label: string,
): StageOutcome {
  const failed = children.find(([, c]) => c.status === "FAILED");
  if (failed) {
    const error = failed[1].errors as { message?: string } | undefined;
    return {
      outputs,
      status: "FAILED",
      error: {
        name: "StageError",
        message: `${label} '${failed[0]}' failed${error?.message ? `: ${error.message}` : ""}`,
      },
    };
  }
  const cancelled = children.find(([, c]) => c.status === "CANCEL");
  if (cancelled) {
    return {
      outputs,
      status: "CANCEL",
      error: { name: "CancelError", message: `${label} '${cancelled[0]}' was cancelled` },
    };
  }
  return { outputs };
}

/**
 * When the stage's own signal has aborted (its timeout, a cancel, fail-fast),
 * the outcome that reports it, keeping the outputs of what already ran;
 * `undefined` otherwise. A timeout is FAILED with a `StageTimeoutError`, a
 * cancel is CANCEL with a `CancelError` (as for any other stage kind).
 */
export function abortedOutcome(
  ctx: StageContext,
  outputs: Record<string, unknown>,
): StageOutcome | undefined {
  if (!ctx.signal.aborted) return undefined;
  const reason = ctx.signal.reason;
  return { outputs, status: statusForAbort(reason), error: errorToRecord(errorForAbort(reason)) };
}
