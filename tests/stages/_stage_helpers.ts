/**
 * Helpers for the stage-kind tests: run a list of stages (YAML) as job `j`
 * of workflow `wf`, and read back the context entries a user sees.
 */
import assert from "node:assert/strict";
import { captureEvents, driveClock, engineFor, fakeClockEngine, withoutInfo } from "../_helpers.ts";
import type { MemoryRuntime } from "../../src/runtime/mod.ts";
import type { Engine, EngineOptions } from "../../src/engine.ts";
import { type LifecycleDetail, onLifecycle } from "../../src/executor/events.ts";
import type { Result } from "../../src/executor/workflow_runner.ts";

/** Indents every line of `text` by `spaces` after removing its common indentation. */
export function indent(text: string, spaces: number): string {
  const lines = text.replace(/^\n+|\s+$/g, "").split("\n");
  const common = Math.min(
    ...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length),
  );
  const pad = " ".repeat(spaces);
  return lines.map((l) => (l.trim() ? pad + l.slice(common) : "")).join("\n");
}

/** YAML of workflow `wf` with one job `j` holding `stages` (a YAML list). */
export function oneJob(stages: string, options: { params?: string; name?: string } = {}): string {
  const name = options.name ?? "wf";
  return [
    `${name}:`,
    "  type: Workflow",
    ...(options.params ? ["  params:", indent(options.params, 4)] : []),
    "  jobs:",
    "    j:",
    "      stages:",
    indent(stages, 8),
    "",
  ].join("\n");
}

/** What running one job shows. */
export interface StagesRun {
  readonly result: Result;
  /** `context.jobs.j` without timing info. */
  readonly job: Record<string, unknown>;
  /** `context.jobs.j.stages` without timing info. */
  readonly stages: Record<string, unknown>;
  readonly events: LifecycleDetail[];
  /** Messages of `log` events. */
  readonly logs: string[];
  /** With `fakeClock`: the memory runtime the run used (its clock shows when things happened). */
  readonly runtime?: MemoryRuntime;
}

/** Options of {@linkcode runStages}. */
export interface RunStagesOptions {
  readonly params?: Record<string, unknown>;
  readonly engine?: Partial<EngineOptions>;
  /** Extra config files (path → YAML) beside `test.yml`. */
  readonly files?: Record<string, string>;
  readonly signal?: AbortSignal;
  /** Called with every lifecycle event as it happens (e.g. to abort on one). */
  readonly onEvent?: (event: LifecycleDetail) => void;
  /** Run on a memory runtime whose fake clock is advanced until the run ends (no real sleeps;
   * no subprocesses). Event times and `runtime.clock.monotonic()` are then exact fake ms. */
  readonly fakeClock?: boolean;
}

/** Runs `yaml`'s workflow `wf` (or a workflow built by {@linkcode oneJob}) and closes the engine. */
export async function runStages(yaml: string, options: RunStagesOptions = {}): Promise<StagesRun> {
  const config = options.files ? { "test.yml": yaml, ...options.files } : yaml;
  let runtime: MemoryRuntime | undefined;
  let engine: Engine;
  if (options.fakeClock) {
    ({ engine, runtime } = await fakeClockEngine(config, options.engine));
  } else {
    engine = await engineFor(config, options.engine);
  }
  const { target, events } = captureEvents();
  if (options.onEvent) {
    const listener = options.onEvent;
    onLifecycle(target, listener);
  }
  try {
    const running = engine.execute("wf", options.params ?? {}, {
      events: target,
      signal: options.signal,
    });
    const result = runtime ? await driveClock(runtime.clock, running) : await running;
    const jobs = withoutInfo(result.context.jobs) as Record<string, Record<string, unknown>>;
    const job = jobs.j ?? {};
    return {
      result,
      job,
      stages: (job.stages ?? {}) as Record<string, unknown>,
      events,
      logs: events.filter((e) => e.type === "log").map((e) => e.message ?? ""),
      runtime,
    };
  } finally {
    await engine.close();
  }
}

/** Runs `yaml` like {@linkcode runStages}, the caller cancelling (its signal aborted) as soon as
 * stage `stageId` starts. */
export function runStagesCancelledAt(stageId: string, yaml: string): Promise<StagesRun> {
  const controller = new AbortController();
  return runStages(yaml, {
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === "stage-start" && e.stage === stageId) controller.abort();
    },
  });
}

/**
 * What every stage that nests stages shows in its "skips when if is false, and stops at its
 * timeout" case, run with `fakeClock`: stage `skipped` (`if: "false"`) ends SKIP, and stage
 * `Slow` (`id: slow`, `timeout: 0.2`, nesting a 30 s sleep) fails at 200 ms with a
 * StageTimeoutError, keeping the nested entries that ran, each with its own status.
 */
export function assertSkippedAndTimedOut(run: StagesRun): void {
  assert.deepEqual(run.stages.skipped, { status: "SKIP", outputs: {}, skipped: true });
  const slow = run.stages.slow as { status: string; errors: unknown; outputs: object };
  assert.equal(slow.status, "FAILED");
  assert.deepEqual(slow.errors, {
    name: "StageTimeoutError",
    message: "stage 'Slow' timed out after 200ms",
  });
  assert.match(JSON.stringify(slow.outputs), /"status":"FAILED"/);
  const end = run.events.find((e) => e.type === "stage-end" && e.stage === "slow");
  assert.equal(end?.time, 200, "the stage ends at its timeout, not after the nested 30 s sleep");
}
