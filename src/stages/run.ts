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
import { assertHostCanRun, type HostNeed } from "./_host.ts";
import type { StageKindDefinition } from "./kind.ts";
import { type Mutable, textField } from "../models/stage.ts";
import { readMap, readString } from "../models/fields.ts";
import { map, scalar } from "../models/json_schema.ts";

/** Copies the template scope into plain cloneable data for a worker or subprocess. */
function plainScope(scope: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(scope));
}

/** JSON copies of scope values, per run (keyed by the run's JavaScript session). */
const copiesByRun = new WeakMap<object, WeakMap<object, unknown>>();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `value` the way `JSON.parse(JSON.stringify(value))` gives it (`undefined` when JSON drops
 * it), made once per object: the executor replaces scope entries rather than mutating them. */
function jsonCopy(value: unknown, copies: WeakMap<object, unknown>): unknown {
  const isObject = typeof value === "object" && value !== null;
  if (!isObject) {
    if (typeof value === "string" || typeof value === "boolean") return value;
    if (typeof value === "number") return Number.isFinite(value) ? value + 0 : null;
    // A bigint throws as JSON.stringify does; undefined, functions and symbols are dropped.
  } else if (copies.has(value)) return copies.get(value);
  const text = JSON.stringify(value);
  const copy = text === undefined ? undefined : JSON.parse(text);
  if (isObject) copies.set(value, copy);
  return copy;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) return;
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else target[key] = value;
}

/**
 * The scope as {@linkcode plainScope} copies it, but made of the same copies from stage to
 * stage of a run: the scope's entries and their entries are copied once per run (a stage
 * entry when it is recorded, not again for every later stage), so the pool sends a worker
 * only the entries it has not seen (`JsJob.context`).
 */
function sharedPlainScope(
  scope: Readonly<Record<string, unknown>>,
  copies: WeakMap<object, unknown>,
): Record<string, unknown> {
  if (typeof (scope as { toJSON?: unknown }).toJSON === "function") return plainScope(scope);
  const view: Record<string, unknown> = {};
  for (const key of Object.keys(scope)) {
    const value = scope[key];
    if (isPlainObject(value) && typeof value.toJSON !== "function") {
      const inner: Record<string, unknown> = {};
      for (const name of Object.keys(value)) setOwn(inner, name, jsonCopy(value[name], copies));
      setOwn(view, key, inner);
    } else {
      setOwn(view, key, jsonCopy(value, copies));
    }
  }
  return view;
}

/** Python runs in a subprocess, JavaScript in a worker. */
function runNeed(stage: RunStage, defaultRunLang: string): HostNeed {
  return (stage.lang ?? defaultRunLang) === "python"
    ? { need: "subprocesses", what: "a run: stage with lang: python" }
    : { need: "workers", what: "a JavaScript run: stage" };
}

/** Runs a run stage in the configured language. */
export const runRunStage: StageHandler<RunStage> = (stage, ctx) => {
  const lang = stage.lang ?? ctx.defaultRunLang;
  return lang === "python" ? runPython(stage, ctx) : runJavaScript(stage, ctx);
};

async function runJavaScript(stage: RunStage, ctx: StageContext) {
  assertHostCanRun(runNeed(stage, ctx.defaultRunLang), ctx.runtime);
  // `${…}` in JavaScript is the language's own interpolation, so the code gets templates
  // but no `${VAR}` env pass; environment values reach the code through `vars`.
  const code = ctx.renderString(dedent(stage.code), undefined, { env: false });
  const vars = ctx.render(stage.vars) as Record<string, unknown>;
  const runner = ctx.jsRunner();
  let copies = copiesByRun.get(runner);
  if (!copies) copiesByRun.set(runner, copies = new WeakMap());
  const context = sharedPlainScope(ctx.scope, copies);
  // Workers share their process's environment, so the trace context travels in `context`.
  const traceparent = ctx.traceparent;
  if (traceparent !== undefined) context.traceparent = traceparent;
  const outputs = await runner.run(
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
  assertHostCanRun(runNeed(stage, ctx.defaultRunLang), ctx.runtime);
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

/** `run:` code with `lang:` and `vars:`. */
export const runKind: StageKindDefinition<RunStage> = {
  kind: "run",
  selectors: ["run"],
  keys: ["run", "lang", "vars"],
  schema: {
    description: "Runs code: JavaScript in a worker, or Python (`lang: python`).",
    properties: {
      run: scalar("Code to run (JavaScript by default)."),
      lang: { type: "string", enum: ["javascript", "python"], description: "Language of `run`." },
      vars: map("Variables visible to the code."),
    },
    required: ["run"],
  },
  parse(raw, base, { path, issues }) {
    const stage: Mutable<RunStage> = {
      ...base,
      kind: "run",
      code: dedent(textField(raw, "run", path, issues) ?? ""),
      vars: readMap(raw, "vars", path, issues),
    };
    const lang = readString(raw, "lang", path, issues);
    if (lang !== undefined) {
      if (lang === "javascript" || lang === "python") stage.lang = lang;
      else {
        issues.add([...path, "lang"], `unknown language '${lang}'; expected javascript or python`);
      }
    }
    return stage;
  },
  hostNeed: runNeed,
  acts: true,
  run: runRunStage,
};
