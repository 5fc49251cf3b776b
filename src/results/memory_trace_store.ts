/**
 * In-memory `TraceStore` for tests, edge runtimes and short-lived processes.
 *
 * @module
 */

import {
  type CleanupOptions,
  isRunOlderThan,
  type ListRunsOptions,
  type RunSummary,
  sortAndPageRuns,
  type TraceRecord,
  type TraceStore,
  updateRunSummary,
  withoutUndefined,
} from "./trace_store.ts";

/** Keeps every record in memory. Records are copied on write and on read. */
export class MemoryTraceStore implements TraceStore {
  readonly #records = new Map<string, TraceRecord[]>();
  readonly #summaries = new Map<string, RunSummary>();

  /** Appends records. */
  write(records: readonly TraceRecord[]): Promise<void> {
    for (const record of records) {
      const copy = withoutUndefined({ ...record });
      let list = this.#records.get(record.runId);
      if (!list) this.#records.set(record.runId, list = []);
      list.push(copy);
      this.#summaries.set(
        record.runId,
        updateRunSummary(this.#summaries.get(record.runId), copy),
      );
    }
    return Promise.resolve();
  }

  /** Runs, newest first, filtered and paged. */
  listRuns(options?: ListRunsOptions): Promise<RunSummary[]> {
    return Promise.resolve(sortAndPageRuns([...this.#summaries.values()], options));
  }

  /** Records of one run, or `null`. */
  getTrace(runId: string): Promise<TraceRecord[] | null> {
    const list = this.#records.get(runId);
    return Promise.resolve(list ? list.map((record) => ({ ...record })) : null);
  }

  /** Removes old runs; returns how many. */
  cleanup(options: CleanupOptions): Promise<number> {
    let removed = 0;
    for (const [runId, summary] of this.#summaries) {
      if (isRunOlderThan(summary, options.olderThan)) {
        this.#summaries.delete(runId);
        this.#records.delete(runId);
        removed++;
      }
    }
    return Promise.resolve(removed);
  }

  /** Nothing to flush. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
