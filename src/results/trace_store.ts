/**
 * Trace records and the `TraceStore` interface that every trace backend
 * (memory, file, SQLite) implements, plus helpers they share.
 *
 * @module
 */

import { isoTime } from "../util/time.ts";
import type { LifecycleEventType, LogLevel } from "../executor/events.ts";
import type { Status } from "../models/types.ts";

/** Lifecycle edges a trace record may come from (`log` records carry no `event`). */
export type TraceEvent = Exclude<LifecycleEventType, "log">;

/** One trace line. */
export interface TraceRecord {
  /** Epoch ms. */
  readonly time: number;
  /** Severity. */
  readonly level: LogLevel;
  /** Run the record belongs to. */
  readonly runId: string;
  /** Run that started this one (a trigger stage), if any. */
  readonly parentRunId?: string;
  /** Workflow name. */
  readonly workflow: string;
  /** Job id, inside a job. */
  readonly job?: string;
  /** Strategy id (matrix hash), inside a matrix job. */
  readonly strategy?: string;
  /** Stage id, inside a stage. */
  readonly stage?: string;
  /** Already masked text, e.g. `[STAGE]: End 'greet' SUCCESS in 3 ms`. */
  readonly message: string;
  /** The lifecycle edge this record stands for; absent on plain log lines. */
  readonly event?: TraceEvent;
  /** On `*-end` records. */
  readonly status?: Status;
  /** On `*-end` records. */
  readonly durationMs?: number;
  /** On the `run-start` record of a re-run: the run it re-runs. */
  readonly rerunOf?: string;
}

/** One run as listed by {@linkcode TraceStore.listRuns}. */
export interface RunSummary {
  /** The run's id. */
  readonly runId: string;
  /** Run that started this one, if any. */
  readonly parentRunId?: string;
  /** Workflow name. */
  readonly workflow: string;
  /** `WAIT` while the run has not ended (or ended without a `run-end` record). */
  readonly status: Status;
  /** Epoch ms of the `run-start` record (else of the first record seen). */
  readonly start: number;
  /** Epoch ms of the `run-end` record. */
  readonly end?: number;
  /** Duration reported by `run-end`. */
  readonly durationMs?: number;
  /** The run this one re-runs (from its `run-start` record), if any. */
  readonly rerunOf?: string;
}

/** Paging of list methods. */
export interface ListOptions {
  /** Most items returned. @default unlimited */
  readonly limit?: number;
  /** Items skipped first. @default 0 */
  readonly offset?: number;
}

/** Where a run sits in the listing order (newest `start` first, then run id descending). */
export interface RunKey {
  /** Epoch ms the run started. */
  readonly start: number;
  /** The run's id. */
  readonly runId: string;
}

/** Filters and paging of {@linkcode TraceStore.listRuns}. */
export interface ListRunsOptions extends ListOptions {
  /** Only runs of this workflow. */
  readonly workflow?: string;
  /** Only runs with this status. */
  readonly status?: Status;
  /** Only runs that started at or after this epoch ms. */
  readonly since?: number;
  /** Only runs that started before this epoch ms. */
  readonly until?: number;
  /** Only runs listed after this one (keyset paging: a stable next page however many runs
   * start meanwhile). */
  readonly after?: RunKey;
}

/** Options of `cleanup`. */
export interface CleanupOptions {
  /** Epoch ms: what is older than this is removed. */
  readonly olderThan: number;
}

/**
 * Where trace records go. Implementations: `MemoryTraceStore`, `FileTraceStore`,
 * `SqliteTraceStore`. All pass the same contract suite (`tests/results/trace_contract.ts`).
 */
export interface TraceStore {
  /** Appends records (any mix of runs), in order. */
  write(records: readonly TraceRecord[]): Promise<void>;
  /** Runs, newest `start` first (then run id descending), filtered and paged. */
  listRuns(options?: ListRunsOptions): Promise<RunSummary[]>;
  /** Every record of a run in write order; `null` when the run is unknown. */
  getTrace(runId: string): Promise<TraceRecord[] | null>;
  /** Removes every run that ended before `olderThan` (or, never ended, started before it);
   * returns how many runs were removed. */
  cleanup(options: CleanupOptions): Promise<number>;
  /** Resolves once everything written so far is durable. */
  flush(): Promise<void>;
  /** Flushes and releases resources; the store must not be used afterwards. */
  close(): Promise<void>;
}

export { levelAtLeast, LOG_LEVELS } from "../executor/events.ts";

