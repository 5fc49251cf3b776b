/**
 * Run routes: list runs, one run's status and context, its traces, and a live event stream.
 * Runs started through this API are answered from memory; others from the trace store.
 *
 * @module
 */

import { lifecycleToTraceRecord } from "../../results/trace_writer.ts";
import type { TraceRecord } from "../../results/trace_store.ts";
import { ERROR, STATUS_SCHEMA } from "../_docs.ts";
import { listRunsPage, readRunListQuery, RUN_LIST_QUERY } from "../_run_list.ts";
import {
  apiRunRow,
  jobsFromRecords,
  RUN_ID_PARAM as RUN_ID,
  runNotFound as notFound,
  storedSummary,
  storedTrace,
  summaryRow,
} from "../_run_rows.ts";
import { runEventResponse, traceJson, traceReplayResponse } from "../_sse.ts";
import { json, type RouteDefinition } from "../route_table.ts";

const RUN_ROW = {
  type: "object",
  properties: {
    run_id: { type: "string" },
    workflow: { type: "string" },
    status: STATUS_SCHEMA,
    started_at: { type: "string", format: "date-time" },
    ended_at: { type: "string", format: "date-time", nullable: true },
    rerun_of: { type: "string", nullable: true, description: "The run this one re-runs." },
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
    query: RUN_LIST_QUERY,
    responses: {
      200: {
        description: "`{runs: [...], next_cursor}`: `next_cursor` (`null` on the last page) " +
          "gives the next page as `?cursor=`.",
        schema: {
          type: "object",
          properties: {
            runs: { type: "array", items: RUN_ROW },
            next_cursor: { type: "string", nullable: true },
          },
        },
      },
      400: ERROR("A bad filter, `limit`, `cursor` or `offset` (`field` names it)."),
    },
    async handle({ c, deps }) {
      return json(await listRunsPage(deps, readRunListQuery(c)));
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
      const stored = await storedSummary(deps, runId);
      if (!stored) throw notFound(runId, deps);
      return json({
        ...summaryRow(stored.summary, stored.from),
        jobs: jobsFromRecords(stored.records, runId),
        context: null,
      });
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
        return runEventResponse(c, run, {
          signal,
          clock: deps.engine.runtime.clock,
          afterIndex: Number.isInteger(lastId) && lastId >= 0 ? lastId : undefined,
        });
      }
      const records = await storedTrace(deps, runId);
      if (!records || records.length === 0) throw notFound(runId, deps);
      return traceReplayResponse(c, records);
    },
  },
];
