/**
 * `trigger:` stage: runs another workflow of the same config as a child run
 * (its own run id, this run as parent). Its status becomes this stage's.
 *
 * @module
 */

import type { TriggerStage } from "../models/types.ts";
import type { StageHandler } from "./types.ts";
import { abortedOutcome } from "./_nested.ts";
import type { StageKindDefinition } from "./kind.ts";
import { textField } from "../models/stage.ts";
import { readMap } from "../models/fields.ts";
import { map, scalar } from "../models/json_schema.ts";

interface Node {
  readonly status?: string;
  readonly errors?: { readonly message?: string };
  readonly stages?: Readonly<Record<string, Node>>;
  readonly strategies?: Readonly<Record<string, Node>>;
}

/**
 * The message of the first failed node in a child context, with the job and
 * stage ids on the way, so a failure deep in a trigger chain stays readable.
 */
function firstFailure(
  nodes: Readonly<Record<string, Node>> | undefined,
  what: string,
): string | undefined {
  for (const [id, node] of Object.entries(nodes ?? {})) {
    if (node?.status !== "FAILED") continue;
    const inner = firstFailure(node.stages, "stage") ?? firstFailure(node.strategies, "strategy");
    if (inner) return `${what} '${id}': ${inner}`;
    if (node.errors?.message) return `${what} '${id}': ${node.errors.message}`;
  }
  return undefined;
}

/** Runs a trigger stage; outputs `{run_id, status, params, jobs}` of the child. */
export const runTriggerStage: StageHandler<TriggerStage> = async (stage, ctx) => {
  const name = ctx.renderString(stage.trigger);
  const params = ctx.render(stage.params) as Record<string, unknown>;
  ctx.log("info", `[STAGE]: Trigger '${name}'`);
  const child = await ctx.triggerWorkflow(name, params, {
    signal: ctx.signal,
    traceparent: ctx.traceparent,
  });
  const outputs = {
    run_id: child.runId,
    status: child.status,
    params: child.context.params,
    jobs: child.context.jobs,
  };
  const aborted = abortedOutcome(ctx, outputs);
  if (aborted) return aborted;
  if (child.status === "SUCCESS") return { outputs };
  const detail = child.status === "FAILED" ? firstFailure(child.context.jobs, "job") : undefined;
  const reason = detail ?? child.context.errors?.message;
  return {
    outputs,
    status: child.status,
    error: {
      name: child.status === "CANCEL" ? "CancelError" : "StageError",
      message: `triggered workflow '${name}' (run ${child.runId}) ended ${child.status}` +
        (reason ? `: ${reason}` : ""),
    },
  };
};

/** `trigger: workflow` with `params:`. */
export const triggerKind: StageKindDefinition<TriggerStage> = {
  kind: "trigger",
  selectors: ["trigger"],
  keys: ["trigger", "params"],
  schema: {
    description: "Runs another workflow as a child run; outputs its context.",
    properties: {
      trigger: scalar("Name of the workflow to run."),
      params: map("Params passed to the triggered workflow."),
    },
    required: ["trigger"],
  },
  parse: (raw, base, { path, issues }) => ({
    ...base,
    kind: "trigger",
    trigger: textField(raw, "trigger", path, issues) ?? "",
    params: readMap(raw, "params", path, issues),
  }),
  acts: true,
  run: runTriggerStage,
};
