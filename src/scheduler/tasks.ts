/**
 * The scheduler's tasks: one per released alias, built from the entries of `type: Schedule`
 * templates and, when asked, from workflows' own `on:`. A task holds its parsed crons and the
 * loop's state for it (cursor, running and queued releases), and knows its fire times.
 *
 * @module
 */

import type { SchedulerEngine } from "./engine_port.ts";
import { ConfigError } from "../errors.ts";
import type { CatchUpPolicy, CronSchedule as CronSpec, OverlapPolicy } from "../models/types.ts";
import { type Cron, cronSchedule } from "./cron.ts";
import { formatInstant } from "./decisions.ts";

/** One scheduled alias, as `Scheduler.tasks()` lists it. */
export interface ScheduledTask {
  /** Release name (audit name). */
  readonly alias: string;
  /** Workflow name. */
  readonly workflow: string;
  /** Schedule template, absent for a workflow's own `on:`. */
  readonly schedule?: string;
  /** Params, rendered with `release.*` at each release. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Cron schedules. */
  readonly on: readonly CronSpec[];
  /** Catch-up policy after downtime. */
  readonly catchUp: CatchUpPolicy;
  /** Catch-up window for `all`, ms. */
  readonly catchUpWindowMs?: number;
  /** Overlap policy. */
  readonly overlap: OverlapPolicy;
}

/** Which schedules and workflows to build tasks for (the matching fields of `SchedulerOptions`). */
export interface TaskSelection {
  /** `type: Schedule` templates to run. @default every schedule of the config */
  readonly schedules?: readonly string[];
  /** Also workflows on their own `on:`: `true` for all of them, or a list. @default false */
  readonly workflows?: boolean | readonly string[];
  /** Catch-up policy of workflows released on their own `on:`. @default "none" */
  readonly catchUp?: CatchUpPolicy;
  /** Catch-up window of workflows released on their own `on:`, ms. @default unlimited */
  readonly catchUpWindowMs?: number;
  /** Overlap policy of workflows released on their own `on:`. @default "skip" */
  readonly overlap?: OverlapPolicy;
}

/** A fire time waiting to be released: on time, or caught up after downtime. */
export interface PendingRelease {
  /** Logical (fire) time, epoch ms. */
  readonly time: number;
  /** Decision recorded when it starts. */
  readonly kind: "fired" | "caught-up";
  /** Reason recorded when it starts. */
  readonly reason: string;
}

/** A scheduled alias with its parsed crons and the loop's state for it. */
export interface TaskState extends ScheduledTask {
  /** The parsed `on` schedules. */
  readonly crons: readonly Cron[];
  /** Fire times at or before this were handled. */
  cursor: number;
  /** Cached first fire time after `cursor`. */
  nextDue: number | undefined;
  /** Logical times of the releases running now. */
  readonly running: Set<number>;
  /** Releases queued behind the running ones, oldest first. */
  readonly pending: PendingRelease[];
}

/** Most fire times listed at once for one window of one task. */
export const LATE_LIMIT = 10_000;

/** Most missed fire times recorded one by one; older ones are summed up in one decision. */
export const MISSED_DETAIL = 20;

/**
 * Builds a task per alias of the selected schedules and workflows (those with no `on` are left
 * out); with `workflows: true`, a workflow already scheduled under its own name is skipped.
 *
 * @throws {ConfigError} for an unknown or invalid schedule, or an alias used twice.
 */
export function buildTasks(engine: SchedulerEngine, selection: TaskSelection): TaskState[] {
  const tasks: TaskState[] = [];
  const seen = new Map<string, string>();
  const add = (spec: ScheduledTask) => {
    if (spec.on.length === 0) return;
    const where = spec.schedule === undefined
      ? `workflow ${spec.workflow}`
      : `schedule ${spec.schedule}`;
    const first = seen.get(spec.alias);
    if (first !== undefined) {
      throw new ConfigError(
        `alias '${spec.alias}' is scheduled twice (${first} and ${where}); give each entry its own alias`,
      );
    }
    seen.set(spec.alias, where);
    tasks.push({
      ...spec,
      crons: spec.on.map((on) => cronSchedule(on.cronjob, on.timezone)),
      cursor: 0,
      nextDue: undefined,
      running: new Set(),
      pending: [],
    });
  };
  const names = selection.schedules ?? engine.config.names("Schedule");
  for (const name of names) {
    const schedule = engine.config.schedule(name);
    for (const entry of schedule.workflows) {
      const on = entry.on.length > 0 ? entry.on : engine.workflow(entry.name).on;
      add({
        alias: entry.alias,
        workflow: entry.name,
        schedule: schedule.name,
        params: entry.params,
        on,
        catchUp: schedule.catchUp,
        ...(schedule.catchUpWindowMs === undefined
          ? {}
          : { catchUpWindowMs: schedule.catchUpWindowMs }),
        overlap: schedule.overlap,
      });
    }
  }
  const own = selection.workflows ?? false;
  if (own !== false) {
    const list = own === true ? engine.config.names("Workflow") : own;
    for (const name of list) {
      if (own === true && seen.has(name)) continue;
      const workflow = engine.workflow(name);
      add({
        alias: workflow.name,
        workflow: workflow.name,
        params: {},
        on: workflow.on,
        catchUp: selection.catchUp ?? "none",
        ...(selection.catchUpWindowMs === undefined
          ? {}
          : { catchUpWindowMs: selection.catchUpWindowMs }),
        overlap: selection.overlap ?? "skip",
      });
    }
  }
  return tasks;
}

