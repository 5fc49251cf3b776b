/**
 * `case:` stage: runs the stages of the first `match` whose value equals the
 * rendered `case`, else the `else` branch.
 *
 * @module
 */

import type { CaseStage } from "../models/types.ts";
import { NonRetriableError } from "../errors.ts";
import type { StageHandler } from "./types.ts";
import { abortedOutcome } from "./_nested.ts";

function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** Runs a case stage. Output `{case, stages}` (`case` is `"_"` for the else branch). */
export const runCaseStage: StageHandler<CaseStage> = async (stage, ctx) => {
  const value = asText(ctx.render(stage.case));
  let chosen = stage.match.find((m) => !m.else && asText(ctx.render(m.case)) === value);
  let label = value;
  if (!chosen) {
    chosen = stage.match.find((m) => m.else);
    label = "_";
  }
  if (!chosen) {
    if (stage.skipNotMatch) {
      ctx.log("info", `[STAGE]: Case '${ctx.stageName}': no match for '${value}', skipped`);
      return { outputs: { case: value, stages: {} }, status: "SKIP" };
    }
    const options = stage.match.map((m) => asText(ctx.render(m.case))).join(", ");
    throw new NonRetriableError(
      `case value '${value}' matches none of [${options}] and there is no else branch ` +
        `(add one, or set skip-not-match: true)`,
    );
  }
  const result = await ctx.runNested(chosen.stages, {}, { signal: ctx.signal, path: [label] });
  const outputs = { case: label, stages: result.stages };
  const aborted = abortedOutcome(ctx, outputs);
  if (aborted) return aborted;
  if (result.status === "FAILED" || result.status === "CANCEL") {
    return { outputs, status: result.status, error: result.error };
  }
  return { outputs };
};
