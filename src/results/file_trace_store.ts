/**
 * File `TraceStore`: one folder per run,
 *
 * ```
 * <root>/run_id=<run id>/
 *   trace.jsonl   one JSON record per line, append-only (the source of truth)
 *   stdout.txt    text lines of debug/info/warning records
 *   stderr.txt    text lines of error records
 *   run.json      run summary, rewritten atomically at run start and run end
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
  type ListOptions,
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

/** Folder name of a run (ids are URI-encoded so no id can escape the root). */
export function runFolderName(runId: string): string {
  return RUN_PREFIX + encodeURIComponent(runId);
}

/** Writes traces below a root folder through the runtime's filesystem. */
export class FileTraceStore implements TraceStore {
  readonly #fs: RuntimeFs;
  readonly #root: string;
  readonly #queue = new SerialQueue();
  /** Summaries of runs this instance has written, so run end needs no read. */
  readonly #summaries = new Map<string, RunSummary>();
  readonly #madeDirs = new Set<string>();

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
    if (records.length === 0) return this.#queue.idle();
    const groups = new Map<string, TraceRecord[]>();
    for (const record of records) {
      let group = groups.get(record.runId);
      if (!group) groups.set(record.runId, group = []);
      group.push(record);
    }
    return this.#queue.run(async () => {
      for (const [runId, group] of groups) await this.#writeRun(runId, group);
    });
  }

  async #writeRun(runId: string, records: TraceRecord[]): Promise<void> {
    const dir = this.runPath(runId);
    let jsonl = "";
    let stdout = "";
    let stderr = "";
    let lifecycle = false;
    for (const record of records) {
      jsonl += traceRecordToLine(record);
      const line = formatTraceLine(record) + "\n";
      if (record.level === "error") stderr += line;
      else stdout += line;
      if (record.event === "run-start" || record.event === "run-end") lifecycle = true;
    }
    await this.#append(dir, "trace.jsonl", jsonl);
    if (stdout) await this.#append(dir, "stdout.txt", stdout);
    if (stderr) await this.#append(dir, "stderr.txt", stderr);

    let summary = this.#summaries.get(runId);
    if (summary === undefined && lifecycle && records[0].event !== "run-start") {
      // Started by another writer (or before a restart): continue from what is on disk.
      summary = await this.#readSummary(runId);
    }
    for (const record of records) summary = updateRunSummary(summary, record);
    if (summary === undefined) return;
    if (summary.end !== undefined) this.#summaries.delete(runId);
    else this.#summaries.set(runId, summary);
    if (lifecycle) {
      await this.#fs.writeText(joinPath(dir, "run.json"), JSON.stringify(summary) + "\n", {
        atomic: true,
        createDirs: true,
      });
    }
  }

  async #append(dir: string, name: string, data: string): Promise<void> {
    const path = joinPath(dir, name);
    if (!this.#madeDirs.has(dir)) {
      await this.#fs.mkdir(dir);
      this.#madeDirs.add(dir);
    }
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
    const text = await readTextOrNull(this.#fs, joinPath(dir, "run.json"));
    if (text !== null) {
      try {
        return withoutUndefined(JSON.parse(text) as RunSummary);
      } catch {
        // fall back to the records
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

  /** Runs, newest first (reads each run's `run.json`). */
  async listRuns(options?: ListOptions): Promise<RunSummary[]> {
    await this.#queue.idle();
    return sortAndPageRuns(await this.#allSummaries(), options);
  }

  async #allSummaries(): Promise<RunSummary[]> {
    const names = (await listDirs(this.#fs, this.#root)).filter((n) => n.startsWith(RUN_PREFIX));
    const summaries = await Promise.all(names.map((name) => {
      let runId: string;
      try {
        runId = decodeURIComponent(name.slice(RUN_PREFIX.length));
      } catch {
        return undefined;
      }
      return this.#readSummary(runId);
    }));
    return summaries.filter((summary): summary is RunSummary => summary !== undefined);
  }

  /** Records of one run in write order; `null` when its folder does not exist. */
  async getTrace(runId: string): Promise<TraceRecord[] | null> {
    await this.#queue.idle();
    return this.#readRecords(this.runPath(runId));
  }

  /** Removes the folders of old runs; returns how many. */
  cleanup(options: CleanupOptions): Promise<number> {
    return this.#queue.run(async () => {
      let removed = 0;
      for (const summary of await this.#allSummaries()) {
        if (!isRunOlderThan(summary, options.olderThan)) continue;
        const dir = this.runPath(summary.runId);
        await this.#fs.remove(dir);
        this.#madeDirs.delete(dir);
        this.#summaries.delete(summary.runId);
        removed++;
      }
      return removed;
    });
  }

  /** Waits for pending writes. */
  flush(): Promise<void> {
    return this.#queue.idle();
  }

  /** Waits for pending writes. */
  close(): Promise<void> {
    return this.#queue.idle();
  }
}
