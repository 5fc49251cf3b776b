/**
 * Run records: what a run is, who runs it, and what its finished jobs produced, kept durably so
 * that a run outlives the process that started it. The `RunStore` interface and helpers its
 * implementations share.
 *
 * A record goes `queued` → `running` (an owner, a lease, an attempt number) → `ended` (a
 * status). Each claim raises the attempt number; every write after a claim carries it as a
 * fencing token, and a store refuses (with a `StaleAttemptError`, writing nothing) a write whose
 * attempt is no longer the record's, so an owner that was taken over cannot overwrite its
 * successor.
 *
 * @module
 */

import { RunIdError, StaleAttemptError } from "../errors.ts";
import type { Status } from "../models/types.ts";
import type { ProcessIdentity } from "../runtime/types.ts";
import type { ReleaseType } from "./audit_store.ts";

/** Where a run record is in its life. */
export type RunRecordState = "queued" | "running" | "ended";

/** Who runs a run: an engine process (or, later, a worker). */
export interface RunOwner {
  /** Stable id of the owner, shown to people (`host:pid`). */
  readonly id: string;
  /** The owner's process, for the liveness check of owners on this host. */
  readonly process?: ProcessIdentity;
}

/** The release a run is, when a scheduler or `workflow release` started it. */
export interface RunRelease {
  /** Audit name (schedule alias, else the workflow name). */
  readonly name: string;
  /** Logical time, epoch ms. */
  readonly logicalDate: number;
  /** Release type. */
  readonly type: ReleaseType;
  /** IANA zone of `release.timezone`. */
  readonly timezone: string;
  /** When the release first started, epoch ms (`release.execute_date`). */
  readonly executeDate: number;
}

/** What {@linkcode RunStore.enqueue} stores. */
export interface NewRun {
  /** Run id (unique in the store). */
  readonly runId: string;
  /** Workflow name. */
  readonly workflow: string;
  /** Param values the run was given (before coercion), plain JSON data. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Worker labels the run needs (its jobs' `runs-on` labels); `[]` for any. */
  readonly labels: readonly string[];
  /** Id of the run that started it. */
  readonly parentRunId?: string;
  /** The release it is, if any. */
  readonly release?: RunRelease;
  /** When it was enqueued, epoch ms. */
  readonly queuedAt: number;
}

/** A run record. */
export interface RunRecord extends NewRun {
  /** Where the run is in its life. */
  readonly state: RunRecordState;
  /** 0 while queued; raised by every claim (the fencing token). */
  readonly attempt: number;
  /** The owner of the current attempt (absent while queued). */
  readonly owner?: RunOwner;
  /** The owner's lease ends then, epoch ms (absent while queued). */
  readonly leaseUntil?: number;
  /** When the first attempt started, epoch ms. */
  readonly startedAt?: number;
  /** The end status (only when `ended`). */
  readonly status?: Status;
  /** Why it ended that way, when not from its jobs (e.g. "owner process ended"). */
  readonly reason?: string;
  /** When it ended, epoch ms. */
  readonly endedAt?: number;
  /** The checkpoint of each job that ended: its context entry (status, outputs or
   * stages/strategies, errors, info), by job id, plain JSON data. */
  readonly jobs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** When the record last changed, epoch ms. */
  readonly updatedAt: number;
}

/** Options of {@linkcode RunStore.enqueue}. */
export interface EnqueueOptions {
  /** Claim it at once for this owner (attempt 1), so it is never seen queued. */
  readonly owner?: RunOwner;
  /** Lease of that claim, ms. @default 30000 */
  readonly leaseMs?: number;
}

/** Options of {@linkcode RunStore.claim}. */
export interface ClaimOptions {
  /** The time of the claim, epoch ms (from the caller's clock). */
  readonly now: number;
  /** How long the lease lasts, ms. */
  readonly leaseMs: number;
  /**
   * Take over a `running` record: succeeds only when the record's attempt is still this one
   * (the attempt the caller found orphaned), so two processes recovering the same run cannot
   * both win. Absent: claim a `queued` record only.
   */
  readonly takeOver?: number;
}

