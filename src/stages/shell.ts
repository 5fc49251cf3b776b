/**
 * `bash:`/`sh:` stage: runs a rendered script through the runtime's spawn
 * adapter. Output `{return_code, stdout, stderr}`; a non-zero exit fails with
 * the tail of stderr; timeout or cancel kills the whole process group.
 *
 * @module
 */

import type { ShellStage } from "../models/types.ts";
import { StageError } from "../errors.ts";
import type { StageHandler } from "./types.ts";
import { dedent } from "../util/text.ts";
import { assertHostCanRun } from "./_host.ts";

const MAX_OUTPUT = 1024 * 1024;
const STDERR_TAIL = 2000;

/** Runs a shell stage. */
export const runShellStage: StageHandler<ShellStage> = async (stage, ctx) => {
  assertHostCanRun(stage, ctx.runtime, ctx.defaultRunLang);
  const script = ctx.renderString(dedent(stage.script));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(stage.env)) {
    const rendered = ctx.render(value);
    env[key] = typeof rendered === "string" ? rendered : JSON.stringify(rendered);
  }
  // W3C environment carrier: tools in the script continue the stage's trace.
  const traceparent = ctx.traceparent;
  if (traceparent !== undefined && env.TRACEPARENT === undefined) env.TRACEPARENT = traceparent;
  const cwd = stage.cwd === undefined ? undefined : ctx.renderString(stage.cwd);
  let pending = "";
  const result = await ctx.runtime.spawn.spawn([stage.shell, "-c", script], {
    env,
    cwd,
    signal: ctx.signal,
    maxOutputBytes: MAX_OUTPUT,
    onStdout: (chunk) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) ctx.log("info", `[STAGE]: ${ctx.stageName} | ${line}`);
    },
  });
  if (pending) ctx.log("info", `[STAGE]: ${ctx.stageName} | ${pending}`);
  const stdout = trimOutput(result.stdout);
  const stderr = trimOutput(result.stderr);
  const outputs: Record<string, unknown> = { return_code: result.code, stdout, stderr };
  if (result.stdoutDropped > 0) outputs.stdout_dropped_bytes = result.stdoutDropped;
  if (result.stderrDropped > 0) outputs.stderr_dropped_bytes = result.stderrDropped;
  if (result.code !== 0) {
    const tail = (stderr ?? "").slice(-STDERR_TAIL);
    const how = result.code === null
      ? `was killed by ${result.signal}`
      : `exited with code ${result.code}`;
    throw new StageError(`${stage.shell} ${how}${tail ? `: ${tail}` : ""}`);
  }
  return { outputs };
};

function trimOutput(text: string): string | null {
  const trimmed = text.replace(/\n+$/, "");
  return trimmed === "" ? null : trimmed;
}
