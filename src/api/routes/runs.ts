/**
 * Run routes: list runs, one run's status and context, its traces, and a live event stream.
 * Runs started through this API are answered from memory; others from the trace store.
 *
 * @module
 */

import type { Status } from "../../models/types.ts";
import { lifecycleToTraceRecord } from "../../results/trace_writer.ts";
import { type RunSummary, type TraceRecord, updateRunSummary } from "../../results/trace_store.ts";
import { ERROR, RUN_ID_SCHEMA, STATUS_SCHEMA } from "../_docs.ts";
import { runEventStream, SSE_HEADERS, traceJson, traceReplayStream } from "../_sse.ts";
import { ApiError } from "../errors.ts";
import { type ApiDeps, json, queryInt, type RouteDefinition } from "../route_table.ts";
import type { ApiRun } from "../run_registry.ts";

const RUN_ID = { run_id: { description: "Run id.", schema: RUN_ID_SCHEMA } };
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function apiRunRow(run: ApiRun): Record<string, unknown> {
  return {
    run_id: run.runId,
    parent_run_id: run.result?.parent_run_id ?? null,
    workflow: run.workflow,
    status: run.status,
    started_at: iso(run.acceptedAt),
    ended_at: iso(run.endedAt),
    duration_ms: run.endedAt === undefined ? null : run.endedAt - run.acceptedAt,
    source: "api",
  };
}

function summaryRow(summary: RunSummary): Record<string, unknown> {
  return {
    run_id: summary.runId,
    parent_run_id: summary.parentRunId ?? null,
    workflow: summary.workflow,
    status: summary.status,
    started_at: iso(summary.start),
    ended_at: iso(summary.end),
    duration_ms: summary.durationMs ?? null,
    source: "traces",
  };
}

async function storedTrace(deps: ApiDeps, runId: string): Promise<TraceRecord[] | null> {
  if (!deps.traces) return null;
  return await deps.traces.getTrace(runId);
}

function notFound(runId: string, deps: ApiDeps): ApiError {
  const hint = deps.traces ? "" : " (no trace store is configured, so only runs started " +
    "through this server are known)";
  return new ApiError(404, "NotFound", `run '${runId}' not found${hint}`);
}

function jobsFromRecords(records: readonly TraceRecord[], runId: string): Record<string, Status> {
  const jobs: Record<string, Status> = {};
  for (const r of records) {
    if (r.runId !== runId || r.job === undefined) continue;
    if (r.event === "job-start") jobs[r.job] = "WAIT";
    if (r.event === "job-end") jobs[r.job] = r.status ?? "SUCCESS";
  }
  return jobs;
}

const RUN_ROW = {
  type: "object",
  properties: {
    run_id: { type: "string" },
    workflow: { type: "string" },
    status: STATUS_SCHEMA,
    started_at: { type: "string", format: "date-time" },
    ended_at: { type: "string", format: "date-time", nullable: true },
    source: { type: "string", enum: ["api", "traces"] },
  },
} as const;

