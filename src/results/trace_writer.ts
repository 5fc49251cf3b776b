/**
 * Turns lifecycle events into trace records: printed to a console callback at once, and
 * written to a `TraceStore` in batches (on run end, on an interval, when the buffer fills,
 * and on detach) so that tracing costs little per stage.
 *
 * @module
 */

import { type LifecycleDetail, type LogLevel, onLifecycle } from "../executor/events.ts";
import type { Clock } from "../runtime/types.ts";
import type { Masker } from "../util/mask.ts";
import { SerialQueue } from "./_fs.ts";
import { formatTraceLine, levelAtLeast, type TraceRecord, type TraceStore } from "./trace_store.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Options of {@linkcode attachTraces}. */
export interface AttachTracesOptions {
  /** Receives each record as a text line (see `formatTraceLine`) as soon as it happens. */
  readonly console?: (line: string) => void;
  /** Records below this level are dropped (console and store). @default "debug" */
  readonly minLevel?: LogLevel;
  /** Also flush every this many ms of `clock` time; needs `clock`. @default no interval */
  readonly flushIntervalMs?: number;
  /** Clock driving `flushIntervalMs`. */
  readonly clock?: Clock;
  /** Flush once this many events are buffered. @default 2048 */
  readonly maxBufferedRecords?: number;
  /** Masks messages once more before they leave (events are masked already; this guards
   * against secrets registered late). */
  readonly masker?: Masker;
  /** Called when a background flush fails; the error is also raised by the next
   * `flush()`/`detach()`. */
  readonly onError?: (error: unknown) => void;
}

/** What {@linkcode attachTraces} returns. */
export interface TraceAttachment {
  /** Writes every buffered record; rejects with the first write error since the last call. */
  flush(): Promise<void>;
  /** Stops listening, stops the interval and flushes. */
  detach(): Promise<void>;
}

const quote = (name: string | undefined) => `'${name ?? ""}'`;

function endLevel(detail: LifecycleDetail): LogLevel {
  if (detail.status === "FAILED") return "error";
  if (detail.status === "CANCEL") return "warning";
  return "info";
}

function endMessage(prefix: string, name: string, detail: LifecycleDetail): string {
  let message = `${prefix}: End ${name} ${detail.status ?? "SUCCESS"}`;
  if (detail.durationMs !== undefined) message += ` in ${Math.round(detail.durationMs)} ms`;
  if (detail.error) message += `: ${detail.error.name}: ${detail.error.message}`;
  return message;
}

/**
 * The trace record of one lifecycle event: `[WORKFLOW]`, `[JOB]`, `[STRATEGY]`, `[STAGE]`
 * start/end lines (`[STAGE]: End 'greet' SUCCESS in 3 ms`), or the line of a `log` event.
 * End records of FAILED runs are errors, of CANCEL warnings.
 */
export function lifecycleToTraceRecord(detail: LifecycleDetail): TraceRecord {
  let level: LogLevel = "info";
  let message: string;
  const stageName = quote(detail.stageName ?? detail.stage);
  const strategyName = `${quote(detail.job)} strategy ${quote(detail.strategy)}`;
  switch (detail.type) {
    case "run-start":
      message = `[WORKFLOW]: Start ${quote(detail.workflow)}`;
      break;
    case "run-end":
      message = endMessage("[WORKFLOW]", quote(detail.workflow), detail);
      level = endLevel(detail);
      break;
    case "job-start":
      message = `[JOB]: Start ${quote(detail.job)}`;
      break;
    case "job-end":
      message = endMessage("[JOB]", quote(detail.job), detail);
      level = endLevel(detail);
      break;
    case "strategy-start":
      message = `[STRATEGY]: Start ${strategyName}`;
      break;
    case "strategy-end":
      message = endMessage("[STRATEGY]", strategyName, detail);
      level = endLevel(detail);
      break;
    case "stage-start":
      message = `[STAGE]: Start ${stageName}`;
      break;
    case "stage-end":
      message = endMessage("[STAGE]", stageName, detail);
      level = endLevel(detail);
      break;
    default:
      message = detail.message ?? "";
      level = detail.level ?? "info";
  }
  // Built field by field (no intermediate object) so absent fields stay absent.
  const record: Mutable<TraceRecord> = {
    time: detail.time,
    level,
    runId: detail.runId,
    workflow: detail.workflow,
    message,
  };
  if (detail.parentRunId !== undefined) record.parentRunId = detail.parentRunId;
  if (detail.job !== undefined) record.job = detail.job;
  if (detail.strategy !== undefined) record.strategy = detail.strategy;
  if (detail.stage !== undefined) record.stage = detail.stage;
  if (detail.type !== "log") record.event = detail.type;
  if (detail.status !== undefined) record.status = detail.status;
  if (detail.durationMs !== undefined) record.durationMs = detail.durationMs;
  return record;
}

