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
 * Listing runs keeps an in-memory index of run summaries keyed by run folder, refreshed
 * incrementally: the root folder is read again only when its modification time moved (a run
 * folder came or went), an ended run's summary is final and never read again, and a running
 * run's `run.jsonl` is read again only when its size changed (another process appended to it).
 *
 * @module
 */

import type { Clock, RuntimeFs } from "../runtime/types.ts";
import { joinPath, listDirs, readTextOrNull, SerialQueue } from "./_fs.ts";
import {
  type CleanupOptions,
  compareRunKeys,
  formatTraceLine,
  isRunOlderThan,
  type ListRunsOptions,
  parseTraceLines,
  runMatches,
  type RunSummary,
  type TraceRecord,
  traceRecordToLine,
  type TraceStore,
  updateRunSummary,
  withoutUndefined,
} from "./trace_store.ts";

const RUN_PREFIX = "run_id=";
const SUMMARY_FILE = "run.jsonl";

/** A folder listing is reused while the folder's modification time stays the same, but only
 * once it was taken this long after that time: a folder created in the same tick of the file
 * system's clock as the listing would not move it. Linux stamps files with a clock that lags
 * by a few milliseconds; some file systems keep whole seconds only (1 s on HFS+, 2 s on FAT),
 * which shows as a time without milliseconds. */
const SETTLE_MS = 100;
const COARSE_SETTLE_MS = 2_000;

/** Options of {@linkcode FileTraceStore}. */
export interface FileTraceStoreOptions {
  /** Wall clock used to tell when the run folder's listing can be reused; without one the
   * folder is read on every listing (summaries are still remembered).
   * @default undefined */
  readonly clock?: Clock;
}

/** One run folder as last seen by a listing. */
interface IndexedRun {
  readonly summary: RunSummary | undefined;
  /** What the summary was read from: `run.jsonl`'s size in bytes, or `-1 - size` of
   * `trace.jsonl` when there is no `run.jsonl`. Unused once the run has ended. */
  readonly signature: number;
}

/** Folder name of a run (ids are URI-encoded so no id can escape the root). */
export function runFolderName(runId: string): string {
  return RUN_PREFIX + encodeURIComponent(runId);
}

