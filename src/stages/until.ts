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
import type { StageKindDefinition } from "./kind.ts";
import { requireStages } from "../models/stage.ts";
import { readCondition, readInteger } from "../models/fields.ts";
import { int, ref } from "../models/json_schema.ts";

/** The largest `max-loop` an `until` stage accepts. */
export const MAX_UNTIL_LOOPS = 10_000;

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

/** `until:` condition over nested `stages:`, from `item:`, at most `max-loop:` times. */
export const untilKind: StageKindDefinition<UntilStage> = {
  kind: "until",
  selectors: ["until"],
  keys: ["item", "until", "stages", "max-loop"],
  schema: {
    description: "Repeats nested stages until a condition holds (`${{ item }}`, `${{ loop }}`).",
    properties: {
      item: { description: "Initial item (default 0)." },
      until: ref("condition"),
      stages: ref("stages"),
      "max-loop": {
        ...int(`At most this many iterations (default 10, limit ${MAX_UNTIL_LOOPS}).`),
        maximum: MAX_UNTIL_LOOPS,
      },
    },
    required: ["until", "stages"],
  },
  conditions: ["until"],
  parse(raw, base, { path, issues, stages }) {
    const until = readCondition(raw, "until", path, issues);
    if (raw.until === null) {
      issues.add([...path, "until"], "expected a condition string or a boolean, got null");
    }
    requireStages(raw, path, issues);
    let maxLoop = readInteger(raw, "max-loop", path, issues);
    if (typeof maxLoop === "number" && maxLoop > MAX_UNTIL_LOOPS) {
      // Every iteration keeps its outputs in the run context: a huge cap is a memory leak.
      issues.add(
        [...path, "max-loop"],
        `max-loop ${maxLoop} is over the limit of ${MAX_UNTIL_LOOPS} iterations (each loop ` +
          "keeps its outputs in the run context); loop inside a task (uses:) or split the work",
      );
      maxLoop = undefined;
    }
    return {
      ...base,
      kind: "until",
      item: raw.item ?? 0,
      until: typeof until === "boolean" ? String(until) : until ?? "",
      stages: stages(raw.stages, [...path, "stages"]),
      maxLoop: typeof maxLoop === "number" ? maxLoop : 10,
    };
  },
  children: (stage) => [stage.stages],
  rawChildren: (raw) => [{ at: ["stages"], value: raw.stages }],
  run: runUntilStage,
};
