/**
 * `until:` stage: repeats nested stages until a condition holds, at most
 * `max-loop` iterations.
 *
 * @module
 */

import type { UntilStage } from "../models/types.ts";
import { NonRetriableError } from "../errors.ts";
import type { StageHandler } from "./types.ts";
import { abortedOutcome } from "./_nested.ts";

/** Runs an until stage. Output `{until: {<loop>: {loop, item, status, stages}}}`. */
export const runUntilStage: StageHandler<UntilStage> = async (stage, ctx) => {
  let item = ctx.render(stage.item ?? 0);
  const loops: Record<string, Record<string, unknown>> = {};
  for (let loop = 1; loop <= stage.maxLoop; loop++) {
    const result = await ctx.runNested(stage.stages, { item, loop }, {
      signal: ctx.signal,
      path: [String(loop)],
    });
    loops[loop] = { loop, item, status: result.status, stages: result.stages };
    if (result.error) loops[loop].errors = result.error;
    const aborted = abortedOutcome(ctx, { until: loops });
    if (aborted) return aborted;
    if (result.status === "FAILED" || result.status === "CANCEL") {
      return {
        outputs: { until: loops },
        status: result.status,
        error: {
          name: "StageError",
          message: `loop ${loop} ${result.status === "FAILED" ? "failed" : "was cancelled"}: ${
            result.error?.message ?? ""
          }`,
        },
      };
    }
    let next: unknown = loop + 1;
    for (const entry of Object.values(result.stages)) {
      const outputs = (entry as { outputs?: Record<string, unknown> }).outputs;
      if (outputs && "item" in outputs) next = outputs.item;
    }
    item = next;
    let done: boolean;
    try {
      done = ctx.condition(stage.until, { item, loop });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new NonRetriableError(`until condition '${stage.until}' (loop ${loop}): ${reason}`);
    }
    if (done) return { outputs: { until: loops } };
  }
  throw new NonRetriableError(
    `until condition '${stage.until}' was still false after max-loop ${stage.maxLoop} iterations`,
  );
};
