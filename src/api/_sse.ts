/**
 * Server-Sent Events for one run: what already happened is replayed first, then new events
 * are streamed live until the run ends (or the client leaves, or the server shuts down).
 * Framing, headers and the response stream are `hono/streaming`'s `streamSSE`.
 *
 * @module
 */

import type { LifecycleDetail } from "../executor/events.ts";
import type { Clock } from "../runtime/types.ts";
import type { TraceRecord } from "../results/trace_store.ts";
import type { ApiRun } from "./run_registry.ts";
import { onAbort } from "../util/abort.ts";
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";

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

/** The `data:` of a message: JSON, or an error saying why the value could not be. */
function messageData(data: unknown): string {
  try {
    return JSON.stringify(data);
  } catch (error) {
    // A context too deep (or odd) for JSON must not break the stream or the run's listeners.
    return JSON.stringify({
      error: {
        name: "UnserializableEvent",
        message: `this event could not be written as JSON: ${
          error instanceof Error ? error.message : String(error)
        }`,
      },
    });
  }
}

/** Proxies (nginx) buffer responses unless told not to; `streamSSE` sets the rest. */
function streamHeaders(c: Context): void {
  c.header("X-Accel-Buffering", "no");
}

/** Options of {@linkcode runEventResponse}. */
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
 * An event-stream response of `run`'s lifecycle events: one SSE message per event (`event:`
 * its type, `id:` its index, `data:` its JSON), then a final `end` message with the run's
 * status; a `: keep-alive` comment every `keepAliveMs` while nothing else is sent.
 *
 * The run's listener only wakes the stream; the stream reads the run's events and writes
 * them itself. On an edge host the run executes in the request that started it while the
 * stream belongs to another request, which may not write to this stream
 * ("Cannot perform I/O on behalf of a different request").
 */
export function runEventResponse(
  c: Context,
  run: ApiRun,
  options: RunEventStreamOptions,
): Response {
  streamHeaders(c);
  return streamSSE(c, async (stream) => {
    let closed = false;
    let pending = false;
    let waiter: (() => void) | undefined;
    const wake = () => {
      pending = true;
      const resolve = waiter;
      waiter = undefined;
      resolve?.();
    };
    const stopped = new AbortController();
    const stop = () => {
      closed = true;
      stopped.abort();
      wake();
    };
    stream.onAbort(stop); // the client went away
    const offSignal = onAbort(options.signal, stop);
    const unsubscribe = run.subscribe({ event: wake, done: wake });
    void keepAlive(stream, options, stopped.signal);
    try {
      let last = options.afterIndex ?? -1;
      while (!closed) {
        pending = false;
        // Read before the events: once finished, the run records none after what is read.
        const finished = run.finished;
        for (const { detail, index } of run.events(last + 1)) {
          if (closed) return;
          await stream.writeSSE({
            event: detail.type,
            id: String(index),
            data: messageData(eventJson(detail)),
          });
          last = index;
        }
        if (closed) return;
        if (finished) {
          await stream.writeSSE({
            event: "end",
            data: messageData({
              run_id: run.runId,
              status: run.status,
              ...(run.failure ? { error: run.failure } : {}),
            }),
          });
          return;
        }
        // Events that came while writing set `pending`: read them before waiting.
        if (!pending) await new Promise<void>((resolve) => waiter = resolve);
      }
    } finally {
      unsubscribe();
      offSignal();
      stopped.abort();
    }
  });
}

/** Writes a `: keep-alive` comment every interval until `signal` aborts. */
async function keepAlive(
  stream: SSEStreamingApi,
  options: RunEventStreamOptions,
  signal: AbortSignal,
): Promise<void> {
  const interval = options.keepAliveMs ?? 15_000;
  while (!signal.aborted) {
    try {
      await options.clock.sleep(interval, { signal });
    } catch {
      return;
    }
    await stream.write(": keep-alive\n\n");
  }
}

/** A finished event-stream response replaying stored trace records (runs this API did not
 * start). */
export function traceReplayResponse(c: Context, records: readonly TraceRecord[]): Response {
  streamHeaders(c);
  return streamSSE(c, async (stream) => {
    for (const [index, record] of records.entries()) {
      await stream.writeSSE({
        event: record.event ?? "log",
        id: String(index),
        data: messageData(traceJson(record)),
      });
    }
    const end = [...records].reverse().find((r) => r.event === "run-end");
    await stream.writeSSE({
      event: "end",
      data: messageData({ run_id: records[0]?.runId, status: end?.status ?? "WAIT" }),
    });
  });
}