/** Options of {@linkcode RunStore.claimNext}. */
export interface ClaimNextOptions {
  /** The time of the claim, epoch ms. */
  readonly now: number;
  /** How long the lease lasts, ms. */
  readonly leaseMs: number;
  /** The labels the claimer carries: a run is claimed only when it needs none it lacks.
   * @default [] */
  readonly labels?: readonly string[];
}

/** How a run ends. */
export interface RunEnd {
  /** End status. */
  readonly status: Status;
  /** Why, when not from its jobs. */
  readonly reason?: string;
  /** When it ended, epoch ms. */
  readonly now: number;
}

/** Options of {@linkcode RunStore.list}. */
export interface ListRunRecordsOptions {
  /** Only records in these states. @default every state */
  readonly states?: readonly RunRecordState[];
  /** Only runs of this workflow. */
  readonly workflow?: string;
  /** At most this many, oldest `queuedAt` first. @default all */
  readonly limit?: number;
}

/**
 * Where run records live. Implementations: `MemoryRunStore`, `FileRunStore`, `SqliteRunStore`;
 * all pass one contract suite (`tests/results/run_contract.ts`).
 *
 * Every method that writes after a claim takes the attempt number and rejects with a
 * `StaleAttemptError`, writing nothing, when the record is at another attempt or has ended.
 */
export interface RunStore {
  /**
   * Stores a new record, `queued` (or, with `options.owner`, `running` at attempt 1).
   *
   * @throws {RunIdError} `reason: "taken"` when a record with that run id exists.
   */
  enqueue(run: NewRun, options?: EnqueueOptions & { readonly now?: number }): Promise<RunRecord>;
  /**
   * Claims the run for `owner`: a `queued` record, or with `options.takeOver` a `running` one
   * still at that attempt. Exactly one of several racing claimers wins. Returns the claimed
   * record (attempt raised by one), or `null` when the run is missing, ended, or claimed by
   * someone else first.
   */
  claim(runId: string, owner: RunOwner, options: ClaimOptions): Promise<RunRecord | null>;
  /** Claims the oldest queued run whose labels the claimer carries; `null` when none. */
  claimNext(owner: RunOwner, options: ClaimNextOptions): Promise<RunRecord | null>;
  /** Extends the lease of `attempt` to `leaseUntil`. @throws {StaleAttemptError} */
  renew(runId: string, attempt: number, leaseUntil: number): Promise<void>;
  /**
   * Records that `job` ended, with its context `entry` (plain JSON data), replacing an earlier
   * checkpoint of that job. @throws {StaleAttemptError}
   */
  checkpoint(
    runId: string,
    attempt: number,
    job: string,
    entry: Readonly<Record<string, unknown>>,
    now: number,
  ): Promise<void>;
  /** Ends the run. @throws {StaleAttemptError} */
  finish(runId: string, attempt: number, end: RunEnd): Promise<void>;
  /** The record, or `null`. */
  get(runId: string): Promise<RunRecord | null>;
  /** Records, oldest `queuedAt` first (then run id). */
  list(options?: ListRunRecordsOptions): Promise<RunRecord[]>;
  /** Removes ended records that ended before `olderThan`; returns how many. */
  cleanup(options: { readonly olderThan: number }): Promise<number>;
  /** Releases resources; the store must not be used afterwards. */
  close(): Promise<void>;
}

/** The lease of a claim when the caller gives none, ms. */
export const DEFAULT_LEASE_MS = 30_000;

/** A deep copy of a record (plain JSON data). */
export function copyRunRecord(record: RunRecord): RunRecord {
  return structuredClone(record);
}

/** Oldest `queuedAt` first, then run id. */
export function compareRunRecords(a: RunRecord, b: RunRecord): number {
  return a.queuedAt - b.queuedAt || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);
}

/** Whether a claimer carrying `labels` may run `record`. */
export function labelsMatch(record: Pick<RunRecord, "labels">, labels: readonly string[]): boolean {
  return record.labels.every((label) => labels.includes(label));
}

/**
 * Claims the first of `queued` (oldest first) whose labels the claimer carries, moving on to the
 * next when another claimer wins one: `claimNext` of a store whose claim is one run at a time.
 */
