/**
 * What `workflow serve` prints while it runs: one line per request (method, path, status,
 * duration; never the query string or any header) and one per run that ends.
 *
 * @module
 */

import type { WorkflowApi } from "../api/app.ts";
import { type LifecycleDetail, onLifecycle } from "../executor/events.ts";
import type { Clock } from "../runtime/types.ts";
import { isoTime } from "../util/time.ts";

const ms = (value: number) => `${Math.round(value)}ms`;

/** The line of one answered request: `<time> POST /api/v1/… 202 3ms`. */
export function requestLine(time: number, request: Request, status: number, took: number): string {
  // The path only: a query string may carry secrets (tokens in links), and no header is shown.
  const path = new URL(request.url).pathname;
  return `${isoTime(time)} ${request.method} ${path} ${status} ${ms(took)}\n`;
}

/** The line of one ended run: `<time> run <id> <workflow> SUCCESS 45ms`. */
export function runLine(detail: LifecycleDetail): string {
  const took = detail.durationMs === undefined ? "" : ` ${ms(detail.durationMs)}`;
  return `${isoTime(detail.time)} run ${detail.runId} ${detail.workflow} ` +
    `${detail.status ?? "SUCCESS"}${took}\n`;
}

/** `api` with every answered request written as a line to `write`. */
export function withRequestLog(
  api: WorkflowApi,
  clock: Clock,
  write: (line: string) => void,
): WorkflowApi {
  return {
    ...api,
    async fetch(request, env, executionContext) {
      const t0 = clock.monotonic();
      let status = 500;
      try {
        const response = await api.fetch(request, env, executionContext);
        status = response.status;
        return response;
      } finally {
        write(requestLine(clock.now(), request, status, clock.monotonic() - t0));
      }
    },
  };
}

/** Writes a line to `write` for every run that ends on `events`; returns how to stop. */
export function logRuns(events: EventTarget, write: (line: string) => void): () => void {
  return onLifecycle(events, (detail) => {
    if (detail.type === "run-end") write(runLine(detail));
  }, { minLevel: "info" });
}
