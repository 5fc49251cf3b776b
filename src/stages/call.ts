/**
 * `uses:` stage: calls a registered task function with rendered, validated args.
 *
 * @module
 */

import type { CallStage } from "../models/types.ts";
import { NonRetriableError, StageError } from "../errors.ts";
import type { StageHandler, StandardSchemaLike } from "./types.ts";
import type { StageKindDefinition } from "./kind.ts";
import { textField } from "../models/stage.ts";
import { readMap } from "../models/fields.ts";
import { map, scalar } from "../models/json_schema.ts";

/** Validates args with a Standard Schema; returns the (possibly transformed) value. */
export async function validateArgs(
  schema: StandardSchemaLike,
  args: unknown,
  ref: string,
): Promise<Record<string, unknown>> {
  const result = await schema["~standard"].validate(args);
  if (result.issues) {
    const lines = result.issues.map((issue) => {
      const path = (issue.path ?? [])
        .map((p) => (typeof p === "object" ? String(p.key) : String(p)))
        .join(".");
      return path ? `'${path}': ${issue.message}` : issue.message;
    });
    throw new NonRetriableError(`invalid args for '${ref}': ${lines.join("; ")}`);
  }
  return result.value as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Runs a call stage. The function's returned object becomes the outputs. */
export const runCallStage: StageHandler<CallStage> = async (stage, ctx) => {
  const ref = ctx.renderString(stage.uses);
  const target = await ctx.calls.resolve(ref);
  let args = ctx.render(stage.with) as Record<string, unknown>;
  if (target.schema) args = await validateArgs(target.schema, args, target.ref);
  ctx.log("info", `[STAGE]: Call '${target.ref}'`);
  const returned = await target.fn(args, {
    signal: ctx.signal,
    runId: ctx.runId,
    parentRunId: ctx.parentRunId,
    params: (ctx.scope.params ?? {}) as Record<string, unknown>,
    trace: (message, level = "info") => ctx.log(level, message),
    workflow: ctx.workflowName,
    jobs: (ctx.scope.jobs ?? {}) as Record<string, unknown>,
    traceparent: ctx.traceparent,
    addSecret: (value) => ctx.addSecret(value),
    mask: (text) => ctx.mask(text),
    clock: ctx.runtime.clock,
  });
  if (returned === undefined || returned === null) return { outputs: {} };
  if (!isPlainObject(returned)) {
    const kind = Array.isArray(returned) ? "an array" : typeof returned;
    throw new StageError(
      `'${target.ref}' returned ${kind}; a task must return a plain object (or nothing), ` +
        `e.g. return { records: 1 }`,
    );
  }
  return { outputs: returned };
};

/** `uses: group/function@tag` with `with:` (alias `args:`). */
export const callKind: StageKindDefinition<CallStage> = {
  kind: "call",
  selectors: ["uses"],
  keys: ["uses", "with", "args"],
  schema: {
    description: "Calls a registered function with the rendered `with:` args.",
    properties: {
      uses: scalar("Registered function: `group/function@tag`."),
      with: map("Arguments passed to the function."),
      args: map("Alias of `with`."),
    },
    required: ["uses"],
  },
  parse(raw, base, { path, issues }) {
    const uses = textField(raw, "uses", path, issues) ?? "";
    if (uses && !uses.includes("${{") && !/^[^/@]+\/[^@]+@.+$/.test(uses)) {
      issues.add(
        [...path, "uses"],
        `expected 'group/function@tag' (e.g. tasks/get-items@demo), got '${uses}'`,
      );
    }
    if (raw.with !== undefined && raw.args !== undefined) {
      issues.add(path, "use either 'with' or its alias 'args', not both", {
        at: [...path, "args"],
        key: true,
      });
    }
    const withKey = raw.with !== undefined ? "with" : "args";
    return { ...base, kind: "call", uses, with: readMap(raw, withKey, path, issues) };
  },
  acts: true,
  runsUserCodeInProcess: true,
  run: runCallStage,
};
