/**
 * `@ddeutil/workflow/scheduler`: runs on a clock. `release()` runs one workflow for one logical
 * time, recorded in an audit store so that a release never runs twice; `poke()` runs the
 * releases of a workflow's own `on:` inside a window; the `Scheduler` releases `type: Schedule`
 * templates (and, when asked, workflows' `on:`) at their cron fire times, with catch-up and
 * overlap policies. Cron helpers compute fire times in IANA time zones with explicit DST rules.
 * All of them take an engine through the `SchedulerEngine` port, which an `Engine` satisfies.
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 * import { nextRuns, Scheduler } from "@ddeutil/workflow/scheduler";
 * import { MemoryAuditStore } from "@ddeutil/workflow/stores";
 *
 * nextRuns("0 9 * * MON-FRI", Date.parse("2026-03-06T00:00:00Z"), 2, "Asia/Bangkok");
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const scheduler = new Scheduler(engine, { audits: new MemoryAuditStore() });
 * console.log(scheduler.tasks().map((task) => task.alias));
 * await engine.close();
 * ```
 *
 * @module
 */

export {
  DECISION_EVENT,
  formatDecision,
  onDecision,
  onScheduledRelease,
  RELEASE_EVENT,
  type ScheduledRelease,
  type ScheduledTask,
  Scheduler,
  SchedulerEvent,
  type SchedulerOptions,
  type SchedulerStartOptions,
  type SchedulerSummary,
  type TickDecision,
  type TickDecisionKind,
} from "./src/scheduler/scheduler.ts";
export {
  poke,
  type PokeOptions,
  release,
  type ReleaseOptions,
  type ReleaseReport,
  type ReleaseScope,
  type ReleaseStatus,
} from "./src/scheduler/release.ts";
export type { ReleaseExecuteOptions, SchedulerEngine } from "./src/scheduler/engine_port.ts";
export {
  Cron,
  cronSchedule,
  describeTime,
  nextRun,
  nextRuns,
  previousRun,
  runsBetween,
  type TimeDescription,
  validateCron,
  type ValidateCronOptions,
  validateTimezone,
} from "./src/scheduler/cron.ts";