/**
 * Short form of a run id for text lines: for `<datetime>T<digits>` ids the first 12 characters
 * of the date-time and the last 6 of the suffix, for other ids the first 12 and last 6
 * characters; ids of 18 characters or fewer are kept whole.
 */
export function cutId(runId: string): string {
  if (runId.length <= 18) return runId;
  const t = runId.indexOf("T");
  if (t > 0 && /^\d+T\d+$/.test(runId)) {
    return runId.slice(0, Math.min(12, t)) + runId.slice(t + 1).slice(-6);
  }
  return runId.slice(0, 12) + runId.slice(-6);
}

/** Options of {@linkcode formatTraceLine}. */
export interface FormatTraceLineOptions {
  /** Show whole run ids (for a reader who copies them) instead of their short form. @default false */
  readonly fullIds?: boolean;
}

/** Human-readable text line of a record: `2024-01-01 08:13:30.123 INFO    (parent -> run) message`. */
export function formatTraceLine(record: TraceRecord, options?: FormatTraceLineOptions): string {
  const ids = options?.fullIds
    ? (record.parentRunId ? `${record.parentRunId} -> ${record.runId}` : record.runId)
    : lineIds(record);
  return `${lineTime(record.time)} ${LEVEL_LABELS[record.level]} (${ids}) ${record.message}`;
}

const LEVEL_LABELS: Record<TraceRecord["level"], string> = {
  debug: "DEBUG  ",
  info: "INFO   ",
  warning: "WARNING",
  error: "ERROR  ",
};

/** `YYYY-MM-DD HH:MM:SS.mmm` of an epoch ms. */
function lineTime(ms: number): string {
  const iso = isoTime(ms);
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

// Kept: records of one batch share their run, and cutting the ids again costs ~0.08 µs a
// text line (a run-id regex), ~80 % of formatting the rest of the line.
let lastIdsRun = "";
let lastIdsParent: string | undefined;
let lastIds = "";

function lineIds(record: TraceRecord): string {
  if (record.runId !== lastIdsRun || record.parentRunId !== lastIdsParent) {
    lastIdsRun = record.runId;
    lastIdsParent = record.parentRunId;
    lastIds = record.parentRunId
      ? `${cutId(record.parentRunId)} -> ${cutId(record.runId)}`
      : cutId(record.runId);
  }
  return lastIds;
}

/** Folds records of one run into its summary; `previous` is the summary so far, if any. */
export function updateRunSummary(
  previous: RunSummary | undefined,
  record: TraceRecord,
): RunSummary {
  if (previous !== undefined && record.event !== "run-start" && record.event !== "run-end") {
    return previous;
  }
  let summary: RunSummary = previous ?? {
    runId: record.runId,
    parentRunId: record.parentRunId,
    workflow: record.workflow,
    status: "WAIT",
    start: record.time,
  };
  if (record.event === "run-start") {
    summary = { ...summary, start: record.time, workflow: record.workflow };
    if (record.parentRunId !== undefined) summary = { ...summary, parentRunId: record.parentRunId };
    if (record.rerunOf !== undefined) summary = { ...summary, rerunOf: record.rerunOf };
  } else if (record.event === "run-end") {
    summary = {
      ...summary,
      status: record.status ?? "SUCCESS",
      end: record.time,
      durationMs: record.durationMs ?? Math.max(0, record.time - summary.start),
    };
  }
  return withoutUndefined(summary);
}

/** Negative when `a` is listed before `b` (newer start first, then run id descending). */
export function compareRunKeys(a: RunKey, b: RunKey): number {
  return b.start - a.start || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);
}

/** `true` when `run` passes the filters of `options` (paging aside). */
export function runMatches(run: RunSummary, options?: ListRunsOptions): boolean {
  if (!options) return true;
  if (options.workflow !== undefined && run.workflow !== options.workflow) return false;
  if (options.status !== undefined && run.status !== options.status) return false;
  if (options.since !== undefined && run.start < options.since) return false;
  if (options.until !== undefined && run.start >= options.until) return false;
  if (options.after !== undefined && compareRunKeys(run, options.after) <= 0) return false;
  return true;
}

/** Filters, sorts newest start first (then run id descending) and pages. */
export function sortAndPageRuns(runs: RunSummary[], options?: ListRunsOptions): RunSummary[] {
  const kept = runs.filter((run) => runMatches(run, options));
  kept.sort(compareRunKeys);
  return page(kept, options);
}

