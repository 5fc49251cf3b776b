/**
 * Shared test helpers: an engine over inline YAML, and event capture.
 */
import { existsSync, readFileSync } from "node:fs";
import process from "node:process";
import { createMemoryRuntime, detectRuntime, type MemoryRuntime } from "../src/runtime/mod.ts";
import type { FakeClock } from "../src/runtime/fake_clock.ts";
import type { Runtime } from "../src/runtime/types.ts";
import { runCli } from "../src/cli/run_cli.ts";
import { indexConfig } from "../src/config/loader.ts";
import { Engine, type EngineOptions } from "../src/engine.ts";
import { type LifecycleDetail, onLifecycle } from "../src/executor/events.ts";
import type { Result } from "../src/executor/workflow_runner.ts";

/** An engine whose config is the given YAML text (one file, `test.yml`). */
export function engineFor(
  yaml: string | Record<string, string>,
  options: Partial<EngineOptions> = {},
): Promise<Engine> {
  const files = typeof yaml === "string"
    ? [{ path: "test.yml", text: yaml }]
    : Object.entries(yaml).map(([path, text]) => ({ path, text }));
  return Engine.create({
    runtime: options.runtime ?? detectRuntime(),
    config: indexConfig(files),
    ...options,
  });
}

/** Collects every lifecycle event dispatched on the returned target. */
export function captureEvents(): { target: EventTarget; events: LifecycleDetail[] } {
  const target = new EventTarget();
  const events: LifecycleDetail[] = [];
  onLifecycle(target, (detail) => events.push(detail));
  return { target, events };
}

/** Drops timing info so contexts can be compared exactly. */
export function withoutInfo(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutInfo);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== "info") out[k] = withoutInfo(v);
    return out;
  }
  return value;
}

/** The real runtime of this process with `env` laid over its environment. */
export function runtimeWithEnv(
  env: Record<string, string>,
  base: Runtime = detectRuntime(),
): Runtime {
  return {
    name: base.name,
    fs: base.fs,
    clock: base.clock,
    spawn: base.spawn,
    workers: base.workers,
    cwd: () => base.cwd(),
    env: {
      get: (name) => (name in env ? env[name] : base.env.get(name)),
      toObject: () => ({ ...base.env.toObject(), ...env }),
    },
  };
}

/** Runs the CLI in-process and captures what it prints. */
export async function runCliCaptured(
  args: string[],
  runtime: Runtime = detectRuntime(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    runtime,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

/**
 * True while `pid` is a live process. A zombie counts as dead: in some containers PID 1 never
 * reaps orphans, so `kill(pid, 0)` alone would call a killed process alive.
 */
export function processAlive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync("/proc")) {
    if (!existsSync(stat)) return false;
    try {
      const state = readFileSync(stat, "utf8").replace(/^.*\) /s, "")[0];
      return state !== "Z" && state !== "X";
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Settles `work` on a fake clock without sleeping on the real one: advances the clock `stepMs`
 * at a time until `work` settles, so its timers fire in order at their exact fake times. A run
 * that never ends is bounded by the test's own timeout.
 *
 * Each fired timer gets one event-loop turn to react in (see `FakeClock.advance`); a timer set
 * later than that starts from the end of the current step, so keep `stepMs` small when a test
 * asserts fake times. On a memory runtime the engine reacts within the turn.
 */
export async function driveClock<T>(clock: FakeClock, work: Promise<T>, stepMs = 10): Promise<T> {
  let settled = false;
  work.then(() => (settled = true), () => (settled = true));
  await clock.advance(0);
  while (!settled) await clock.advance(stepMs);
  return work;
}

/** An engine over inline YAML on a fresh memory runtime, whose clock only moves when driven. */
export async function fakeClockEngine(
  yaml: string | Record<string, string>,
  options: Partial<EngineOptions> = {},
): Promise<{ engine: Engine; runtime: MemoryRuntime }> {
  const runtime = createMemoryRuntime({ cwd: "/app" });
  const engine = await engineFor(yaml, { traces: null, audits: null, ...options, runtime });
  return { engine, runtime };
}

/**
 * Executes workflow `wf` of `yaml` on a memory runtime whose fake clock is advanced until the
 * run ends (see {@linkcode fakeClockEngine}), its lifecycle events going to `capture` (give one
 * to listen to it before the run starts).
 */
export async function executeOnFakeClock(
  yaml: string,
  capture: { target: EventTarget; events: LifecycleDetail[] } = captureEvents(),
): Promise<{ result: Result; events: LifecycleDetail[] }> {
  const { engine, runtime } = await fakeClockEngine(yaml);
  const running = engine.execute("wf", {}, { events: capture.target });
  return { result: await driveClock(runtime.clock, running), events: capture.events };
}

/** The most `start` events seen without their `end` (e.g. jobs running at once) on `target`. */
export function peakConcurrency(target: EventTarget, start: string, end: string): () => number {
  let running = 0, peak = 0;
  target.addEventListener(start, () => peak = Math.max(peak, ++running));
  target.addEventListener(end, () => running--);
  return () => peak;
}

/** The argv that runs this checkout's `workflow` command (`src/cli/bin.ts`) on the runtime
 * running the test. */
export function cliCommand(): string[] {
  const bin = new URL("../src/cli/bin.ts", import.meta.url).pathname;
  const globals = globalThis as { Deno?: unknown; Bun?: unknown };
  if (globals.Deno !== undefined) return [process.execPath, "run", "-A", bin];
  if (globals.Bun !== undefined) return [process.execPath, bin];
  return [process.execPath, "--import", "tsx", bin];
}

/** Sets process env variables (inherited by spawned stages) for the duration of `body`, then
 * puts back what was there. */
export async function withProcessEnv<T>(
  env: Record<string, string>,
  body: () => Promise<T>,
): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
