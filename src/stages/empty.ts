/**
 * `echo`/`sleep` stage: logs a rendered message and/or sleeps (abortably).
 *
 * @module
 */

import type { EmptyStage } from "../models/types.ts";
import { StageError } from "../errors.ts";
import type { StageHandler } from "./types.ts";
import type { StageKindDefinition } from "./kind.ts";
import type { Mutable } from "../models/stage.ts";
import { textField } from "../models/stage.ts";
import { describeValue } from "../models/fields.ts";
import { scalar, template } from "../models/json_schema.ts";

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

/** `echo:`/`sleep:` (or neither): the kind of a stage without any selecting key. */
export const emptyKind: StageKindDefinition<EmptyStage> = {
  kind: "empty",
  selectors: [],
  keys: ["echo", "sleep"],
  schema: {
    description: "Logs `echo` and/or waits `sleep` seconds; outputs {}.",
    properties: {
      echo: scalar("Message to log."),
      sleep: {
        description: "Seconds to wait; number or template.",
        anyOf: [{ type: "number", minimum: 0 }, template],
      },
    },
  },
  parse(raw, base, { path, issues }) {
    const echo = raw.echo === undefined ? undefined : textField(raw, "echo", path, issues);
    let sleep: number | string | undefined;
    if (raw.sleep !== undefined && raw.sleep !== null) {
      if (typeof raw.sleep === "number" && raw.sleep >= 0) sleep = raw.sleep;
      else if (typeof raw.sleep === "string" && raw.sleep.includes("${{")) sleep = raw.sleep;
      else {
        issues.add(
          [...path, "sleep"],
          `expected seconds ≥ 0 or a template, got ${describeValue(raw.sleep)}`,
        );
      }
    }
    const stage: Mutable<EmptyStage> = { ...base, kind: "empty" };
    if (echo !== undefined) stage.echo = echo;
    if (sleep !== undefined) stage.sleep = sleep;
    return stage;
  },
  quietEdges: true,
  run: runEmptyStage,
};
