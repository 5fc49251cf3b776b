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
 * - A release is claimed in the audit store before it runs or queues, so of several schedulers
 *   sharing the store (processes, machines) exactly one runs each (alias, logical time); the
 *   others record `skipped-claimed` naming the winner.
 * - When an earlier release of the alias is still running: `skip` records `skipped-overlap`,
 *   `allow` runs both, `queue` runs it when the earlier one ends.
 * - Every decision is a {@linkcode TickDecision} in a bounded ledger and a
 *   `scheduler-decision` event; every finished release is a `scheduler-release` event.
 *
 * @module
 */

import type { SchedulerEngine } from "./engine_port.ts";
import { newRunId } from "../executor/ids.ts";
import type { CatchUpPolicy, OverlapPolicy } from "../models/types.ts";
import type { AuditStore } from "../results/audit_store.ts";
import {
  BoundedLedger,
  DECISION_EVENT,
  formatInstant as iso,
  RELEASE_EVENT,
  type ScheduledRelease,
  SchedulerEvent,
  type TickDecision,
  type TickDecisionKind,
  zeroDecisionCounts,
} from "./decisions.ts";
import { release } from "./release.ts";
import {
  buildTasks,
  describeTask,
  dueTime,
  fireTimes,
  LATE_LIMIT,
  lateTimes,
  MISSED_DETAIL,
  type PendingRelease as Pending,
  planCatchUp,
  type ScheduledTask,
  type TaskState as Task,
} from "./tasks.ts";

export {
  DECISION_EVENT,
  formatDecision,
  onDecision,
  onScheduledRelease,
  RELEASE_EVENT,
  type ScheduledRelease,
  SchedulerEvent,
  type TickDecision,
  type TickDecisionKind,
} from "./decisions.ts";
export type { ScheduledTask } from "./tasks.ts";

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
  /** Who claims releases, as other schedulers see it. @default the engine's owner id
   * (`host:pid`) */
  readonly owner?: string;
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

/**
 * Releases scheduled workflows on time, once each.
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const scheduler = new Scheduler(engine, { audits: engine.audits! }); // WORKFLOW_LOG_AUDIT_*
 * const controller = new AbortController();
 * await scheduler.start({ signal: controller.signal, stop: Date.parse("2026-01-02T00:00:00Z") });
 * scheduler.decisions().filter((d) => d.decision === "fired").length;
 * ```
 */
export class Scheduler {
  readonly #engine: SchedulerEngine;
  readonly #audits: AuditStore;
  readonly #tasks: Task[];
  readonly #events: EventTarget;
  readonly #owner: string | undefined;
  readonly #grace: number;
  readonly #maxSleep: number;
  readonly #maxCatchUp: number;
  readonly #maxQueue: number;
  readonly #decisions: BoundedLedger<TickDecision>;
  readonly #releases: BoundedLedger<ScheduledRelease>;
  readonly #inflight = new Set<Promise<void>>();
  #counts: Record<TickDecisionKind, number> = zeroDecisionCounts();
  #released = 0;
  #active = false;
  #signal: AbortSignal | undefined;
  #runId = "";

  /**
   * Collects the scheduled aliases.
   *
   * @param engine The engine that runs the releases (an `Engine`, or any {@linkcode SchedulerEngine}).
   * @param options Audits, time zone, catch-up; see {@linkcode SchedulerOptions}.
   *
   * @throws {ConfigError} for an unknown or invalid schedule, or an alias used twice.
   */
  constructor(engine: SchedulerEngine, options: SchedulerOptions) {
    this.#engine = engine;
    this.#audits = options.audits;
    this.#events = options.events ?? engine.events;
    this.#owner = options.owner;
    this.#grace = Math.max(1, options.graceMs ?? 60_000);
    this.#maxSleep = Math.max(1, options.maxSleepMs ?? 60_000);
    this.#maxCatchUp = Math.max(1, options.maxCatchUp ?? 100);
    this.#maxQueue = Math.max(0, options.maxQueue ?? 100);
    const ledgerSize = Math.max(1, options.ledgerSize ?? 1000);
    this.#decisions = new BoundedLedger(ledgerSize);
    this.#releases = new BoundedLedger(ledgerSize);
    this.#tasks = buildTasks(engine, options);
  }

  /** The scheduled aliases. */
  tasks(): ScheduledTask[] {
    return this.#tasks.map(describeTask);
  }

  /** Recent decisions, oldest first (at most `ledgerSize`). */
  decisions(): TickDecision[] {
    return this.#decisions.list();
  }

  /** Recently ended releases, in the order they ended (at most `ledgerSize`). */
  releases(): ScheduledRelease[] {
    return this.#releases.list();
  }

  /** Releases running now. */
  get running(): number {
    return this.#tasks.reduce((sum, t) => sum + t.running.size, 0);
  }

  /** The next fire time of any alias after what was handled, or undefined. */
  nextFireTime(): number | undefined {
    let best: number | undefined;
    for (const task of this.#tasks) {
      const due = dueTime(task);
      if (due !== undefined && (best === undefined || due < best)) best = due;
    }
    return best;
  }

  /**
   * Counts a release that runs elsewhere in this process (a run recovery resumed) as running
   * for its alias until `done` settles, so the overlap policy sees it and `start()` waits for
   * it. A release of an alias this scheduler does not have is ignored.
   *
   * @param release The release's alias (`name`) and logical time.
   * @param done Settles when the run ends.
   */
  adopt(
    release: { readonly name: string; readonly logicalDate: number },
    done: Promise<unknown>,
  ): void {
    const task = this.#tasks.find((t) => t.alias === release.name);
    if (!task) return;
    task.running.add(release.logicalDate);
    const tracked: Promise<void> = done.then(() => {}, () => {}).finally(() => {
      this.#inflight.delete(tracked);
      task.running.delete(release.logicalDate);
      this.#dequeue(task);
    });
    this.#inflight.add(tracked);
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
    this.#counts = zeroDecisionCounts();
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

  async #tick(until: number): Promise<void> {
    for (const task of this.#tasks) {
      const due = dueTime(task);
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

  /** Records the late fire times the catch-up policy skips; returns the ones to run. */
  #catchUp(task: Task, late: readonly number[], anyOnTime: boolean, now: number): Pending[] {
    const plan = planCatchUp(task, late, { anyOnTime, now, maxCatchUp: this.#maxCatchUp });
    for (const miss of plan.missed) this.#decide(task, miss.time, "missed", miss.reason);
    return plan.run;
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
    const skip = busy && task.overlap === "skip";
    const full = !skip && task.overlap !== "allow" &&
      (running.length > 0 || task.pending.length > 0) &&
      task.pending.length >= this.#maxQueue;
    if (!skip && !full) {
      // Claimed before it runs or queues: of several schedulers on one store, one goes on.
      const claim = await this.#audits.claim(
        task.alias,
        item.time,
        this.#owner ?? this.#engine.owner.id,
      );
      if (!claim.won) {
        this.#decide(task, item.time, "skipped-claimed", `claimed by ${claim.owner}`);
        return;
      }
    }
    if (skip) {
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
      claimed: true,
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
    this.#decisions.add(entry);
    this.#events.dispatchEvent(new SchedulerEvent(DECISION_EVENT, entry));
  }

  #record(entry: ScheduledRelease): void {
    this.#releases.add(entry);
    this.#events.dispatchEvent(new SchedulerEvent(RELEASE_EVENT, entry));
  }
}
