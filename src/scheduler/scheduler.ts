/**
 * The scheduler loop: releases the workflows of `type: Schedule` templates (and optionally the
 * workflows' own `on:`) at their cron fire times, with time from the engine's injected clock.
 *
 * Rules:
 * - One release per (alias, logical time), ever: within a process a per-alias cursor moves
 *   forward only, and across restarts the audit store is the truth (an audited time is
 *   `deduplicated`, and the cursor restarts after the newest audited release).
 * - A fire time is on time when the tick that sees it is less than `graceMs` late; older ones
 *   (downtime, a suspended host) follow the catch-up policy: `none` records them `missed`,
 *   `latest` runs only the newest one (when nothing is on time), `all` runs those inside
 *   `catchUpWindowMs`, newest `maxCatchUp` at most, one after another.
 * - When an earlier release of the alias is still running: `skip` records `skipped-overlap`,
 *   `allow` runs both, `queue` runs it when the earlier one ends.
 * - Every decision is a {@linkcode TickDecision} in a bounded ledger and a
 *   `scheduler-decision` event; every finished release is a `scheduler-release` event.
 *
 * @module
 */

import type { Engine } from "../engine.ts";
import { ConfigError } from "../errors.ts";
import { newRunId } from "../executor/ids.ts";
import type { CatchUpPolicy, CronSchedule as CronSpec, OverlapPolicy } from "../models/types.ts";
import type { AuditStore } from "../results/audit_store.ts";
import { type CronSchedule, cronSchedule } from "./cron.ts";
import { release, type ReleaseStatus } from "./release.ts";

/** What the scheduler decided for one (alias, logical time). */
export type TickDecisionKind =
  | "fired"
  | "caught-up"
  | "queued"
  | "skipped-overlap"
  | "deduplicated"
  | "missed";

/** One scheduler decision, with its reason. */
export interface TickDecision {
  /** Clock time of the decision, epoch ms. */
  readonly time: number;
  /** Release name (schedule entry alias, or the workflow name). */
  readonly alias: string;
  /** Workflow name. */
  readonly workflow: string;
  /** Schedule template the entry comes from; absent for a workflow's own `on:`. */
  readonly schedule?: string;
  /** Logical (fire) time, epoch ms. */
  readonly logicalTime: number;
  /** The decision. */
  readonly decision: TickDecisionKind;
  /** Why, for people. */
  readonly reason: string;
}

/** A release the scheduler started, once it has ended. */
export interface ScheduledRelease {
  /** Release name. */
  readonly alias: string;
  /** Workflow name. */
  readonly workflow: string;
  /** Logical time, epoch ms. */
  readonly logicalTime: number;
  /** Run status, `SKIPPED_DUPLICATE`, or `FAILED` when the release could not start. */
  readonly status: ReleaseStatus;
  /** Run id, when it ran. */
  readonly runId?: string;
  /** Error message when the release could not start (bad params, bad template). */
  readonly error?: string;
  /** Clock time the release started, epoch ms. */
  readonly startedAt: number;
  /** Clock time it ended, epoch ms. */
  readonly endedAt: number;
}

/** One scheduled alias, as {@linkcode Scheduler.tasks} lists it. */
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

/** Event type of a {@linkcode SchedulerEvent} carrying a {@linkcode TickDecision}. */
export const DECISION_EVENT = "scheduler-decision";
/** Event type of a {@linkcode SchedulerEvent} carrying a {@linkcode ScheduledRelease}. */
export const RELEASE_EVENT = "scheduler-release";

/** A scheduler event; `detail` is a decision or an ended release. */
export class SchedulerEvent<T extends TickDecision | ScheduledRelease> extends Event {
  /** The decision or release. */
  readonly detail: T;
  /** Creates an event of `type` with `detail`. */
  constructor(type: typeof DECISION_EVENT | typeof RELEASE_EVENT, detail: T) {
    super(type);
    this.detail = detail;
  }
}