/** The public description of a task, without the loop's state. */
export function describeTask(task: TaskState): ScheduledTask {
  return {
    alias: task.alias,
    workflow: task.workflow,
    ...(task.schedule === undefined ? {} : { schedule: task.schedule }),
    params: task.params,
    on: task.on,
    catchUp: task.catchUp,
    ...(task.catchUpWindowMs === undefined ? {} : { catchUpWindowMs: task.catchUpWindowMs }),
    overlap: task.overlap,
  };
}

/** The first fire time of the task after its cursor, or undefined; cached in `nextDue`. */
export function dueTime(task: TaskState): number | undefined {
  if (task.nextDue === undefined || task.nextDue <= task.cursor) {
    task.nextDue = undefined;
    for (const cron of task.crons) {
      const next = cron.next(task.cursor);
      if (next !== undefined && (task.nextDue === undefined || next < task.nextDue)) {
        task.nextDue = next;
      }
    }
  }
  return task.nextDue;
}

/** Fire times of a task in `(from, to]`, merged over its crons, at most `limit` per cron. */
export function fireTimes(task: TaskState, from: number, to: number, limit: number): number[] {
  if (task.crons.length === 1) return task.crons[0].between(from, to, limit);
  const all = new Set<number>();
  for (const cron of task.crons) for (const t of cron.between(from, to, limit)) all.add(t);
  return [...all].sort((a, b) => a - b);
}

/**
 * Late fire times in `(from, to]`. After a downtime longer than `LATE_LIMIT` fire times, the
 * list is the first ones then the newest `newestCount`, so it still ends at the true last one.
 */
export function lateTimes(
  task: TaskState,
  from: number,
  to: number,
  newestCount: number,
): number[] {
  const times = fireTimes(task, from, to, LATE_LIMIT);
  if (times.length < LATE_LIMIT) return times;
  // Too many to list: take the newest ones, walking back from the end of the window.
  const newest = new Set<number>();
  for (const cron of task.crons) {
    let cursor = to + 1;
    for (let i = 0; i < newestCount; i++) {
      const previous = cron.previous(cursor);
      if (previous === undefined || previous <= from) break;
      newest.add(previous);
      cursor = previous;
    }
  }
  const tail = [...newest].sort((a, b) => a - b);
  const head = times.filter((t) => t < (tail[0] ?? Infinity));
  return [...head.slice(0, LATE_LIMIT - tail.length), ...tail];
}

/** Options of {@linkcode planCatchUp}. */
export interface CatchUpOptions {
  /** Whether some fire time of this tick is on time (`latest` then runs no late one). */
  readonly anyOnTime: boolean;
  /** Clock time of the tick, epoch ms; the catch-up window ends here. */
  readonly now: number;
  /** Most late releases `all` runs. */
  readonly maxCatchUp: number;
}

/** What the catch-up policy does with a task's late fire times. */
export interface CatchUpPlan {
  /** Late fire times to release, oldest first. */
  readonly run: PendingRelease[];
  /** Late fire times to record as `missed`, with why (the oldest may stand for many). */
  readonly missed: { readonly time: number; readonly reason: string }[];
}

/**
 * Splits late fire times (oldest first) into catch-up releases and misses, following the
 * task's catch-up policy: `none` runs none, `latest` the newest unless something is on time,
 * `all` those inside the window, newest `maxCatchUp` at most.
 */
export function planCatchUp(
  task: TaskState,
  late: readonly number[],
  options: CatchUpOptions,
): CatchUpPlan {
  if (late.length === 0) return { run: [], missed: [] };
  const { anyOnTime, now, maxCatchUp } = options;
  let run: number[] = [];
  let why = (_time: number) => "missed while the scheduler was not running (catch-up: none)";
  if (task.catchUp === "latest") {
    if (anyOnTime) why = () => "superseded by an on-time release (catch-up: latest)";
    else {
      run = late.slice(-1);
      why = () => "older than the latest missed release (catch-up: latest)";
    }
  } else if (task.catchUp === "all") {
    const window = task.catchUpWindowMs;
    const inside = (t: number) => window === undefined || now - t <= window;
    run = late.filter(inside).slice(-maxCatchUp);
    why = (t) =>
      inside(t)
        ? `over the catch-up cap of ${maxCatchUp} releases (catch-up: all)`
        : `outside the catch-up window of ${window} ms (catch-up: all)`;
  }
  const runSet = new Set(run);
  const skipped = late.filter((t) => !runSet.has(t));
  const detailed = skipped.slice(-MISSED_DETAIL);
  const older = skipped.length - detailed.length;
  const missed: { time: number; reason: string }[] = [];
  if (older > 0) {
    const more = late.length >= LATE_LIMIT ? "at least " : "";
    const first = skipped[0];
    missed.push({ time: first, reason: `${more}${older} earlier releases ${why(first)}` });
  }
  for (const time of detailed) missed.push({ time, reason: why(time) });
  return {
    run: run.map((time) => ({
      time,
      kind: "caught-up" as const,
      reason: `missed at ${formatInstant(time)}, caught up (catch-up: ${task.catchUp})`,
    })),
    missed,
  };
}
