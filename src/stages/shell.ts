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
import { assertHostCanRun, type HostNeed } from "./_host.ts";
import type { StageKindDefinition } from "./kind.ts";
import { type Mutable, readEnv, textField } from "../models/stage.ts";
import { readString } from "../models/fields.ts";
import { envMap, scalar, text } from "../models/json_schema.ts";

const MAX_OUTPUT = 1024 * 1024;
const STDERR_TAIL = 2000;

/** Runs a shell stage. */
export const runShellStage: StageHandler<ShellStage> = async (stage, ctx) => {
  assertHostCanRun(shellNeed(stage), ctx.runtime);
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

const shellNeed = (stage: ShellStage): HostNeed => ({
  need: "subprocesses",
  what: `a ${stage.shell}: stage`,
});

const SHELL_ENV = "Environment variables for the script: values are rendered templates passed " +
  'as variables (read them as "$NAME"), the safe way to hand params to shell code.';

/** `bash:` or `sh:` with `env:` and `cwd:`. */
export const shellKind: StageKindDefinition<ShellStage> = {
  kind: "shell",
  selectors: ["bash", "sh"],
  keys: ["bash", "sh", "env", "cwd"],
  schema: {
    description: "Runs a shell script with `bash` or `sh`; outputs {return_code, stdout, stderr}.",
    properties: {
      bash: scalar("Shell script run with `bash`."),
      sh: scalar("Shell script run with `sh`."),
      env: envMap(SHELL_ENV),
      cwd: text("Working folder."),
    },
    oneRequired: ["bash", "sh"],
  },
  shellCodeKey: (raw) => (raw.bash !== undefined ? "bash" : "sh"),
  parse(raw, base, { path, issues }) {
    const shell = raw.bash !== undefined ? "bash" : "sh";
    if (raw.bash !== undefined && raw.sh !== undefined) {
      issues.add(path, "use either 'bash' or 'sh', not both", { at: [...path, "sh"], key: true });
    }
    const stage: Mutable<ShellStage> = {
      ...base,
      kind: "shell",
      shell,
      script: dedent(textField(raw, shell, path, issues) ?? ""),
      env: readEnv(raw, path, issues),
    };
    const cwd = readString(raw, "cwd", path, issues);
    if (cwd !== undefined) stage.cwd = cwd;
    return stage;
  },
  hostNeed: shellNeed,
  acts: true,
  run: runShellStage,
};
