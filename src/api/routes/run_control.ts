/**
 * Run control routes: cancel a running run, and re-run a run (all of it, or only what did not
 * succeed, resuming from its context).
 *
 * @module
 */

import { CancelError } from "../../errors.ts";
import { ERROR } from "../_docs.ts";
import { findWorkflow, startRun } from "../_runs.ts";
import { apiRunRow, RUN_ID_PARAM, runNotFound, storedSummary } from "../_run_rows.ts";
import type { JsonSchema } from "../_schema.ts";
import { ApiError } from "../errors.ts";
import { acceptedRun, type ApiDeps, json, type RouteDefinition } from "../route_table.ts";
import type { ApiRun } from "../run_registry.ts";

/** How long `POST /runs/{id}/cancel` waits for the run to end before answering 202, ms. */
const CANCEL_WAIT_MS = 5_000;

const EMPTY_BODY: JsonSchema = { type: "object", additionalProperties: false, properties: {} };

const RERUN_BODY: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    mode: {
      type: "string",
      enum: ["failed", "all"],
      description: "`failed` (default) keeps the jobs that succeeded in the old run and runs " +
        "the rest; `all` runs every job again.",
    },
  },
};

function ended(runId: string, status: string, doing: string): ApiError {
  return new ApiError(
    409,
    "RunEnded",
    `run '${runId}' already ended with status ${status}: there is nothing to ${doing}`,
    { extra: { status } },
  );
}

/**
 * The run this API started under `runId`; a run known only from the trace store or the run
 * store, or no run at all, is refused with what can be done instead.
 */
async function ownRun(deps: ApiDeps, runId: string, doing: string): Promise<ApiRun> {
  const run = deps.runs.get(runId);
  if (run) return run;
  const stored = await storedSummary(deps, runId);
  if (!stored) throw runNotFound(runId, deps);
  const { status, workflow } = stored.summary;
  if (doing === "cancel" && status !== "WAIT") throw ended(runId, status, doing);
  const why = stored.from === "traces"
    ? `is known only from the trace store: it was started by another process or before this ` +
      `server started, and the trace store keeps neither its params nor its context`
    : "belongs to another process (the run store holds its record)";
  throw new ApiError(
    409,
    "RunNotHere",
    `run '${runId}' (${status}) ${why}, so this server cannot ${doing} it` +
      (doing === "rerun" ? `; execute workflow '${workflow}' again instead` : ""),
    { extra: { status } },
  );
}

/** What a run store that queues runs for workers offers to cancel one (the PostgreSQL one). */
interface CancellableRunStore {
  requestCancel(runId: string, now: number, reason?: string): Promise<
    "cancelled" | "requested" | null
  >;
}

/**
 * Cancels a run this server did not start but its run store queues for workers: a queued run
 * ends CANCEL at once (200); a running one is flagged, and the worker holding it, told by
 * NOTIFY (or at its next poll), cancels it (202: poll `Location`). `null` when the store has
 * no such run (or cannot cancel), so the usual answers follow.
 */
async function cancelElsewhere(deps: ApiDeps, runId: string): Promise<Response | null> {
  const store = deps.engine.runs as Partial<CancellableRunStore> | null;
  if (typeof store?.requestCancel !== "function") return null;
  const answer = await store.requestCancel(
    runId,
    deps.engine.runtime.clock.now(),
    "cancelled through the API",
  );
  if (answer === null) return null;
  const location = `${deps.prefix}/runs/${encodeURIComponent(runId)}`;
  return answer === "cancelled"
    ? json({ run_id: runId, status: "CANCEL", queued: true }, 200, { location })
    : json({ run_id: runId, status: "WAIT", cancel_requested: true }, 202, { location });
}

function runBody(run: ApiRun): Record<string, unknown> {
  return {
    ...apiRunRow(run),
    jobs: run.jobs(),
    context: run.result?.context ?? null,
    ...(run.failure ? { error: run.failure } : {}),
  };
}

