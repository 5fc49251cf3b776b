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
import type { StageKindDefinition } from "./kind.ts";
import type { Stage } from "../models/types.ts";
import { describeValue, isRawMap, readInteger } from "../models/fields.ts";
import { ref, template } from "../models/json_schema.ts";

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

/** `parallel: {branch: [stages]}` with `max-workers:`. */
export const parallelKind: StageKindDefinition<ParallelStage> = {
  kind: "parallel",
  selectors: ["parallel"],
  keys: ["parallel", "max-workers"],
  schema: {
    description: "Runs named branches of stages concurrently.",
    properties: {
      parallel: {
        type: "object",
        description: "Branch name → list of stages; branches run concurrently.",
        additionalProperties: ref("stages"),
      },
      "max-workers": {
        description: "Branches run at once (default 2); number or template.",
        anyOf: [{ type: "integer", minimum: 1 }, template],
      },
    },
    required: ["parallel"],
  },
  parse(raw, base, { path, issues, stages }) {
    const branches: Record<string, Stage[]> = {};
    const value = raw.parallel;
    if (!isRawMap(value)) {
      issues.add(
        [...path, "parallel"],
        `expected a mapping of branch name to a list of stages, got ${describeValue(value)}`,
      );
    } else {
      for (const [branch, list] of Object.entries(value)) {
        branches[branch] = stages(list, [...path, "parallel", branch]);
      }
    }
    return {
      ...base,
      kind: "parallel",
      parallel: branches,
      maxWorkers: readInteger(raw, "max-workers", path, issues, { allowTemplate: true }) ?? 2,
    };
  },
  children: (stage) => Object.values(stage.parallel),
  *rawChildren(raw) {
    if (!isRawMap(raw.parallel)) return;
    for (const [branch, value] of Object.entries(raw.parallel)) {
      yield { at: ["parallel", branch], value };
    }
  },
  run: runParallelStage,
};
