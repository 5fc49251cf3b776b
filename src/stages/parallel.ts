/**
 * `parallel:` stage: runs named branches of stages concurrently, at most
 * `max-workers` at once. The first failing branch cancels the others.
 *
 * @module
 */

import type { ParallelStage, Status } from "../models/types.ts";
import { CancelError, errorToRecord } from "../errors.ts";
import { forEachLimited } from "../util/concurrency.ts";
import type { StageHandler } from "./types.ts";
import { abortedOutcome, nestedOutcome, positiveInt } from "./_nested.ts";

/** Runs a parallel stage. Output `{parallel: {<branch>: {branch, status, stages, errors?}}}`. */
export const runParallelStage: StageHandler<ParallelStage> = async (stage, ctx) => {
  const workers = positiveInt(ctx.render(stage.maxWorkers), "max-workers");
  const branches = Object.entries(stage.parallel);
  const out: Record<string, { branch: string; status: Status; stages: unknown; errors?: unknown }> =
    {};
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  await forEachLimited(branches, workers, async ([branch, stages]) => {
    const result = await ctx.runNested(stages, { branch }, { signal, path: [branch] });
    out[branch] = { branch, status: result.status, stages: result.stages };
    if (result.error) out[branch].errors = result.error;
    if (result.status === "FAILED" && !stop.signal.aborted) {
      stop.abort(new CancelError(`cancelled because branch '${branch}' failed`));
    }
  }, {
    shouldStop: () => signal.aborted,
    // Whatever escapes a branch is that branch's failure, never a missing entry.
    onError: (error, [branch]) => {
      out[branch] = { branch, status: "FAILED", stages: {}, errors: errorToRecord(error) };
      if (!stop.signal.aborted) {
        stop.abort(new CancelError(`cancelled because branch '${branch}' failed`));
      }
    },
  });
  for (const [branch] of branches) {
    out[branch] ??= { branch, status: "CANCEL", stages: {} };
  }
  const outputs = { parallel: out };
  return abortedOutcome(ctx, outputs) ?? nestedOutcome(outputs, Object.entries(out), "branch");
};
