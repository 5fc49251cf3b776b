/**
 * Turns lifecycle events into trace records: printed to a console callback at once, and
 * written to a `TraceStore` in batches (on run end, on an interval, when the buffer fills,
 * and on detach) so that tracing costs little per stage.
 *
 * @module
 */

import {
  detailLevel,
  levelAtLeast,
  type LifecycleDetail,
  type LogLevel,
  onLifecycle,
} from "../executor/events.ts";
import type { Clock } from "../runtime/types.ts";
import type { Masker } from "../util/mask.ts";
import { formatTraceLine, type TraceRecord, type TraceStore } from "./trace_store.ts";

/** Options of {@linkcode attachTraces}. */
export interface AttachTracesOptions {
  /** Receives each record as a text line (see `formatTraceLine`) as soon as it happens. */
  readonly console?: (line: string) => void;
  /** Records below this level are dropped (console and store); on a `LifecycleBus` the
   * executor then does not even build them. `debug` adds the start and end records of
   * echo/sleep stages. @default "info" */
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
  /**
   * Resolves once every record of run `runId` seen so far has been written; rejects with the
   * store's error when one of them could not be (each failure is reported once).
   */
  written(runId: string): Promise<void>;
  /** Stops listening, stops the interval and flushes. */
  detach(): Promise<void>;
  /** Events buffered plus records handed to the store and not yet written. */
  backlog(): number;
}

/** Write errors remembered for `written()` callers that have not asked yet. */
const MAX_REMEMBERED_FAILURES = 1000;

const quote = (name: string | undefined) => `'${name ?? ""}'`;
const strategyName = (detail: LifecycleDetail) =>
  `${quote(detail.job)} strategy ${quote(detail.strategy)}`;

function endMessage(prefix: string, name: string, detail: LifecycleDetail): string {
  let message = `${prefix}: End ${name} ${detail.status ?? "SUCCESS"}`;
  if (detail.durationMs !== undefined) message += ` in ${Math.round(detail.durationMs)} ms`;
  if (detail.error) message += `: ${detail.error.name}: ${detail.error.message}`;
  return message;
}

/**
 * The trace record of one lifecycle event: `[WORKFLOW]`, `[JOB]`, `[STRATEGY]`, `[STAGE]`
 * start/end lines (`[STAGE]: End 'greet' SUCCESS in 3 ms`), or the line of a `log` event.
 * The level is the event's own, else that of its status: FAILED ends are errors, CANCEL ends
 * warnings, the rest `info`.
 */
export function lifecycleToTraceRecord(detail: LifecycleDetail): TraceRecord {
  const level = detailLevel(detail);
  let message: string;
  switch (detail.type) {
    case "run-start":
      message = `[WORKFLOW]: Start ${quote(detail.workflow)}`;
      break;
    case "run-end":
      message = endMessage("[WORKFLOW]", quote(detail.workflow), detail);
      break;
    case "job-start":
      message = `[JOB]: Start ${quote(detail.job)}`;
      break;
    case "job-end":
      message = endMessage("[JOB]", quote(detail.job), detail);
      break;
    case "strategy-start":
      message = `[STRATEGY]: Start ${strategyName(detail)}`;
      break;
    case "strategy-end":
      message = endMessage("[STRATEGY]", strategyName(detail), detail);
      break;
    case "stage-start":
      message = `[STAGE]: Start ${quote(detail.stageName ?? detail.stage)}`;
      break;
    case "stage-end":
      message = endMessage("[STAGE]", quote(detail.stageName ?? detail.stage), detail);
      break;
    default:
      message = detail.message ?? "";
  }
  // One object shape for every record (absent fields are `undefined`, which stores and JSON
  // drop), so building and reading records stays monomorphic.
  return {
    time: detail.time,
    level,
    runId: detail.runId,
    parentRunId: detail.parentRunId,
    workflow: detail.workflow,
    job: detail.job,
    strategy: detail.strategy,
    stage: detail.stage,
    event: detail.type === "log" ? undefined : detail.type,
    status: detail.status,
    rerunOf: detail.rerunOf,
    // Microsecond precision, as in the run context's `duration_ms`.
    durationMs: detail.durationMs === undefined
      ? undefined
      : Math.round(detail.durationMs * 1000) / 1000,
    message,
  };
}