/**
 * Listens to every lifecycle event on `target` and records it. `store` may be `null` to only
 * print to `options.console`.
 *
 * @example
 * ```ts
 * const traces = attachTraces(events, new MemoryTraceStore(), { console: console.log });
 * await runWorkflow(...); // dispatches LifecycleEvents on `events`
 * await traces.detach();
 * ```
 */
export function attachTraces(
  target: EventTarget,
  store: TraceStore | null,
  options: AttachTracesOptions = {},
): TraceAttachment {
  const minLevel = options.minLevel ?? "debug";
  const maxBuffered = Math.max(1, options.maxBufferedRecords ?? 2048);
  const masker = options.masker && options.masker.size > 0 ? options.masker : undefined;
  const writes = new SerialQueue();
  // Event details wait here unconverted: turning them into records (messages, JSON, text)
  // happens when a batch is written, off the path of the stage that emitted them.
  let buffer: LifecycleDetail[] = [];
  let failure: { error: unknown } | undefined;

  const toRecords = (details: readonly LifecycleDetail[]): TraceRecord[] => {
    const records: TraceRecord[] = [];
    for (const detail of details) {
      const record = convert(detail);
      if (record) records.push(record);
    }
    return records;
  };

  const convert = (detail: LifecycleDetail): TraceRecord | undefined => {
    let record = lifecycleToTraceRecord(detail);
    if (!levelAtLeast(record.level, minLevel)) return undefined;
    if (masker) record = { ...record, message: masker.mask(record.message) };
    return record;
  };

  const startWrite = (): Promise<void> => {
    if (buffer.length === 0 || store === null) {
      buffer = [];
      return writes.idle();
    }
    const batch = buffer;
    buffer = [];
    return writes.run(() => {
      const records = toRecords(batch);
      return records.length ? store.write(records) : Promise.resolve();
    }).catch((error: unknown) => {
      failure ??= { error };
      options.onError?.(error);
    });
  };

  const flush = async (): Promise<void> => {
    await startWrite();
    await writes.idle();
    if (failure) {
      const { error } = failure;
      failure = undefined;
      throw error;
    }
  };

  const stopListening = onLifecycle(target, (detail) => {
    if (options.console) {
      const record = convert(detail);
      if (record) options.console(formatTraceLine(record));
    }
    if (store === null) return;
    buffer.push(detail);
    if (detail.type === "run-end" || buffer.length >= maxBuffered) void startWrite();
    else armTimer();
  });

  // The flush timer is armed only while records wait in the buffer, so an idle writer
  // never keeps the process alive.
  const interval = new AbortController();
  const { clock, flushIntervalMs } = options;
  let armed = false;
  function armTimer(): void {
    if (armed || !clock || flushIntervalMs === undefined || flushIntervalMs <= 0) return;
    armed = true;
    clock.sleep(flushIntervalMs, { signal: interval.signal }).then(
      () => {
        armed = false;
        void startWrite();
      },
      () => {
        armed = false; // detached
      },
    );
  }

  let detached: Promise<void> | undefined;
  return {
    flush,
    detach() {
      detached ??= (() => {
        stopListening();
        interval.abort();
        return flush();
      })();
      return detached;
    },
  };
}