export async function claimFirstQueued(
  store: Pick<RunStore, "claim">,
  queued: Iterable<Pick<RunRecord, "runId" | "labels">>,
  owner: RunOwner,
  options: ClaimNextOptions,
): Promise<RunRecord | null> {
  for (const run of queued) {
    if (!labelsMatch(run, options.labels ?? [])) continue;
    const claimed = await store.claim(run.runId, owner, options);
    if (claimed) return claimed;
  }
  return null;
}

/** Whether `record` passes the filters of `options`. */
export function runRecordMatches(record: RunRecord, options: ListRunRecordsOptions): boolean {
  return (options.states === undefined || options.states.includes(record.state)) &&
    (options.workflow === undefined || record.workflow === options.workflow);
}

/** The record `enqueue` stores. */
export function newRunRecord(
  run: NewRun,
  options: EnqueueOptions & { readonly now?: number } = {},
): RunRecord {
  const now = options.now ?? run.queuedAt;
  const base: RunRecord = {
    runId: run.runId,
    workflow: run.workflow,
    params: structuredClone(run.params),
    labels: [...run.labels],
    ...(run.parentRunId === undefined ? {} : { parentRunId: run.parentRunId }),
    ...(run.release === undefined ? {} : { release: { ...run.release } }),
    queuedAt: run.queuedAt,
    state: "queued",
    attempt: 0,
    jobs: {},
    updatedAt: now,
  };
  if (!options.owner) return base;
  return {
    ...base,
    state: "running",
    attempt: 1,
    owner: structuredClone(options.owner),
    leaseUntil: now + (options.leaseMs ?? DEFAULT_LEASE_MS),
    startedAt: now,
  };
}

/**
 * The record after a claim of `record` by `owner`, or `null` when the claim is not allowed
 * (ended; queued vs. running does not match `takeOver`; another attempt).
 */
export function claimedRunRecord(
  record: RunRecord,
  owner: RunOwner,
  options: ClaimOptions,
): RunRecord | null {
  if (record.state === "ended") return null;
  if (
    options.takeOver === undefined ? record.state !== "queued" : record.attempt !== options.takeOver
  ) {
    return null;
  }
  return {
    ...record,
    state: "running",
    attempt: record.attempt + 1,
    owner: structuredClone(owner),
    leaseUntil: options.now + options.leaseMs,
    startedAt: record.startedAt ?? options.now,
    updatedAt: options.now,
  };
}

/** Why a write of `attempt` to `record` is refused, or `null` when it is allowed. */
export function staleReason(record: RunRecord | null, attempt: number): string | null {
  if (record === null) return "no such run";
  if (record.state === "ended") return `the run has ended (${record.status ?? "?"})`;
  if (record.state !== "running") return "the run is not claimed";
  if (record.attempt !== attempt) {
    return `attempt ${record.attempt} (owner ${record.owner?.id ?? "?"}) has taken it over`;
  }
  return null;
}

/** The record after `end`. */
export function endedRunRecord(record: RunRecord, end: RunEnd): RunRecord {
  return {
    ...record,
    state: "ended",
    status: end.status,
    ...(end.reason === undefined ? {} : { reason: end.reason }),
    endedAt: end.now,
    updatedAt: end.now,
  };
}

/** The record after `job` ended with its context `entry` (replacing an earlier checkpoint of
 * that job), at `now`. */
export function checkpointedRunRecord(
  record: RunRecord,
  job: string,
  entry: Readonly<Record<string, unknown>>,
  now: number,
): RunRecord {
  return { ...record, jobs: { ...record.jobs, [job]: structuredClone(entry) }, updatedAt: now };
}

/** Throws when a write of `attempt` to `record` must be refused. @throws {StaleAttemptError} */
export function assertCurrentAttempt(
  runId: string,
  record: RunRecord | null,
  attempt: number,
): asserts record is RunRecord {
  const why = staleReason(record, attempt);
  if (why !== null) throw new StaleAttemptError(runId, attempt, record?.attempt, why);
}

/** The error of an `enqueue` whose run id is taken. */
export function runRecordExists(runId: string): RunIdError {
  return new RunIdError(`run id '${runId}' is taken: the run store holds it`, runId, "taken");
}