/** Options of {@linkcode Scheduler}. */
export interface SchedulerOptions {
  /** Where releases are checked and recorded; the truth across restarts. */
  readonly audits: AuditStore;
  /** `type: Schedule` templates to run. @default every schedule of the config */
  readonly schedules?: readonly string[];
  /**
   * Also release workflows on their own `on:` (alias = workflow name): `true` for every
   * workflow with an `on:`, or a list of names. @default false
   */
  readonly workflows?: boolean | readonly string[];
  /** Catch-up policy of workflows released on their own `on:`. @default "none" */
  readonly catchUp?: CatchUpPolicy;
  /** Catch-up window of workflows released on their own `on:`, ms. @default unlimited */
  readonly catchUpWindowMs?: number;
  /** Overlap policy of workflows released on their own `on:`. @default "skip" */
  readonly overlap?: OverlapPolicy;
  /** Most releases one alias catches up after downtime. @default 100 */
  readonly maxCatchUp?: number;
  /** Most releases queued behind a running one per alias. @default 100 */
  readonly maxQueue?: number;
  /** A fire time seen less than this late is on time. @default 60000 */
  readonly graceMs?: number;
  /** Longest single sleep, so a wall-clock jump is noticed. @default 60000 */
  readonly maxSleepMs?: number;
  /** Decisions and releases kept in memory. @default 1000 */
  readonly ledgerSize?: number;
  /** Where scheduler events go. @default the engine's event target */
  readonly events?: EventTarget;
}

/** Options of {@linkcode Scheduler.start}. */
export interface SchedulerStartOptions {
  /** Aborting stops the loop, cancels running releases and drops queued ones. */
  readonly signal?: AbortSignal;
  /** Stop after the fire times at or before this instant (epoch ms). @default never */
  readonly stop?: number;
  /**
   * Run one tick (what is due now, within `graceMs`, plus catch-up) and return once its
   * releases end; for an external cron calling `workflow schedule --once`. @default false
   */
  readonly once?: boolean;
}

/** What {@linkcode Scheduler.start} returns. */
export interface SchedulerSummary {
  /** Ticks run. */
  readonly ticks: number;
  /** Releases started (ended by now). */
  readonly released: number;
  /** Decisions of this start, by kind. */
  readonly decisions: Readonly<Record<TickDecisionKind, number>>;
}

interface Pending {
  readonly time: number;
  readonly kind: "fired" | "caught-up";
  readonly reason: string;
}

interface Task extends ScheduledTask {
  readonly crons: readonly CronSchedule[];
  /** Fire times at or before this were handled. */
  cursor: number;
  /** Cached first fire time after `cursor`. */
  nextDue: number | undefined;
  readonly running: Set<number>;
  readonly pending: Pending[];
}

const LATE_LIMIT = 10_000;
const MISSED_DETAIL = 20;

const DECISION_KINDS: readonly TickDecisionKind[] = [
  "fired",
  "caught-up",
  "queued",
  "skipped-overlap",
  "deduplicated",
  "missed",
];

/**
 * Releases scheduled workflows on time, once each.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler(engine, { audits: new MemoryAuditStore() });
 * const controller = new AbortController();
 * await scheduler.start({ signal: controller.signal, stop: Date.parse("2026-01-02T00:00:00Z") });
 * scheduler.decisions().filter((d) => d.decision === "fired").length;
 * ```
 */
export class Scheduler {
  readonly #engine: Engine;
  readonly #audits: AuditStore;
  readonly #tasks: Task[];
  readonly #events: EventTarget;
  readonly #grace: number;
  readonly #maxSleep: number;
  readonly #maxCatchUp: number;
  readonly #maxQueue: number;
  readonly #ledgerSize: number;
  #decisions: TickDecision[] = [];
  #releases: ScheduledRelease[] = [];
  readonly #inflight = new Set<Promise<void>>();
  #counts: Record<TickDecisionKind, number> = zeroCounts();
  #released = 0;
  #active = false;
  #signal: AbortSignal | undefined;
  #runId = "";

