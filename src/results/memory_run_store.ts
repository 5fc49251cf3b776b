/**
 * In-memory `RunStore` for tests, edge runtimes and one process: records live and die with it,
 * so it keeps no run across a crash (use a file or SQLite store for that).
 *
 * @module
 */

import {
  assertCurrentAttempt,
  checkpointedRunRecord,
  claimedRunRecord,
  claimFirstQueued,
  type ClaimNextOptions,
  type ClaimOptions,
  compareRunRecords,
  copyRunRecord,
  endedRunRecord,
  type EnqueueOptions,
  type ListRunRecordsOptions,
  type NewRun,
  newRunRecord,
  type RunEnd,
  type RunOwner,
  type RunRecord,
  runRecordExists,
  runRecordMatches,
  type RunStore,
} from "./run_store.ts";

/** Keeps run records in a map; records are copied on write and on read. */
export class MemoryRunStore implements RunStore {
  readonly #records = new Map<string, RunRecord>();

  /** Stores a new record. */
  enqueue(run: NewRun, options?: EnqueueOptions & { now?: number }): Promise<RunRecord> {
    if (this.#records.has(run.runId)) return Promise.reject(runRecordExists(run.runId));
    const record = newRunRecord(run, options);
    this.#records.set(run.runId, record);
    return Promise.resolve(copyRunRecord(record));
  }

  /** Claims a queued run, or takes over a running one at `options.takeOver`. */
  claim(runId: string, owner: RunOwner, options: ClaimOptions): Promise<RunRecord | null> {
    const record = this.#records.get(runId);
    const claimed = record ? claimedRunRecord(record, owner, options) : null;
    if (claimed) this.#records.set(runId, claimed);
    return Promise.resolve(claimed ? copyRunRecord(claimed) : null);
  }

  /** Claims the oldest queued run the labels allow. */
  claimNext(owner: RunOwner, options: ClaimNextOptions): Promise<RunRecord | null> {
    const queued = [...this.#records.values()].filter((r) => r.state === "queued");
    return claimFirstQueued(this, queued.sort(compareRunRecords), owner, options);
  }

  /** Extends the lease. */
  renew(runId: string, attempt: number, leaseUntil: number): Promise<void> {
    return this.#update(runId, attempt, (r) => ({ ...r, leaseUntil }));
  }

  /** Records a job's end. */
  checkpoint(
    runId: string,
    attempt: number,
    job: string,
    entry: Readonly<Record<string, unknown>>,
    now: number,
  ): Promise<void> {
    return this.#update(runId, attempt, (r) => checkpointedRunRecord(r, job, entry, now));
  }

  /** Ends the run. */
  finish(runId: string, attempt: number, end: RunEnd): Promise<void> {
    return this.#update(runId, attempt, (r) => endedRunRecord(r, end));
  }

  #update(runId: string, attempt: number, change: (r: RunRecord) => RunRecord): Promise<void> {
    try {
      const record = this.#records.get(runId) ?? null;
      assertCurrentAttempt(runId, record, attempt);
      this.#records.set(runId, change(record));
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The record, or `null`. */
  get(runId: string): Promise<RunRecord | null> {
    const record = this.#records.get(runId);
    return Promise.resolve(record ? copyRunRecord(record) : null);
  }

  /** Records, oldest first. */
  list(options: ListRunRecordsOptions = {}): Promise<RunRecord[]> {
    const records = [...this.#records.values()]
      .filter((r) => runRecordMatches(r, options))
      .sort(compareRunRecords)
      .slice(0, options.limit ?? Infinity);
    return Promise.resolve(records.map(copyRunRecord));
  }

  /** Removes ended records that ended before `olderThan`. */
  cleanup(options: { olderThan: number }): Promise<number> {
    let removed = 0;
    for (const [runId, record] of this.#records) {
      if (record.state === "ended" && (record.endedAt ?? 0) < options.olderThan) {
        this.#records.delete(runId);
        removed++;
      }
    }
    return Promise.resolve(removed);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