/** Applies `offset`/`limit`. */
export function page<T>(items: T[], options?: ListOptions): T[] {
  const offset = Math.max(0, options?.offset ?? 0);
  const limit = options?.limit;
  return limit === undefined
    ? items.slice(offset)
    : items.slice(offset, offset + Math.max(0, limit));
}

/** `true` when cleanup with `olderThan` removes the run. */
export function isRunOlderThan(summary: RunSummary, olderThan: number): boolean {
  return (summary.end ?? summary.start) < olderThan;
}

/** Copy of `value` without keys whose value is `undefined` (keeps stored JSON and
 * `deepEqual` comparisons stable across backends). */
export function withoutUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const key in source) {
    if (Object.hasOwn(source, key) && source[key] !== undefined) out[key] = source[key];
  }
  return out as T;
}

const RECORD_START = '{"time":';

/**
 * JSON of a string. Most trace strings (ids, names, plain messages) need no escaping, which a
 * scan finds faster than `JSON.stringify` builds the same text.
 */
function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // quote, backslash, control characters and lone surrogates need `JSON.stringify`
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}

// Kept: a batch's records share run id, parent and workflow; building their JSON once saves
// ~0.15 µs of a ~0.3 µs JSON line (two escape scans and the concatenation).
let lastHeadRun = "";
let lastHeadParent: string | undefined;
let lastHeadWorkflow = "";
let lastHead = "";

/** `"runId":…[,"parentRunId":…],"workflow":…` of a record (the last one is remembered). */
function runFields(record: TraceRecord): string {
  if (
    record.runId !== lastHeadRun || record.parentRunId !== lastHeadParent ||
    record.workflow !== lastHeadWorkflow
  ) {
    lastHeadRun = record.runId;
    lastHeadParent = record.parentRunId;
    lastHeadWorkflow = record.workflow;
    lastHead = `"runId":${jsonString(record.runId)}` +
      (record.parentRunId === undefined ? "" : `,"parentRunId":${jsonString(record.parentRunId)}`) +
      `,"workflow":${jsonString(record.workflow)}`;
  }
  return lastHead;
}

/** Serializes a record as one JSON line (with `\n`); `time` always comes first, which lets
 * {@linkcode parseTraceLines} resynchronise after a torn write. */
export function traceRecordToLine(record: TraceRecord): string {
  // Hand-built so the hot path skips an intermediate object; key order is fixed with `time`
  // first. Only string values need escaping.
  let line = `{"time":${record.time},"level":"${record.level}",${runFields(record)}`;
  if (record.job !== undefined) line += `,"job":${jsonString(record.job)}`;
  if (record.strategy !== undefined) line += `,"strategy":${jsonString(record.strategy)}`;
  if (record.stage !== undefined) line += `,"stage":${jsonString(record.stage)}`;
  if (record.event !== undefined) line += `,"event":"${record.event}"`;
  if (record.status !== undefined) line += `,"status":"${record.status}"`;
  if (record.durationMs !== undefined) line += `,"durationMs":${record.durationMs}`;
  if (record.rerunOf !== undefined) line += `,"rerunOf":${jsonString(record.rerunOf)}`;
  return line + `,"message":${jsonString(record.message)}}\n`;
}

/**
 * Parses JSON-lines text written by {@linkcode traceRecordToLine}. A torn last line (no
 * newline: its writer died mid-write) is skipped; a line that a later append glued onto a
 * torn fragment is recovered from its last record start (an unescaped `{"time":` can only
 * start a record, never sit inside a JSON string). Lines that still do not parse are skipped.
 */
export function parseTraceLines(text: string): TraceRecord[] {
  const out: TraceRecord[] = [];
  const lines = text.split("\n");
  lines.pop(); // the part after the last newline is empty or torn
  for (const line of lines) {
    if (line.length === 0) continue;
    const record = parseRecord(line) ??
      parseRecord(line.slice(Math.max(0, line.lastIndexOf(RECORD_START))));
    if (record) out.push(record);
  }
  return out;
}

function parseRecord(line: string): TraceRecord | null {
  try {
    const value: unknown = JSON.parse(line);
    if (
      typeof value === "object" && value !== null &&
      typeof (value as TraceRecord).time === "number" &&
      typeof (value as TraceRecord).runId === "string" &&
      typeof (value as TraceRecord).message === "string"
    ) return value as TraceRecord;
  } catch {
    // torn or foreign line
  }
  return null;
}
