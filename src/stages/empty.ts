/**
 * `echo`/`sleep` stage: logs a rendered message and/or sleeps (abortably).
 *
 * @module
 */

import type { EmptyStage } from "../models/types.ts";
import { StageError } from "../errors.ts";
import type { StageHandler } from "./types.ts";

/** Runs an empty stage. Output `{}`. */
export const runEmptyStage: StageHandler<EmptyStage> = async (stage, ctx) => {
  if (stage.echo !== undefined) {
    // Rendered even when nobody listens: a template error must still fail the stage.
    const message = ctx.render(stage.echo);
    if (ctx.logging) ctx.log("info", `[STAGE]: Echo '${ctx.stageName}': ${stringify(message)}`);
  }
  if (stage.sleep !== undefined) {
    const seconds = Number(ctx.render(stage.sleep));
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new StageError(
        `sleep must be a number of seconds >= 0, got ${JSON.stringify(stage.sleep)}`,
      );
    }
    await ctx.runtime.clock.sleep(seconds * 1000, { signal: ctx.signal });
  }
  return { outputs: {} };
};

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