/** The run routes. */
export const RUN_ROUTES: readonly RouteDefinition[] = [
  {
    method: "get",
    path: "/runs",
    operationId: "listRuns",
    summary: "List runs, newest first",
    tag: "runs",
    query: [
      {
        name: "limit",
        description: "Most runs returned (default 100).",
        schema: { type: "integer", minimum: 0 },
      },
      {
        name: "offset",
        description: "Runs skipped first.",
        schema: { type: "integer", minimum: 0 },
      },
    ],
    responses: {
      200: {
        description: "`{runs: [...]}`",
        schema: { type: "object", properties: { runs: { type: "array", items: RUN_ROW } } },
      },
      400: ERROR("A bad `limit` or `offset`."),
    },
    async handle({ c, deps }) {
      const limit = queryInt(c, "limit", 100, { max: 10_000 })!;
      const offset = queryInt(c, "offset", 0)!;
      const rows = new Map<string, { start: number; row: Record<string, unknown> }>();
      for (const run of deps.runs.list()) {
        rows.set(run.runId, { start: run.acceptedAt, row: apiRunRow(run) });
      }
      if (deps.traces) {
        for (const summary of await deps.traces.listRuns({ limit: offset + limit })) {
          if (!rows.has(summary.runId)) {
            rows.set(summary.runId, { start: summary.start, row: summaryRow(summary) });
          }
        }
      }
      const sorted = [...rows.values()].sort((a, b) => b.start - a.start);
      return json({ runs: sorted.slice(offset, offset + limit).map((r) => r.row) });
    },
  },
  {
    method: "get",
    path: "/runs/:run_id",
    operationId: "getRun",
    summary: "Status and context of a run (in flight or finished)",
    tag: "runs",
    pathParams: RUN_ID,
    responses: {
      200: {
        description: "The run: status, job statuses so far, and (once ended) its masked context.",
      },
      404: ERROR("No run has that id."),
    },
    async handle({ c, deps }) {
      const runId = c.req.param("run_id")!;
      const run = deps.runs.get(runId);
      if (run) {
        return json({
          ...apiRunRow(run),
          jobs: run.jobs(),
          context: run.result?.context ?? null,
          ...(run.failure ? { error: run.failure } : {}),
        });
      }
      const records = await storedTrace(deps, runId);
      if (!records || records.length === 0) throw notFound(runId, deps);
      let summary: RunSummary | undefined;
      for (const record of records) {
        if (record.runId === runId) summary = updateRunSummary(summary, record);
      }
      if (!summary) throw notFound(runId, deps);
      return json({ ...summaryRow(summary), jobs: jobsFromRecords(records, runId), context: null });
    },
  },
  {
    method: "get",
    path: "/runs/:run_id/traces",
    operationId: "getRunTraces",
    summary: "Trace records of a run",
    tag: "runs",
    pathParams: RUN_ID,
    responses: {
      200: {
        description: "`{run_id, traces: [{time, level, message, job?, stage?, event?, status?}]}`",
      },
      404: ERROR("No trace of that run."),
    },
    async handle({ c, deps }) {
      const runId = c.req.param("run_id")!;
      const run = deps.runs.get(runId);
      let records: TraceRecord[] | null = null;
      if (run && !run.truncated) {
        records = run.events().map(({ detail }) => lifecycleToTraceRecord(detail));
      } else {
        records = await storedTrace(deps, runId);
      }
      if (!records) throw notFound(runId, deps);
      return json({ run_id: runId, traces: records.map(traceJson) });
    },
  },
  {
    method: "get",
    path: "/runs/:run_id/events",
    operationId: "streamRunEvents",
    summary: "Server-Sent Events of a run: past events replayed, then live until it ends",
    tag: "runs",
    pathParams: RUN_ID,
    responses: {
      200: {
        description: "`text/event-stream`: one message per lifecycle event (`event:` its type, " +
          "`id:` its index, honouring `Last-Event-ID`), then an `end` message with the status.",
        contentType: "text/event-stream",
      },
      404: ERROR("No run has that id."),
    },
    async handle({ c, deps }) {
      const runId = c.req.param("run_id")!;
      const run = deps.runs.get(runId);
      if (run) {
        const lastId = Number(c.req.header("last-event-id"));
        const signal = AbortSignal.any([c.req.raw.signal, deps.shutdownSignal]);
        const stream = runEventStream(run, {
          signal,
          clock: deps.engine.runtime.clock,
          afterIndex: Number.isInteger(lastId) && lastId >= 0 ? lastId : undefined,
        });
        return new Response(stream, { headers: SSE_HEADERS });
      }
      const records = await storedTrace(deps, runId);
      if (!records || records.length === 0) throw notFound(runId, deps);
      return new Response(traceReplayStream(records), { headers: SSE_HEADERS });
    },
  },
];