  /**
   * Collects the scheduled aliases.
   *
   * @throws {ConfigError} for an unknown or invalid schedule, or an alias used twice.
   */
  constructor(engine: Engine, options: SchedulerOptions) {
    this.#engine = engine;
    this.#audits = options.audits;
    this.#events = options.events ?? engine.events;
    this.#grace = Math.max(1, options.graceMs ?? 60_000);
    this.#maxSleep = Math.max(1, options.maxSleepMs ?? 60_000);
    this.#maxCatchUp = Math.max(1, options.maxCatchUp ?? 100);
    this.#maxQueue = Math.max(0, options.maxQueue ?? 100);
    this.#ledgerSize = Math.max(1, options.ledgerSize ?? 1000);
    this.#tasks = buildTasks(engine, options);
  }

  /** The scheduled aliases. */
  tasks(): ScheduledTask[] {
    return this.#tasks.map((t) => ({
      alias: t.alias,
      workflow: t.workflow,
      ...(t.schedule === undefined ? {} : { schedule: t.schedule }),
      params: t.params,
      on: t.on,
      catchUp: t.catchUp,
      ...(t.catchUpWindowMs === undefined ? {} : { catchUpWindowMs: t.catchUpWindowMs }),
      overlap: t.overlap,
    }));
  }

  /** Recent decisions, oldest first (at most `ledgerSize`). */
  decisions(): TickDecision[] {
    return [...this.#decisions];
  }

  /** Recently ended releases, in the order they ended (at most `ledgerSize`). */
  releases(): ScheduledRelease[] {
    return [...this.#releases];
  }

  /** Releases running now. */
  get running(): number {
    return this.#tasks.reduce((sum, t) => sum + t.running.size, 0);
  }

  /** The next fire time of any alias after what was handled, or undefined. */
  nextFireTime(): number | undefined {
    let best: number | undefined;
    for (const task of this.#tasks) {
      const due = this.#due(task);
      if (due !== undefined && (best === undefined || due < best)) best = due;
    }
    return best;
  }

  /**
   * Runs the loop until `stop`, the signal, or (with `once`) one tick; resolves when the
   * releases it started have ended.
   *
   * @throws {Error} when this scheduler is already running.
   */
  async start(options: SchedulerStartOptions = {}): Promise<SchedulerSummary> {
    if (this.#active) throw new Error("this scheduler is already running");
    this.#active = true;
    const { signal, stop, once = false } = options;
    const clock = this.#engine.runtime.clock;
    this.#signal = signal;
    this.#counts = zeroCounts();
    this.#released = 0;
    this.#runId = newRunId(clock.now(), "scheduler");
    let ticks = 0;
    try {
      await this.#initCursors(clock.now(), once);
      while (!signal?.aborted) {
        const now = clock.now();
        await this.#tick(stop === undefined ? now : Math.min(now, stop));
        ticks++;
        if (once || (stop !== undefined && now >= stop)) break;
        let wake = this.nextFireTime() ?? Infinity;
        if (stop !== undefined) wake = Math.min(wake, stop);
        const wait = Math.min(Math.max(0, wake - clock.now()), this.#maxSleep);
        try {
          await clock.sleep(wait, { signal });
        } catch {
          break; // aborted
        }
      }
      while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
    } finally {
      this.#active = false;
    }
    return { ticks, released: this.#released, decisions: { ...this.#counts } };
  }

  async #initCursors(now: number, once: boolean): Promise<void> {
    const fresh = once ? now - this.#grace : now - 1;
    await Promise.all(this.#tasks.map(async (task) => {
      const last = await this.#lastRelease(task.alias, now);
      task.cursor = last ?? fresh;
      task.nextDue = undefined;
    }));
  }

  async #lastRelease(alias: string, now: number): Promise<number | undefined> {
    const records = await this.#audits.list(alias, { limit: 50 });
    return records.find((r) => r.release <= now)?.release;
  }

  #due(task: Task): number | undefined {
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

  async #tick(until: number): Promise<void> {
    for (const task of this.#tasks) {
      const due = this.#due(task);
      if (due === undefined || due > until) {
        if (until > task.cursor) task.cursor = until;
        continue;
      }
      const from = task.cursor;
      task.cursor = until;
      const onTimeFrom = Math.max(from, until - this.#grace);
      const onTime = fireTimes(task, onTimeFrom, until, LATE_LIMIT);
      const late = from < onTimeFrom
        ? lateTimes(task, from, onTimeFrom, this.#maxCatchUp + MISSED_DETAIL + 1)
        : [];
      const busy = task.running.size > 0 || task.pending.length > 0;
      for (const item of this.#catchUp(task, late, onTime.length > 0, until)) {
        await this.#consider(task, item, busy);
      }
      for (const time of onTime) {
        await this.#consider(task, { time, kind: "fired", reason: "due" }, busy);
      }
    }
  }

  /** Splits late fire times into catch-up candidates and recorded misses. */
  #catchUp(task: Task, late: readonly number[], anyOnTime: boolean, now: number): Pending[] {
    if (late.length === 0) return [];
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
      run = late.filter(inside).slice(-this.#maxCatchUp);
      why = (t) =>
        inside(t)
          ? `over the catch-up cap of ${this.#maxCatchUp} releases (catch-up: all)`
          : `outside the catch-up window of ${window} ms (catch-up: all)`;
    }
    const runSet = new Set(run);
    const missed = late.filter((t) => !runSet.has(t));
    const detailed = missed.slice(-MISSED_DETAIL);
    const older = missed.length - detailed.length;
    if (older > 0) {
      const more = late.length >= LATE_LIMIT ? "at least " : "";
      this.#decide(task, missed[0], "missed", `${more}${older} earlier releases ${why(missed[0])}`);
    }
    for (const time of detailed) this.#decide(task, time, "missed", why(time));
    return run.map((time) => ({
      time,
      kind: "caught-up" as const,
      reason: `missed at ${iso(time)}, caught up (catch-up: ${task.catchUp})`,
    }));
  }

  async #consider(task: Task, item: Pending, busy: boolean): Promise<void> {
    const previous = await this.#audits.find(task.alias, item.time);
    if (previous !== null) {
      this.#decide(
        task,
        item.time,
        "deduplicated",
        `already released (run ${previous.runId}, ${previous.status})`,
      );
      return;
    }
    const running = [...task.running];
    if (busy && task.overlap === "skip") {
      this.#decide(
        task,
        item.time,
        "skipped-overlap",
        `release @ ${iso(running[0] ?? task.pending[0]?.time)} is still running (overlap: skip)`,
      );
    } else if (task.overlap === "allow" || (running.length === 0 && task.pending.length === 0)) {
      this.#launch(task, item);
    } else if (task.pending.length >= this.#maxQueue) {
      this.#decide(
        task,
        item.time,
        "skipped-overlap",
        `queue of ${this.#maxQueue} releases is full (overlap: ${task.overlap})`,
      );
    } else {
      task.pending.push(item);
      const ahead = running.length > 0 ? `release @ ${iso(running[0])}` : "earlier releases";
      this.#decide(task, item.time, "queued", `waiting for ${ahead} to finish`);
    }
  }

  #launch(task: Task, item: Pending): void {
    const clock = this.#engine.runtime.clock;
    this.#decide(task, item.time, item.kind, item.reason);
    task.running.add(item.time);
    this.#released++;
    const startedAt = clock.now();
    const promise = release(this.#engine, task.workflow, item.time, {
      audits: this.#audits,
      alias: task.alias,
      params: task.params,
      timezone: task.crons.find((c) => c.matches(item.time))?.timezone ?? task.crons[0]?.timezone,
      signal: this.#signal,
      parentRunId: this.#runId,
    }).then(
      (report) => {
        if (report.status === "SKIPPED_DUPLICATE") {
          this.#decide(task, item.time, "deduplicated", report.skippedReason ?? "already released");
        }
        return {
          status: report.status,
          ...(report.result ? { runId: report.result.runId } : {}),
        };
      },
      (error: unknown) => ({
        status: "FAILED" as const,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
    ).then((outcome) => {
      task.running.delete(item.time);
      this.#record({
        alias: task.alias,
        workflow: task.workflow,
        logicalTime: item.time,
        ...outcome,
        startedAt,
        endedAt: clock.now(),
      });
      this.#dequeue(task);
    });
    const tracked = promise.finally(() => this.#inflight.delete(tracked));
    this.#inflight.add(tracked);
  }

  #dequeue(task: Task): void {
    if (task.running.size > 0 || task.pending.length === 0) return;
    if (this.#signal?.aborted) {
      for (const item of task.pending.splice(0)) {
        this.#decide(task, item.time, "missed", "the scheduler stopped before it could start");
      }
      return;
    }
    this.#launch(task, task.pending.shift()!);
  }

  #decide(task: Task, logicalTime: number, decision: TickDecisionKind, reason: string): void {
    const entry: TickDecision = {
      time: this.#engine.runtime.clock.now(),
      alias: task.alias,
      workflow: task.workflow,
      ...(task.schedule === undefined ? {} : { schedule: task.schedule }),
      logicalTime,
      decision,
      reason,
    };
    this.#counts[decision]++;
    this.#decisions.push(entry);
    if (this.#decisions.length > this.#ledgerSize * 1.25) {
      this.#decisions = this.#decisions.slice(-this.#ledgerSize);
    }
    this.#events.dispatchEvent(new SchedulerEvent(DECISION_EVENT, entry));
  }

  #record(entry: ScheduledRelease): void {
    this.#releases.push(entry);
    if (this.#releases.length > this.#ledgerSize * 1.25) {
      this.#releases = this.#releases.slice(-this.#ledgerSize);
    }
    this.#events.dispatchEvent(new SchedulerEvent(RELEASE_EVENT, entry));
  }
}

