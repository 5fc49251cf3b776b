/**
 * File `TraceStore`: one folder per run,
 *
 * ```
 * <root>/run_id=<run id>/
 *   trace.jsonl   one JSON record per line, append-only (the source of truth)
 *   stdout.txt    text lines of debug/info/warning records
 *   stderr.txt    text lines of error records
 *   run.jsonl     run summaries, one line appended at run start and one at run end; the
 *                 last complete line is the run's state
 * ```
 *
 * Every append is one write of whole lines, so concurrent writers (other store instances,
 * other processes) do not interleave records, and a writer killed mid-write leaves at most a
 * torn last line, which readers skip.
 *
 * @module
 */

import type { RuntimeFs } from "../runtime/types.ts";
import { joinPath, listDirs, readTextOrNull, SerialQueue } from "./_fs.ts";
import {
  type CleanupOptions,
  formatTraceLine,
  isRunOlderThan,
  type ListRunsOptions,
  parseTraceLines,
  type RunSummary,
  sortAndPageRuns,
  type TraceRecord,
  traceRecordToLine,
  type TraceStore,
  updateRunSummary,
  withoutUndefined,
} from "./trace_store.ts";

const RUN_PREFIX = "run_id=";
const SUMMARY_FILE = "run.jsonl";

/** Folder name of a run (ids are URI-encoded so no id can escape the root). */
export function runFolderName(runId: string): string {
  return RUN_PREFIX + encodeURIComponent(runId);
}

/** Writes traces below a root folder through the runtime's filesystem. */
export class FileTraceStore implements TraceStore {
  readonly #fs: RuntimeFs;
  readonly #root: string;
  /** Writes of one run go one after another; runs (separate folders) write side by side. */
  readonly #runQueues = new Map<string, Promise<void>>();
  /** Cleanup waits for the writes queued before it and holds later ones back. */
  readonly #exclusive = new SerialQueue();
  /** Summaries of runs this instance has written, so run end needs no read. */
  readonly #summaries = new Map<string, RunSummary>();
  readonly #madeDirs = new Set<string>();
  /** Summaries of ended runs read from disk: an ended run's summary no longer changes, so a
   * listing reads only the runs it has not seen end (one folder listing per page, not one
   * file per run). Forgotten when the run's folder is gone. */
  readonly #ended = new Map<string, RunSummary>();

  /** Stores traces below `root` (e.g. `./logs`) through `fs`. */
  constructor(fs: RuntimeFs, root: string) {
    this.#fs = fs;
    this.#root = root;
  }