/** UTF-8 size of `text` in bytes, as a file holding it has. */
function byteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) bytes += code >= 0x800 && (code < 0xd800 || code > 0xdfff) ? 2 : 1;
  }
  return bytes;
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
  readonly #clock: Clock | undefined;
  /** Summaries by run folder name, as of the last listing. */
  readonly #index = new Map<string, IndexedRun>();
  /** The run folder names of the last listing and the root's modification time before it. */
  #listing: { mtimeMs: number; names: string[]; settled: boolean } | undefined;
  /** The indexed summaries, newest first; `undefined` after the index changed. */
  #sorted: RunSummary[] | undefined;
  /** Listings run one at a time, so two never update the index at once. */
  readonly #listings = new SerialQueue();

  /**
   * Stores traces below `root` (e.g. `./logs`) through `fs`.
   *
   * @example
   * ```ts ignore
   * const store = new FileTraceStore(runtime.fs, "./logs", { clock: runtime.clock });
   * ```
   */
  constructor(fs: RuntimeFs, root: string, options?: FileTraceStoreOptions) {
    this.#fs = fs;
    this.#root = root;
    this.#clock = options?.clock;
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
    return (await this.#readIndexed(this.runPath(runId))).summary;
  }

  /** Reads a run's summary: the last complete line of `run.jsonl` (a torn last line, whose
   * writer died, is skipped), else replayed from `trace.jsonl`. */
  async #readIndexed(dir: string): Promise<IndexedRun> {
    const text = await readTextOrNull(this.#fs, joinPath(dir, SUMMARY_FILE));
    if (text !== null) {
      const signature = byteLength(text);
      const lines = text.split("\n");
      lines.pop();
      for (let i = lines.length - 1; i >= 0; i--) {
        try {
          const summary = JSON.parse(lines[i]) as RunSummary;
          if (typeof summary?.runId === "string") {
            return { summary: withoutUndefined(summary), signature };
          }
        } catch {
          // a glued or foreign line: try the one before
        }
      }
    }
    if ((await this.#fs.stat(dir)) === null) return { summary: undefined, signature: -1 };
    const trace = await readTextOrNull(this.#fs, joinPath(dir, "trace.jsonl"));
    const signature = -1 - (trace === null ? 0 : byteLength(trace));
    let summary: RunSummary | undefined;
    for (const record of trace === null ? [] : parseTraceLines(trace)) {
      summary = updateRunSummary(summary, record);
    }
    return { summary, signature };
  }

  /** The current signature of a run folder's summary source (see {@linkcode IndexedRun}). */
  async #signature(dir: string): Promise<number> {
    const summaryInfo = await this.#fs.stat(joinPath(dir, SUMMARY_FILE));
    if (summaryInfo !== null) return summaryInfo.size;
    const traceInfo = await this.#fs.stat(joinPath(dir, "trace.jsonl"));
    return -1 - (traceInfo?.size ?? 0);
  }

  async #readRecords(dir: string): Promise<TraceRecord[] | null> {
    if ((await this.#fs.stat(dir)) === null) return null;
    const text = await readTextOrNull(this.#fs, joinPath(dir, "trace.jsonl"));
    return text === null ? [] : parseTraceLines(text);
  }

  /** Runs, newest first, filtered and paged (reads only what changed on disk since the last
   * listing: see the module notes). */
  async listRuns(options?: ListRunsOptions): Promise<RunSummary[]> {
    await this.flush();
    const sorted = await this.#allSummaries();
    const offset = Math.max(0, options?.offset ?? 0);
    const limit = options?.limit === undefined ? Infinity : Math.max(0, options.limit);
    const out: RunSummary[] = [];
    let skipped = 0;
    for (const run of sorted) {
      if (out.length >= limit) break;
      if (!runMatches(run, options)) continue;
      if (skipped < offset) skipped++;
      else out.push(run);
    }
    return out;
  }

  /** Every run's summary, newest first. */
  #allSummaries(): Promise<RunSummary[]> {
    return this.#listings.run(async () => {
      const names = await this.#runFolderNames();
      const stale: string[] = [];
      for (const name of names) {
        const known = this.#index.get(name);
        if (known === undefined || known.summary?.end === undefined) stale.push(name);
      }
      await Promise.all(stale.map(async (name) => {
        const dir = joinPath(this.#root, name);
        const known = this.#index.get(name);
        if (known !== undefined && (await this.#signature(dir)) === known.signature) {
          return;
        }
        this.#index.set(name, await this.#readIndexed(dir));
        this.#sorted = undefined;
      }));
      if (this.#sorted === undefined) {
        const sorted: RunSummary[] = [];
        for (const { summary } of this.#index.values()) if (summary) sorted.push(summary);
        this.#sorted = sorted.sort(compareRunKeys);
      }
      return this.#sorted;
    });
  }

  /** The run folder names; read again only when the root folder's modification time moved
   * or the last listing was too close to it to be trusted. Drops gone folders from the index. */
  async #runFolderNames(): Promise<string[]> {
    const root = await this.#fs.stat(this.#root);
    const listing = this.#listing;
    if (root !== null && listing?.settled && listing.mtimeMs === root.mtimeMs) return listing.names;
    // Taken before the read: a change after it moves the root's time past the remembered one.
    const now = this.#clock?.now();
    const names = (await listDirs(this.#fs, this.#root)).filter((name) => {
      if (!name.startsWith(RUN_PREFIX)) return false;
      try {
        decodeURIComponent(name.slice(RUN_PREFIX.length));
        return true;
      } catch {
        return false;
      }
    });
    this.#listing = root === null ? undefined : {
      mtimeMs: root.mtimeMs,
      names,
      // A folder without a modification time (0: e.g. the in-memory file system) is never trusted.
      settled: now !== undefined && root.mtimeMs > 0 &&
        now - root.mtimeMs >= (root.mtimeMs % 1000 === 0 ? COARSE_SETTLE_MS : SETTLE_MS),
    };
    const present = new Set(names);
    for (const name of this.#index.keys()) {
      if (!present.has(name)) {
        this.#index.delete(name);
        this.#sorted = undefined;
      }
    }
    return names;
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
        removed++;
      }
      if (removed > 0) {
        this.#index.clear();
        this.#listing = undefined;
        this.#sorted = undefined;
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
