/**
 * Worker entry that runs user JavaScript for `run` stages. It is loaded by
 * the pool (`pool.ts`) as a Web Worker (or the Node/Deno equivalents the
 * runtime adapter provides) and serves one job at a time.
 *
 * @module
 */
import { applyContextPatch } from "./context_sync.ts";
import { isRunRequest, type LogLevel, type RunRequest, type WorkerMessage } from "./protocol.ts";

interface WorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
}

type ConsoleMethod = "log" | "info" | "warn" | "error" | "debug";

const scope = globalThis as unknown as WorkerScope;
const RESERVED = new Set(["context", "outputs"]);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const CONSOLE_LEVELS: Record<ConsoleMethod, LogLevel> = {
  log: "info",
  info: "info",
  warn: "warning",
  error: "error",
  debug: "debug",
};

// Running user code is the feature of `run` stages, so this worker is the one
// sanctioned place where code is built from a string. It runs isolated in a
// worker that the pool terminates on timeout or cancel.
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

/** Compiled job bodies by parameter names and code: stages of a run repeat their code (a
 * foreach, a retry) and compiling it again costs more than the rest of a small job. This
 * worker serves one run, so the cache never outlives it. */
const compiled = new Map<string, (...values: unknown[]) => Promise<unknown>>();
const COMPILED_LIMIT = 256;

let currentJob = 0;
/** The (deep-frozen) context of the previous job; the next job's is patched from it. */
let lastContext: unknown;

function send(message: WorkerMessage): void {
  scope.postMessage(message);
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function" || typeof value === "symbol" || value === undefined) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function captureConsole(): void {
  const target = console as unknown as Record<ConsoleMethod, (...args: unknown[]) => void>;
  for (const method of Object.keys(CONSOLE_LEVELS) as ConsoleMethod[]) {
    target[method] = (...args: unknown[]) => {
      send({
        type: "log",
        id: currentJob,
        level: CONSOLE_LEVELS[method],
        message: args.map(formatValue).join(" "),
      });
    };
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) {
      deepFreeze((value as Record<PropertyKey, unknown>)[key]);
    }
  }
  return value;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** Names the first output key that cannot be structured-cloned, or `undefined`. */
function findUncloneable(outputs: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(outputs)) {
    try {
      structuredClone(value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return `output "${key}" cannot be passed out of the worker (${reason}); ` +
        "return plain data: strings, numbers, booleans, arrays, objects, dates";
    }
  }
  return undefined;
}

async function runJob(job: RunRequest, context: unknown): Promise<Record<string, unknown>> {
  const names = Object.keys(job.vars);
  for (const name of names) {
    if (!IDENTIFIER.test(name)) {
      throw new TypeError(`vars key "${name}" is not a valid JavaScript variable name`);
    }
    if (RESERVED.has(name)) {
      throw new TypeError(`vars key "${name}" clashes with the built-in "${name}" variable`);
    }
  }
  const key = `${names.join(",")}\n${job.code}`;
  let fn = compiled.get(key);
  if (!fn) {
    try {
      fn = new AsyncFunction(...names, "context", "outputs", `"use strict";\n${job.code}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SyntaxError(`run code does not parse: ${reason}`);
    }
    if (compiled.size >= COMPILED_LIMIT) compiled.clear();
    compiled.set(key, fn);
  }
  const outputs: Record<string, unknown> = {};
  const returned = await fn(...names.map((name) => job.vars[name]), context, outputs);
  if (
    returned !== undefined && (typeof returned !== "object" || returned === null ||
      Array.isArray(returned))
  ) {
    throw new TypeError(
      `run code must return an object of outputs (or nothing), got ${describeType(returned)}`,
    );
  }
  return { ...outputs, ...(returned as Record<string, unknown> | undefined) };
}

function errorRecord(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  if (typeof error === "object" && error !== null && "message" in error) {
    return { name: "Error", message: String((error as { message: unknown }).message) };
  }
  return { name: "Error", message: String(error) };
}

scope.onmessage = (event) => {
  const job = event.data;
  if (!isRunRequest(job)) return;
  currentJob = job.id;
  // Applied before anything can fail: the host counts on this worker holding the new context.
  // Frozen objects are skipped, so this freezes only what the patch brought.
  const context = deepFreeze(applyContextPatch(lastContext, job.context));
  lastContext = context;
  runJob(job, context).then(
    (outputs) => {
      try {
        send({ type: "result", id: job.id, outputs });
      } catch (error) {
        // Looked for only now: cloning each output up front cost every job a copy of it.
        const problem = findUncloneable(outputs);
        send({
          type: "error",
          id: job.id,
          error: errorRecord(problem ? new TypeError(problem) : error),
        });
      }
    },
    (error) => send({ type: "error", id: job.id, error: errorRecord(error) }),
  );
};

captureConsole();
send({ type: "ready" });
