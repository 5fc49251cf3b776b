/**
 * `POST /job/execute`: run one job given in the body (the reference's route), as a one-job
 * workflow, and answer its outputs. Such a job runs any command or code its sender wrote, so
 * the route is off (403) unless the API was created with `enableJobExecute` (env
 * `WORKFLOW_API_ENABLE_JOB_EXECUTE=true`).
 *
 * @module
 */

import { buildWorkflow } from "../../config/config_index.ts";
import { ConfigError } from "../../errors.ts";
import { ERROR, RUN_ID_SCHEMA } from "../_docs.ts";
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

const DISABLED = new ApiError(
  403,
  "JobExecuteDisabled",
  "POST /job/execute runs any job sent to it and is off: start the server with " +
    "WORKFLOW_API_ENABLE_JOB_EXECUTE=true (or createApi(engine, { enableJobExecute: true })) " +
    "to enable it",
);

/** The job route. */
export const JOB_ROUTES: readonly RouteDefinition[] = [
  {
    method: "post",
    path: "/job/execute",
    operationId: "executeJob",
    summary: "Execute one job given in the body",
    tag: "jobs",
    refuse: (deps) => (deps.enableJobExecute ? undefined : DISABLED),
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
        run_id: {
          ...RUN_ID_SCHEMA,
          description: `Use this run id: ${RUN_ID_SCHEMA.description}; it must be new.`,
        },
        parent_run_id: RUN_ID_SCHEMA,
      },
    },
    responses: {
      200: {
        description:
          "`{message, run_id, status, job, params, context: {jobs: {<id>: outputs}}}`; a FAILED job " +
          "is still a 200 with `status: FAILED`.",
      },
      400: ERROR("Bad JSON or body shape, or an invalid job (`issues` lists every problem)."),
      403: ERROR(
        "The route is off: it runs any code it is sent, so it needs " +
          "`WORKFLOW_API_ENABLE_JOB_EXECUTE=true` (option `enableJobExecute`).",
      ),
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
      const { run, done } = await startRun(deps, workflow, params, {
        runId: body.run_id as string | undefined,
        parentRunId: body.parent_run_id as string | undefined,
        rerunnable: false,
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
