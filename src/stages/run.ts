/**
 * `run:` stage: JavaScript in a worker from the runtime's pool (default), or
 * Python in the job's warm `python3` interpreter (`lang: python`, see `python.ts`).
 *
 * @module
 */

import type { RunStage } from "../models/types.ts";
import { UnsupportedError } from "../errors.ts";
import { PythonCodeError } from "./python.ts";
import type { StageContext, StageHandler } from "./types.ts";
import { dedent } from "../util/text.ts";
import { assertHostCanRun } from "./_host.ts";

/** Copies the template scope into plain cloneable data for a worker or subprocess. */
function plainScope(scope: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(scope));
}

/** Runs a run stage in the configured language. */
export const runRunStage: StageHandler<RunStage> = (stage, ctx) => {
  const lang = stage.lang ?? ctx.defaultRunLang;
  return lang === "python" ? runPython(stage, ctx) : runJavaScript(stage, ctx);
};

async function runJavaScript(stage: RunStage, ctx: StageContext) {
  assertHostCanRun(stage, ctx.runtime, ctx.defaultRunLang);
  // `${…}` in JavaScript is the language's own interpolation, so the code gets templates
  // but no `${VAR}` env pass; environment values reach the code through `vars`.
  const code = ctx.renderString(dedent(stage.code), undefined, { env: false });
  const vars = ctx.render(stage.vars) as Record<string, unknown>;
  const context = plainScope(ctx.scope);
  // Workers share their process's environment, so the trace context travels in `context`.
  const traceparent = ctx.traceparent;
  if (traceparent !== undefined) context.traceparent = traceparent;
  const outputs = await ctx.jsRunner().run(
    { code, vars, context },
    {
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      onLog: (level, message) => ctx.log(level, `[STAGE]: ${ctx.stageName} | ${message}`),
    },
  );
  return { outputs };
}

async function runPython(stage: RunStage, ctx: StageContext) {
  assertHostCanRun(stage, ctx.runtime, ctx.defaultRunLang);
  const code = ctx.renderString(dedent(stage.code));
  const vars = ctx.render(stage.vars) as Record<string, unknown>;
  const log = (level: "info" | "warning", text: string) => {
    for (const line of text.split("\n")) {
      if (line) ctx.log(level, `[STAGE]: ${ctx.stageName} | ${line}`);
    }
  };
  let reply;
  try {
    reply = await ctx.python().run(
      // The request is JSON text anyway: the scope goes in as it is, no clone first.
      { code, vars, context: ctx.scope, traceparent: ctx.traceparent },
      { signal: ctx.signal },
    );
  } catch (error) {
    if (error instanceof PythonCodeError) log("info", error.stdout);
    if (error instanceof UnsupportedError) {
      throw new UnsupportedError(`run stage '${ctx.stageName}' ${error.message}`);
    }
    throw error;
  }
  log("info", reply.stdout);
  log("warning", reply.stderr);
  return { outputs: reply.outputs };
}
