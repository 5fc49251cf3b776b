/**
 * `POST /job/execute`: run one job given in the body (the reference's route), as a one-job
 * workflow, and answer its outputs.
 *
 * @module
 */

import { buildWorkflow } from "../../config/loader.ts";
import { ConfigError } from "../../errors.ts";
import { ERROR } from "../_docs.ts";
import { startRun } from "../_runs.ts";
import { ApiError } from "../errors.ts";
import { json, type RouteDefinition } from "../route_table.ts";
import { validateCron } from "../../scheduler/cron.ts";

/** Declares each passed param with the type of its value, so the job may reference it. */
function declareParams(params: Record<string, unknown>): Record<string, { type: string }> {
  const out: Record<string, { type: string }> = {};
  for (const [name, value] of Object.entries(params)) {
    const type = typeof value === "boolean"
      ? "bool"
      : typeof value === "number"
      ? (Number.isInteger(value) ? "int" : "float")
      : Array.isArray(value)
      ? "array"
      : typeof value === "object" && value !== null
      ? "map"
      : "str";
    out[name] = { type };
  }
  return out;
}

/** The job route. */
export const JOB_ROUTES: readonly RouteDefinition[] = [
  {
    method: "post",
    path: "/job/execute",
    operationId: "executeJob",
    summary: "Execute one job given in the body",
    tag: "jobs",
    body: {
      type: "object",
      additionalProperties: false,
      required: ["job"],
      properties: {
        job: {
          type: "object",
          description: "A job as written under `jobs:` in YAML; `id` names it (default `job`).",
        },
        params: { type: "object", description: "Values in the `params` scope of the job." },
        run_id: { type: "string", description: "Use this run id." },
        parent_run_id: { type: "string" },
      },
    },
    responses: {
      200: {
        description:
          "`{message, run_id, status, job, params, context: {jobs: {<id>: outputs}}}`; a FAILED job " +
          "is still a 200 with `status: FAILED`.",
      },
      400: ERROR("Bad JSON or body shape, or an invalid job (`issues` lists every problem)."),
      409: ERROR("A run with that `run_id` exists."),
    },
    async handle({ deps, body }) {
      const { id, ...job } = body.job as Record<string, unknown>;
      if (id !== undefined && (typeof id !== "string" || id === "")) {
        throw new ApiError(400, "BadRequest", "field 'job.id' must be a non-empty string", {
          field: "job.id",
        });
      }
      const jobId = (id as string | undefined) ?? "job";
      const params = (body.params ?? {}) as Record<string, unknown>;
      let workflow;
      try {
        const raw = { type: "Workflow", params: declareParams(params), jobs: { [jobId]: job } };
        workflow = buildWorkflow("api-job", raw, {
          defaultTimezone: deps.engine.settings.timezone,
          validateCron,
        });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new ApiError(400, "InvalidJob", `field 'job' is not a valid job:\n${error.message}`, {
          field: "job",
          extra: { issues: error.issues },
        });
      }
      const { run, done } = startRun(deps, workflow, params, {
        runId: body.run_id as string | undefined,
        parentRunId: body.parent_run_id as string | undefined,
      });
      await done;
      const context = run.result?.context ?? {};
      const jobs = (context.jobs ?? {}) as Record<string, unknown>;
      return json({
        message: "Execute job via RestAPI successful.",
        run_id: run.runId,
        parent_run_id: run.result?.parent_run_id ?? null,
        status: run.status,
        job: { id: jobId, ...job },
        params,
        context: { jobs: jobId in jobs ? { [jobId]: jobs[jobId] } : {} },
      });
    },
  },
];
