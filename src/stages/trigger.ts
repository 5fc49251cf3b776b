/**
 * `trigger:` stage: runs another workflow of the same config as a child run
 * (its own run id, this run as parent). Its status becomes this stage's.
 *
 * @module
 */

import type { TriggerStage } from "../models/types.ts";
import type { StageHandler } from "./types.ts";

/** Runs a trigger stage; outputs `{run_id, status, params, jobs}` of the child. */
export const runTriggerStage: StageHandler<TriggerStage> = async (stage, ctx) => {
  const name = ctx.renderString(stage.trigger);
  const params = ctx.render(stage.params) as Record<string, unknown>;
  ctx.log("info", `[STAGE]: Trigger '${name}'`);
  const child = await ctx.triggerWorkflow(name, params, { signal: ctx.signal });
  const outputs = {
    run_id: child.runId,
    status: child.status,
    params: child.context.params,
    jobs: child.context.jobs,
  };
  if (child.status === "SUCCESS") return { outputs };
  const childError = child.context.errors as { message?: string } | undefined;
  return {
    outputs,
    status: child.status,
    error: {
      name: "StageError",
      message: `triggered workflow '${name}' (run ${child.runId}) ended ${child.status}` +
        (childError?.message ? `: ${childError.message}` : ""),
    },
  };
};
