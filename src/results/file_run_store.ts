/**
 * File `RunStore`: one folder per run, `<root>/<run id>/run.json` (the record, replaced
 * atomically on every write) beside one `attempt=<n>` file per claim. A claim creates its
 * attempt file exclusively (`writeText(…, {exclusive: true})`), so of several processes that
 * claim or take over the same run exactly one wins; a write checks that no later attempt file
 * exists before it replaces the record. Writes of one store are applied one at a time per run.
 *
 * Processes of one machine (or of machines sharing the folder) coordinate through it, but a
 * takeover is only safe once the old owner has stopped: recovery takes over runs whose owner
 * process is gone (pid and start time). Use PostgreSQL to spread runs over machines.
 *
 * @module
 */

import { FileExistsError } from "../errors.ts";
import type { RuntimeFs } from "../runtime/types.ts";
import { joinPath, listDirs, readTextOrNull, SerialQueue } from "./_fs.ts";
import {
  assertCurrentAttempt,
  checkpointedRunRecord,
  claimedRunRecord,
  claimFirstQueued,
  type ClaimNextOptions,
  type ClaimOptions,
  compareRunRecords,
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

const RECORD_FILE = "run.json";
const ATTEMPT_PREFIX = "attempt=";

/** Keeps run records below a root folder through the runtime's filesystem. */
export class FileRunStore implements RunStore {
  readonly #fs: RuntimeFs;
  readonly #root: string;
  readonly #queues = new Map<string, { queue: SerialQueue; users: number }>();

  /** Stores records below `root` (e.g. `./runs`) through `fs`. */
  constructor(fs: RuntimeFs, root: string) {
    this.#fs = fs;
    this.#root = root;
  }

  #folder(runId: string): string {
    return joinPath(this.#root, encodeURIComponent(runId));
  }

  #recordPath(runId: string): string {
    return joinPath(this.#folder(runId), RECORD_FILE);
  }

  #attemptPath(runId: string, attempt: number): string {
    return joinPath(this.#folder(runId), ATTEMPT_PREFIX + attempt);
  }

  /** Runs `task` after the earlier writes of this store to `runId`. */
  async #serial<T>(runId: string, task: () => Promise<T>): Promise<T> {
    let slot = this.#queues.get(runId);
    if (!slot) this.#queues.set(runId, slot = { queue: new SerialQueue(), users: 0 });
    slot.users++;
    try {
      return await slot.queue.run(task);
    } finally {
      if (--slot.users === 0) this.#queues.delete(runId);
    }
  }

  async #read(runId: string): Promise<RunRecord | null> {
    const text = await readTextOrNull(this.#fs, this.#recordPath(runId));
    if (text === null) return null;
    try {
      return JSON.parse(text) as RunRecord;
    } catch {
      return null; // not one of ours
    }
  }

  #write(record: RunRecord): Promise<void> {
    return this.#fs.writeText(this.#recordPath(record.runId), JSON.stringify(record), {
      atomic: true,
    });
  }

  /** Creates the attempt file of `record`'s attempt; `false` when another claimer has it. */
  async #takeAttempt(record: RunRecord): Promise<boolean> {
    try {
      await this.#fs.writeText(
        this.#attemptPath(record.runId, record.attempt),
        JSON.stringify({ owner: record.owner, at: record.updatedAt }),
        { exclusive: true, createDirs: true },
      );
      return true;
    } catch (error) {
      if (error instanceof FileExistsError) return false;
      throw error;
    }
  }

  /** Stores a new record; the record file is created exclusively. */
  enqueue(run: NewRun, options?: EnqueueOptions & { now?: number }): Promise<RunRecord> {
    return this.#serial(run.runId, async () => {
      const record = newRunRecord(run, options);
      try {
        await this.#fs.writeText(this.#recordPath(run.runId), JSON.stringify(record), {
          exclusive: true,
          createDirs: true,
        });
      } catch (error) {
        if (error instanceof FileExistsError) throw runRecordExists(run.runId);
        throw error;
      }
      // Nobody can claim a record that starts running, so its first attempt file is free.
      if (record.attempt > 0) await this.#takeAttempt(record);
      return record;
    });
  }

  /** Claims a queued run, or takes over a running one at `options.takeOver`. */
  claim(runId: string, owner: RunOwner, options: ClaimOptions): Promise<RunRecord | null> {
    return this.#serial(runId, async () => {
      const record = await this.#read(runId);
      const claimed = record ? claimedRunRecord(record, owner, options) : null;
      if (!claimed || !(await this.#takeAttempt(claimed))) return null;
      await this.#write(claimed);
      return claimed;
    });
  }

  /** Claims the oldest queued run the labels allow. */
  async claimNext(owner: RunOwner, options: ClaimNextOptions): Promise<RunRecord | null> {
    return claimFirstQueued(this, await this.list({ states: ["queued"] }), owner, options);
  }

  #update(runId: string, attempt: number, change: (r: RunRecord) => RunRecord): Promise<void> {
    return this.#serial(runId, async () => {
      let record = await this.#read(runId);
      if (record !== null && record.attempt === attempt) {
        // A later attempt file means a takeover whose record may not be written yet.
        const later = await readTextOrNull(this.#fs, this.#attemptPath(runId, attempt + 1));
        if (later !== null) {
          const { owner } = JSON.parse(later) as { owner?: RunRecord["owner"] };
          record = { ...record, attempt: attempt + 1, ...(owner ? { owner } : {}) };
        }
      }
      assertCurrentAttempt(runId, record, attempt);
      await this.#write(change(record));
    });
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

  /** The record, or `null`. */
  get(runId: string): Promise<RunRecord | null> {
    return this.#read(runId);
  }

  /** Records, oldest first. */
  async list(options: ListRunRecordsOptions = {}): Promise<RunRecord[]> {
    const records: RunRecord[] = [];
    for (const dir of await listDirs(this.#fs, this.#root)) {
      let runId: string;
      try {
        runId = decodeURIComponent(dir);
      } catch {
        continue; // not one of ours
      }
      const record = await this.#read(runId);
      if (record && record.runId === runId && runRecordMatches(record, options)) {
        records.push(record);
      }
    }
    return records.sort(compareRunRecords).slice(0, options.limit ?? Infinity);
  }

  /** Removes ended records that ended before `olderThan`, with their folders. */
  async cleanup(options: { olderThan: number }): Promise<number> {
    let removed = 0;
    for (const record of await this.list({ states: ["ended"] })) {
      if ((record.endedAt ?? 0) < options.olderThan) {
        await this.#fs.remove(this.#folder(record.runId));
        removed++;
      }
    }
    return removed;
  }

  /** Waits for the writes in flight. */
  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((slot) => slot.queue.idle()));
  }
}
