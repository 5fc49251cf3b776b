/**
 * Server-Sent Events for one run: what already happened is replayed first, then new events
 * are streamed live until the run ends (or the client leaves, or the server shuts down).
 *
 * @module
 */

import type { LifecycleDetail } from "../executor/events.ts";
import type { Clock } from "../runtime/types.ts";
import type { TraceRecord } from "../results/trace_store.ts";
import type { ApiRun } from "./run_registry.ts";

const encoder = new TextEncoder();

/** JSON shape of a lifecycle event as the API shows it (snake_case, ISO time). */
export function eventJson(detail: LifecycleDetail): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: detail.type,
    time: new Date(detail.time).toISOString(),
    run_id: detail.runId,
    workflow: detail.workflow,
  };
  const optional: [string, unknown][] = [
    ["parent_run_id", detail.parentRunId],
    ["job", detail.job],
    ["strategy", detail.strategy],
    ["stage", detail.stage],
    ["stage_name", detail.stageName],
    ["nested", detail.nested],
    ["status", detail.status],
    ["duration_ms", detail.durationMs],
    ["error", detail.error],
    ["level", detail.level],
    ["message", detail.message],
    ["context", detail.context],
  ];
  for (const [key, value] of optional) if (value !== undefined) out[key] = value;
  return out;
}

/** JSON shape of a stored trace record as the API shows it. */
export function traceJson(record: TraceRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    time: new Date(record.time).toISOString(),
    level: record.level,
    run_id: record.runId,
    workflow: record.workflow,
    message: record.message,
  };
  const optional: [string, unknown][] = [
    ["parent_run_id", record.parentRunId],
    ["job", record.job],
    ["strategy", record.strategy],
    ["stage", record.stage],
    ["event", record.event],
    ["status", record.status],
    ["duration_ms", record.durationMs],
  ];
  for (const [key, value] of optional) if (value !== undefined) out[key] = value;
  return out;
}

function frame(event: string, data: unknown, id?: number): Uint8Array {
  const head = id === undefined ? "" : `id: ${id}\n`;
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    // A context too deep (or odd) for JSON must not break the stream or the run's listeners.
    json = JSON.stringify({
      error: {
        name: "UnserializableEvent",
        message: `this event could not be written as JSON: ${
          error instanceof Error ? error.message : String(error)
        }`,
      },
    });
  }
  return encoder.encode(`${head}event: ${event}\ndata: ${json}\n\n`);
}

/** Headers of an event stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/** Options of {@linkcode runEventStream}. */
export interface RunEventStreamOptions {
  /** Replay starts after this event index (from `Last-Event-ID`). */
  readonly afterIndex?: number;
  /** Ends the stream (client gone, server shutting down). */
  readonly signal: AbortSignal;
  /** Drives keep-alive comments. */
  readonly clock: Clock;
  /** Keep-alive comment interval, ms. @default 15000 */
  readonly keepAliveMs?: number;
}

/**
 * A stream of `run`'s lifecycle events: one SSE message per event (`event:` is its type,
 * `id:` its index, `data:` its JSON), then a final `end` message with the run's status.
 *
 * The run's listener only wakes the stream; the stream reads the run's events and writes
 * them itself. On an edge host the run executes in the request that started it while the
 * stream belongs to another request, which may not write to this stream
 * ("Cannot perform I/O on behalf of a different request").
 */
export function runEventStream(
  run: ApiRun,
  options: RunEventStreamOptions,
): ReadableStream<Uint8Array> {
  let stop = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let unsubscribe = () => {};
      let wake = () => {};
      const stopped = new AbortController();
      const close = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        stopped.abort();
        wake();
        options.signal.removeEventListener("abort", close);
        try {
          controller.close();
        } catch {
          // already closed by the consumer
        }
      };
      stop = close;
      const send = (bytes: Uint8Array) => {
        if (closed) return;
        try {
          controller.enqueue(bytes);
        } catch {
          close();
        }
      };
      let last = options.afterIndex ?? -1;
      const pump = () => {
        for (const { detail, index } of run.events(last + 1)) {
          send(frame(detail.type, eventJson(detail), index));
          last = index;
        }
        if (!run.finished) return;
        send(frame("end", {
          run_id: run.runId,
          status: run.status,
          ...(run.failure ? { error: run.failure } : {}),
        }));
        close();
      };
      unsubscribe = run.subscribe({ event: () => wake(), done: () => wake() });
      if (options.signal.aborted) close();
      else options.signal.addEventListener("abort", close, { once: true });
      void (async () => {
        while (!closed) {
          pump();
          if (closed) return;
          await new Promise<void>((resolve) => wake = resolve);
        }
      })();
      void (async () => {
        const interval = options.keepAliveMs ?? 15_000;
        while (!closed) {
          try {
            await options.clock.sleep(interval, { signal: stopped.signal });
          } catch {
            return;
          }
          send(encoder.encode(": keep-alive\n\n"));
        }
      })();
    },
    cancel() {
      stop();
    },
  });
}

/** A finished stream replaying stored trace records (runs this API did not start). */
export function traceReplayStream(records: readonly TraceRecord[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      records.forEach((record, index) => {
        controller.enqueue(frame(record.event ?? "log", traceJson(record), index));
      });
      const end = [...records].reverse().find((r) => r.event === "run-end");
      controller.enqueue(frame("end", {
        run_id: records[0]?.runId,
        status: end?.status ?? "WAIT",
      }));
      controller.close();
    },
  });
}