  /** Folder of one run. */
  runPath(runId: string): string {
    return joinPath(this.#root, runFolderName(runId));
  }

  /** Appends records, grouped per run, in order. */
  write(records: readonly TraceRecord[]): Promise<void> {
    if (records.length === 0) return this.flush();
    const groups = new Map<string, TraceRecord[]>();
    for (const record of records) {
      let group = groups.get(record.runId);
      if (!group) groups.set(record.runId, group = []);
      group.push(record);
    }
    const writes: Promise<void>[] = [];
    for (const [runId, group] of groups) {
      writes.push(this.#enqueue(runId, () => this.#writeRun(runId, group)));
    }
    return writes.length === 1 ? writes[0] : Promise.all(writes).then(() => {});
  }

  #enqueue(runId: string, task: () => Promise<void>): Promise<void> {
    // A write queued while a cleanup runs waits for it (the cleanup waits only for writes
    // queued before it was called).
    const gate = this.#exclusive.idle();
    const previous = this.#runQueues.get(runId);
    const next = (previous ? Promise.all([previous, gate]) : gate).then(task);
    const tail = next.catch(() => {});
    this.#runQueues.set(runId, tail);
    tail.then(() => {
      if (this.#runQueues.get(runId) === tail) this.#runQueues.delete(runId);
    });
    return next;
  }

  async #writeRun(runId: string, records: TraceRecord[]): Promise<void> {
    const dir = this.runPath(runId);
    if (!this.#madeDirs.has(dir)) {
      await this.#fs.mkdir(dir);
      this.#madeDirs.add(dir);
    }
    const lifecycle = records.some((r) => r.event === "run-start" || r.event === "run-end");
    let summary = this.#summaries.get(runId);
    if (summary === undefined && lifecycle && records[0].event !== "run-start") {
      // Started by another writer (or before a restart): continue from what is on disk.
      summary = await this.#readSummary(runId);
    }
    for (const record of records) summary = updateRunSummary(summary, record);
    if (summary !== undefined) {
      if (summary.end === undefined) this.#summaries.set(runId, summary);
      else {
        // The run is over: forget it, so a long-lived store does not grow with every run.
        this.#summaries.delete(runId);
        this.#madeDirs.delete(dir);
      }
    }

    // The text is built after the last wait and handed to the writes at once: encoding it
    // while it is fresh costs a fraction of encoding it after it has aged through a GC.
    let jsonl = "";
    let stdout = "";
    let stderr = "";
    for (const record of records) {
      jsonl += traceRecordToLine(record);
      if (record.level === "error") stderr += formatTraceLine(record) + "\n";
      else stdout += formatTraceLine(record) + "\n";
    }

    // The files are independent, so their writes go out together.
    const writes = [this.#append(dir, "trace.jsonl", jsonl)];
    if (stdout) writes.push(this.#append(dir, "stdout.txt", stdout));
    if (stderr) writes.push(this.#append(dir, "stderr.txt", stderr));
    if (lifecycle && summary !== undefined) {
      writes.push(this.#append(dir, SUMMARY_FILE, JSON.stringify(summary) + "\n"));
    }
    await Promise.all(writes);
  }

  async #append(dir: string, name: string, data: string): Promise<void> {
    const path = joinPath(dir, name);
    try {
      await this.#fs.writeText(path, data, { append: true });
    } catch (error) {
      // The folder may have been removed by a cleanup elsewhere: recreate once.
      if ((await this.#fs.stat(dir)) !== null) throw error;
      await this.#fs.mkdir(dir);
      await this.#fs.writeText(path, data, { append: true });
    }
  }

  async #readSummary(runId: string): Promise<RunSummary | undefined> {
    const dir = this.runPath(runId);
    const text = await readTextOrNull(this.#fs, joinPath(dir, SUMMARY_FILE));
    // The last complete line wins; a torn last line (its writer died) is skipped.
    const lines = text?.split("\n") ?? [];
    lines.pop();
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const summary = JSON.parse(lines[i]) as RunSummary;
        if (typeof summary?.runId === "string") return withoutUndefined(summary);
      } catch {
        // a glued or foreign line: try the one before
      }
    }
    const records = await this.#readRecords(dir);
    if (records === null || records.length === 0) return undefined;
    let summary: RunSummary | undefined;
    for (const record of records) summary = updateRunSummary(summary, record);
    return summary;
  }

  async #readRecords(dir: string): Promise<TraceRecord[] | null> {
    if ((await this.#fs.stat(dir)) === null) return null;
    const text = await readTextOrNull(this.#fs, joinPath(dir, "trace.jsonl"));
    return text === null ? [] : parseTraceLines(text);
  }

  /** Runs, newest first, filtered and paged (reads the `run.jsonl` of each run not yet
   * seen ended by this store). */
  async listRuns(options?: ListRunsOptions): Promise<RunSummary[]> {
    await this.flush();
    return sortAndPageRuns(await this.#allSummaries(), options);
  }

  async #allSummaries(): Promise<RunSummary[]> {
    const names = (await listDirs(this.#fs, this.#root)).filter((n) => n.startsWith(RUN_PREFIX));
    const seen = new Set<string>();
    const summaries = await Promise.all(names.map(async (name) => {
      let runId: string;
      try {
        runId = decodeURIComponent(name.slice(RUN_PREFIX.length));
      } catch {
        return undefined;
      }
      seen.add(runId);
      const cached = this.#ended.get(runId);
      if (cached) return cached;
      const summary = await this.#readSummary(runId);
      if (summary?.end !== undefined) this.#ended.set(runId, summary);
      return summary;
    }));
    // Folders removed meanwhile (a cleanup here or elsewhere) leave the cache.
    if (seen.size < this.#ended.size) {
      for (const runId of this.#ended.keys()) if (!seen.has(runId)) this.#ended.delete(runId);
    }
    return summaries.filter((summary): summary is RunSummary => summary !== undefined);
  }

  /** Records of one run in write order; `null` when its folder does not exist. */
  async getTrace(runId: string): Promise<TraceRecord[] | null> {
    await this.flush();
    return this.#readRecords(this.runPath(runId));
  }

  /** Removes the folders of old runs; returns how many. */
  cleanup(options: CleanupOptions): Promise<number> {
    // Taken now: writes queued after this call wait for the cleanup, so waiting for them here
    // would deadlock.
    const before = [...this.#runQueues.values()];
    return this.#exclusive.run(async () => {
      await Promise.all(before);
      let removed = 0;
      for (const summary of await this.#allSummaries()) {
        if (!isRunOlderThan(summary, options.olderThan)) continue;
        const dir = this.runPath(summary.runId);
        await this.#fs.remove(dir);
        this.#madeDirs.delete(dir);
        this.#summaries.delete(summary.runId);
        this.#ended.delete(summary.runId);
        removed++;
      }
      return removed;
    });
  }

  async #pendingWrites(): Promise<void> {
    while (this.#runQueues.size > 0) await Promise.all(this.#runQueues.values());
  }

  /** Waits for pending writes. */
  async flush(): Promise<void> {
    await this.#exclusive.idle();
    await this.#pendingWrites();
  }

  /** Waits for pending writes. */
  close(): Promise<void> {
    return this.flush();
  }
}