/**
 * Listens to every lifecycle event on `target` and records it. `store` may be `null` to only
 * print to `options.console`.
 *
 * @example
 * ```ts
 * import { MemoryTraceStore } from "./memory_trace_store.ts";
 *
 * const events = new EventTarget();
 * const traces = attachTraces(events, new MemoryTraceStore(), { console: console.log });
 * // ... run workflows that dispatch their lifecycle events on `events` ...
 * await traces.detach();
 * ```
 */
export function attachTraces(
  target: EventTarget,
  store: TraceStore | null,
  options: AttachTracesOptions = {},
): TraceAttachment {
  const minLevel = options.minLevel ?? "info";
  const maxBuffered = Math.max(1, options.maxBufferedRecords ?? 2048);
  const masker = options.masker && options.masker.size > 0 ? options.masker : undefined;
  // Event details wait here unconverted: turning them into records (messages, JSON, text)
  // happens once per batch rather than once per event.
  let buffer: LifecycleDetail[] = [];
  // Batches handed to the store and not yet written. Stores apply overlapping writes in call
  // order per run, so a batch need not wait for the one before it.
  const pending = new Set<Promise<void>>();
  let writing = 0;
  let failure: { error: unknown } | undefined;
  // Write errors by run id, until `written()` reports them; bounded, oldest dropped first.
  const runFailures = new Map<string, unknown>();
  const fail = (error: unknown, runIds: readonly string[]) => {
    failure ??= { error };
    for (const runId of runIds) {
      runFailures.delete(runId);
      runFailures.set(runId, error);
      if (runFailures.size > MAX_REMEMBERED_FAILURES) {
        runFailures.delete(runFailures.keys().next().value!);
      }
    }
    options.onError?.(error);
  };

  const convert = (detail: LifecycleDetail): TraceRecord | undefined => {
    let record = lifecycleToTraceRecord(detail);
    if (!levelAtLeast(record.level, minLevel)) return undefined;
    if (masker) record = { ...record, message: masker.mask(record.message) };
    return record;
  };

  const startWrite = (): void => {
    if (buffer.length === 0 || store === null) return;
    const batch = buffer;
    buffer = [];
    let written: Promise<void>;
    const runIds: string[] = [];
    try {
      const records: TraceRecord[] = [];
      let lastRunId: string | undefined;
      for (const detail of batch) {
        if (detail.runId !== lastRunId) {
          lastRunId = detail.runId;
          if (!runIds.includes(lastRunId)) runIds.push(lastRunId);
        }
        const record = convert(detail);
        if (record) records.push(record);
      }
      if (records.length === 0) return;
      written = store.write(records).catch((error) => fail(error, runIds));
      writing += records.length;
      const size = records.length;
      written.then(() => {
        writing -= size;
      });
    } catch (error) {
      fail(error, runIds); // never into the executor that emitted the event
      return;
    }
    pending.add(written);
    written.then(() => pending.delete(written));
  };

  const flush = async (): Promise<void> => {
    startWrite();
    while (pending.size > 0) await Promise.all(pending);
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
    if (detail.type === "run-end" || buffer.length >= maxBuffered) startWrite();
    else armTimer();
  }, { minLevel });

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
        startWrite();
      },
      () => {
        armed = false; // detached
      },
    );
  }

  let detached: Promise<void> | undefined;
  return {
    flush,
    async written(runId) {
      startWrite();
      // The batches handed over so far hold every record of the run seen so far; batches
      // started later are not waited for, so a busy writer cannot keep this waiting.
      if (pending.size > 0) await Promise.all([...pending]);
      if (!runFailures.has(runId)) return;
      const error = runFailures.get(runId);
      runFailures.delete(runId);
      throw error;
    },
    backlog: () => buffer.length + writing,
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