/** The run control routes. */
export const RUN_CONTROL_ROUTES: readonly RouteDefinition[] = [
  {
    method: "post",
    path: "/runs/:run_id/cancel",
    operationId: "cancelRun",
    summary: "Cancel a running run (it ends CANCEL, finished jobs kept)",
    tag: "runs",
    pathParams: RUN_ID_PARAM,
    body: EMPTY_BODY,
    bodyOptional: true,
    responses: {
      200: {
        description: "The run once it has ended (as `GET /runs/{run_id}`), normally `CANCEL`; " +
          "a run that ended by itself meanwhile shows its own status.",
      },
      202: {
        description: "Cancellation asked but the run has not ended within 5 s: poll " +
          "`Location`. A run of a PostgreSQL run store held by a `workflow worker`: " +
          "`{run_id, status: WAIT, cancel_requested: true}` (its worker cancels it; a run " +
          "still queued ends at once: 200 `{run_id, status: CANCEL, queued: true}`).",
      },
      404: ERROR("No run has that id."),
      409: ERROR(
        "The run already ended (`RunEnded`, with its `status`), or it was not started by " +
          "this server (`RunNotHere`).",
      ),
    },
    async handle({ c, deps }) {
      const runId = c.req.param("run_id")!;
      if (!deps.runs.get(runId)) {
        const elsewhere = await cancelElsewhere(deps, runId);
        if (elsewhere) return elsewhere;
      }
      const run = await ownRun(deps, runId, "cancel");
      if (run.finished) throw ended(runId, run.status, "cancel");
      run.controller.abort(new CancelError("cancelled through the API"));
      const wait = new AbortController();
      const timer = deps.engine.runtime.clock.sleep(CANCEL_WAIT_MS, { signal: wait.signal })
        .catch(() => {});
      await Promise.race([run.settled, timer]);
      wait.abort();
      const location = `${deps.prefix}/runs/${encodeURIComponent(runId)}`;
      return json(runBody(run), run.finished ? 200 : 202, { location });
    },
  },
  {
    method: "post",
    path: "/runs/:run_id/rerun",
    operationId: "rerunRun",
    summary: "Re-run an ended run with the same params: its failed part, or all of it",
    tag: "runs",
    pathParams: RUN_ID_PARAM,
    body: RERUN_BODY,
    bodyOptional: true,
    responses: {
      202: {
        description: "Accepted: `{run_id, workflow, status, rerun_of, mode, status_url, " +
          "events_url}`; `Location` names the new run.",
      },
      404: ERROR("No run has that id, or its workflow is gone from the config."),
      409: ERROR(
        "The run is still running (`RunRunning`), or it was not started by this server " +
          "(`RunNotHere`: the trace store keeps neither params nor context).",
      ),
      503: ERROR("The server is shutting down."),
    },
    async handle({ c, deps, body }) {
      const runId = c.req.param("run_id")!;
      const mode = (body.mode ?? "failed") as "failed" | "all";
      const old = await ownRun(deps, runId, "rerun");
      if (!old.finished) {
        throw new ApiError(
          409,
          "RunRunning",
          `run '${runId}' is still running: wait for it to end, or cancel it first ` +
            `(POST ${deps.prefix}/runs/${runId}/cancel)`,
          { extra: { status: old.status } },
        );
      }
      if (old.params === undefined) {
        throw new ApiError(
          409,
          "RunNotHere",
          `run '${runId}' was not started by POST ${deps.prefix}/workflows/{name}/execute ` +
            `(it is a release or a job sent to /job/execute), so it cannot be re-run here; ` +
            `re-run a release with POST ${deps.prefix}/workflows/${old.workflow}/release and ` +
            `"type": "rerun"`,
        );
      }
      const workflow = findWorkflow(deps, old.workflow);
      const resume = mode === "failed" && old.context ? { runId, context: old.context } : undefined;
      const { run, done } = await startRun(deps, workflow, old.params, { rerunOf: runId, resume });
      return acceptedRun(c, deps.prefix, { runId: run.runId, done }, {
        workflow: workflow.name,
        status: run.status,
        rerun_of: runId,
        mode,
      });
    },
  },
];
