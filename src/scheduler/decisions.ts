/**
 * What the scheduler decided and released, as plain records: the {@linkcode TickDecision} and
 * {@linkcode ScheduledRelease} shapes, the events that carry them, a bounded ledger that keeps
 * the recent ones, and the one-line format the CLI prints.
 *
 * @module
 */

import type { ReleaseStatus } from "./release.ts";

/** What the scheduler decided for one (alias, logical time). */
export type TickDecisionKind =
  | "fired"
  | "caught-up"
  | "queued"
  | "skipped-overlap"
  | "deduplicated"
  | "skipped-claimed"
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

/** Event type of a {@linkcode SchedulerEvent} carrying a {@linkcode TickDecision}. */
export const DECISION_EVENT = "scheduler-decision";
/** Event type of a {@linkcode SchedulerEvent} carrying a {@linkcode ScheduledRelease}. */
export const RELEASE_EVENT = "scheduler-release";

/** A scheduler event; `detail` is a decision or an ended release. */
export class SchedulerEvent<T extends TickDecision | ScheduledRelease> extends Event {
  /** The decision or release. */
  readonly detail: T;
  /**
   * Creates an event of `type` with `detail`.
   *
   * @param type The event type.
   * @param detail The event's data.
   */
  constructor(type: typeof DECISION_EVENT | typeof RELEASE_EVENT, detail: T) {
    super(type);
    this.detail = detail;
  }
}

const DECISION_KINDS: readonly TickDecisionKind[] = [
  "fired",
  "caught-up",
  "queued",
  "skipped-overlap",
  "deduplicated",
  "skipped-claimed",
  "missed",
];

/** A count of 0 for every {@linkcode TickDecisionKind}. */
export function zeroDecisionCounts(): Record<TickDecisionKind, number> {
  return Object.fromEntries(DECISION_KINDS.map((k) => [k, 0])) as Record<TickDecisionKind, number>;
}

/**
 * The most recent entries, oldest first. It holds at most `size` entries when read; it lets up
 * to a quarter more pile up before trimming, so adding stays cheap.
 */
export class BoundedLedger<T> {
  readonly #size: number;
  #entries: T[] = [];

  /** Keeps the newest `size` entries. */
  constructor(size: number) {
    this.#size = size;
  }

  /** Appends `entry`, dropping the oldest ones when over the bound. */
  add(entry: T): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#size * 1.25) {
      this.#entries = this.#entries.slice(-this.#size);
    }
  }

  /** A copy of the entries, oldest first. */
  list(): T[] {
    return [...this.#entries];
  }
}

/**
 * Listens to scheduler decisions on `target`; returns a function that stops listening.
 *
 * @param target The scheduler's event target.
 * @param listener Called with each decision.
 */
export function onDecision(
  target: EventTarget,
  listener: (decision: TickDecision) => void,
): () => void {
  const handler = (event: Event) => listener((event as SchedulerEvent<TickDecision>).detail);
  target.addEventListener(DECISION_EVENT, handler);
  return () => target.removeEventListener(DECISION_EVENT, handler);
}

/**
 * Listens to ended scheduler releases on `target`; returns a function that stops listening.
 *
 * @param target The scheduler's event target.
 * @param listener Called with each release's report.
 */
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
  return `${formatInstant(decision.time)} ${decision.decision.padEnd(15)} ${decision.alias} @ ${
    formatInstant(decision.logicalTime)
  }: ${decision.reason}`;
}

/** An instant as UTC ISO 8601 without zero milliseconds (`2026-01-01T00:05:00Z`), `?` if absent. */
export function formatInstant(epochMs: number | undefined): string {
  return epochMs === undefined ? "?" : new Date(epochMs).toISOString().replace(".000Z", "Z");
}