/** Listens to scheduler decisions on `target`; returns a function that stops listening. */
export function onDecision(
  target: EventTarget,
  listener: (decision: TickDecision) => void,
): () => void {
  const handler = (event: Event) => listener((event as SchedulerEvent<TickDecision>).detail);
  target.addEventListener(DECISION_EVENT, handler);
  return () => target.removeEventListener(DECISION_EVENT, handler);
}

/** Listens to ended scheduler releases on `target`; returns a function that stops listening. */
export function onScheduledRelease(
  target: EventTarget,
  listener: (release: ScheduledRelease) => void,
): () => void {
  const handler = (event: Event) => listener((event as SchedulerEvent<ScheduledRelease>).detail);
  target.addEventListener(RELEASE_EVENT, handler);
  return () => target.removeEventListener(RELEASE_EVENT, handler);
}

/** One line per decision for the CLI: `2026-01-01T00:05:00Z fired wf-a @ 2026-01-01T00:05:00Z: due`. */
export function formatDecision(decision: TickDecision): string {
  return `${iso(decision.time)} ${decision.decision.padEnd(15)} ${decision.alias} @ ${
    iso(decision.logicalTime)
  }: ${decision.reason}`;
}

function buildTasks(engine: Engine, options: SchedulerOptions): Task[] {
  const tasks: Task[] = [];
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
  const names = options.schedules ?? engine.config.names("Schedule");
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
  const own = options.workflows ?? false;
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
        catchUp: options.catchUp ?? "none",
        ...(options.catchUpWindowMs === undefined
          ? {}
          : { catchUpWindowMs: options.catchUpWindowMs }),
        overlap: options.overlap ?? "skip",
      });
    }
  }
  return tasks;
}

/** Fire times of a task in `(from, to]`, merged over its crons, at most `limit` per cron. */
function fireTimes(task: Task, from: number, to: number, limit: number): number[] {
  if (task.crons.length === 1) return task.crons[0].between(from, to, limit);
  const all = new Set<number>();
  for (const cron of task.crons) for (const t of cron.between(from, to, limit)) all.add(t);
  return [...all].sort((a, b) => a - b);
}

/**
 * Late fire times in `(from, to]`. After a downtime longer than `LATE_LIMIT` fire times, the
 * list is the first ones then the newest `newestCount`, so it still ends at the true last one.
 */
function lateTimes(task: Task, from: number, to: number, newestCount: number): number[] {
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

function zeroCounts(): Record<TickDecisionKind, number> {
  return Object.fromEntries(DECISION_KINDS.map((k) => [k, 0])) as Record<TickDecisionKind, number>;
}

function iso(epochMs: number | undefined): string {
  return epochMs === undefined ? "?" : new Date(epochMs).toISOString().replace(".000Z", "Z");
}
