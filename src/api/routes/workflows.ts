/**
 * Workflow routes: list, show, validate and execute.
 *
 * @module
 */

import { buildWorkflow } from "../../config/config_index.ts";
import { ConfigError, type ConfigIssue, isBlockingIssue } from "../../errors.ts";
import type { Workflow } from "../../models/types.ts";
import { toJsonValue } from "../../results/result.ts";
import { validateCron } from "../../scheduler/cron.ts";
import { findWorkflow, startRun } from "../_runs.ts";
import { ERROR, RESULT, RUN_ID_SCHEMA } from "../_docs.ts";
import type { JsonSchema } from "../_schema.ts";
import { acceptedRun, type ApiDeps, json, type RouteDefinition } from "../route_table.ts";
import { ApiError } from "../errors.ts";
import { coerceParams } from "../../models/param_coerce.ts";
import type { NewRun } from "../../results/run_store.ts";
import { runnerLabels } from "../../run_records.ts";
import { formatTraceParent, parseTraceParent } from "../../telemetry/traceparent.ts";

const NAME = { name: "Workflow name." };

/** Summary of a workflow as listed. */
function summary(workflow: Workflow): Record<string, unknown> {
  return {
    name: workflow.name,
    desc: workflow.desc ?? null,
    tags: workflow.tags,
    params: Object.values(workflow.params).map((p) => ({
      name: p.name,
      type: p.type,
      required: p.required,
      ...(p.desc === undefined ? {} : { desc: p.desc }),
      ...(p.default === undefined ? {} : { default: toJsonValue(p.default) }),
      ...(p.options === undefined ? {} : { options: p.options }),
    })),
    on: workflow.on.map((o) => ({ cronjob: o.cronjob, timezone: o.timezone })),
    jobs: Object.values(workflow.jobs).map((job) => ({
      id: job.id,
      needs: job.needs,
      stages: job.stages.map((s) => ({
        ...(s.id === undefined ? {} : { id: s.id }),
        name: s.name,
        kind: s.kind,
      })),
    })),
  };
}

function issuesOf(error: unknown): readonly ConfigIssue[] {
  if (error instanceof ConfigError) return error.issues;
  throw error;
}

const EXECUTE_BODY: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    params: {
      type: "object",
      description: "Param values by name; coerced to their declared types.",
    },
    async: {
      type: "boolean",
      description: "Answer 202 with the run id at once instead of waiting for the result.",
    },
    run_id: {
      ...RUN_ID_SCHEMA,
      description: `Use this run id instead of a new one: ${RUN_ID_SCHEMA.description}; ` +
        "it must not name a run that exists.",
    },
    queue: {
      type: "boolean",
      description: "Queue the run for `workflow worker` processes instead of running it here " +
        "(needs a PostgreSQL run store, e.g. `WORKFLOW_STORE_URL`): answers 202 " +
        "`{run_id, workflow, status: WAIT, queued: true, labels}` at once.",
    },
  },
};

const ISSUES: JsonSchema = {
  type: "object",
  properties: {
    ok: { type: "boolean" },
    issues: { type: "array", items: { type: "object" } },
  },
};

/** What a run store that queues runs for workers offers (the PostgreSQL one). */
interface QueueingRunStore {
  enqueue(run: NewRun): Promise<unknown>;
  onQueued(onRun: (runId: string) => void): Promise<unknown>;
}

/**
 * Queues a run of `workflow` for `workflow worker` processes: its params are checked as for a
 * run here, its labels are its jobs' `runs-on` labels.
 *
 * @throws {ApiError} 409 `NoQueue` without a PostgreSQL run store; 400 for a bad param.
 */
async function queueRun(
  deps: ApiDeps,
  workflow: Workflow,
  params: Record<string, unknown>,
  givenRunId: unknown,
): Promise<Response> {
  const store = deps.engine.runs as Partial<QueueingRunStore> | null;
  if (typeof store?.onQueued !== "function" || typeof store.enqueue !== "function") {
    throw new ApiError(
      409,
      "NoQueue",
      "queue needs a PostgreSQL run store that workers read (set WORKFLOW_STORE_URL=" +
        "postgres://…, run 'workflow worker'); this server has none",
    );
  }
  const clock = deps.engine.runtime.clock;
  coerceParams(workflow.params, params, {
    timezone: deps.engine.settings.timezone,
    now: clock.now(),
  });
  const runId = typeof givenRunId === "string" ? givenRunId : deps.engine.newRunId(workflow.name);
  const labels = runnerLabels(workflow);
  await store.enqueue({
    runId,
    workflow: workflow.name,
    params: toJsonValue(params) as Record<string, unknown>,
    labels,
    queuedAt: clock.now(),
  });
  const location = `${deps.prefix}/runs/${encodeURIComponent(runId)}`;
  return json(
    { run_id: runId, workflow: workflow.name, status: "WAIT", queued: true, labels },
    202,
    { location },
  );
}

/** The workflow routes. */
export const WORKFLOW_ROUTES: readonly RouteDefinition[] = [
  {
    method: "get",
    path: "/workflows",
    operationId: "listWorkflows",
    summary: "List workflows",
    tag: "workflows",
    responses: {
      200: { description: "Every workflow template, with params, schedules and jobs." },
    },
    handle({ deps }) {
      const workflows: Record<string, unknown>[] = [];
      const invalid: { name: string; message: string }[] = [];
      for (const name of deps.engine.config.names("Workflow")) {
        try {
          workflows.push(summary(deps.engine.config.workflow(name)));
        } catch (error) {
          invalid.push({ name, message: error instanceof Error ? error.message : String(error) });
        }
      }
      return json({ count: workflows.length, workflows, invalid });
    },
  },
  {
    method: "get",
    path: "/workflows/:name",
    operationId: "showWorkflow",
    summary: "Show one workflow",
    tag: "workflows",
    pathParams: NAME,
    responses: {
      200: { description: "The workflow: params, schedules, jobs, and its source template." },
      404: ERROR("No workflow has that name."),
      422: ERROR("The template is invalid (issues listed)."),
    },
    handle({ c, deps }) {
      const name = c.req.param("name")!;
      const workflow = findWorkflow(deps, name);
      const entry = deps.engine.config.get(name)!;
      return json({
        ...summary(workflow),
        file: entry.file,
        line: entry.line,
        template: toJsonValue(entry.data),
      });
    },
  },
  {
    method: "get",
    path: "/workflows/:name/validate",
    operationId: "validateWorkflow",
    summary: "Validate one workflow template",
    tag: "workflows",
    pathParams: NAME,
    responses: {
      200: {
        description: "`ok` and the issues found (file:line:column and path).",
        schema: ISSUES,
      },
      404: ERROR("No workflow has that name."),
    },
    handle({ c, deps }) {
      const name = c.req.param("name")!;
      if (deps.engine.config.get(name)?.type !== "Workflow") findWorkflow(deps, name);
      let issues: readonly ConfigIssue[] = [];
      try {
        deps.engine.config.workflow(name);
        issues = deps.engine.checkHost([name]);
      } catch (error) {
        issues = issuesOf(error);
      }
      return json({ name, ok: issues.length === 0, issues });
    },
  },
  {
    method: "post",
    path: "/validate",
    operationId: "validateConfig",
    summary: "Validate the whole config, or a template sent in the body",
    tag: "workflows",
    body: {
      type: "object",
      additionalProperties: false,
      properties: {
        name: { type: "string", description: "Name of the inline template. @default `inline`" },
        template: {
          type: "object",
          description: "A workflow template (the mapping under its name in YAML) to validate.",
        },
      },
    },
    bodyOptional: true,
    responses: {
      200: { description: "`ok` and every issue found.", schema: ISSUES },
      400: ERROR("The body is not JSON or has the wrong shape."),
    },
    handle({ deps, body }) {
      if (body.template !== undefined) {
        const name = typeof body.name === "string" ? body.name : "inline";
        let issues: readonly ConfigIssue[] = [];
        try {
          const workflow = buildWorkflow(name, body.template, {
            defaultTimezone: deps.engine.settings.timezone,
            validateCron,
          });
          issues = deps.engine.checkHost([workflow]);
        } catch (error) {
          issues = issuesOf(error);
        }
        return json({ name, ok: issues.length === 0, issues });
      }
      const issues = [...deps.engine.config.validate(), ...deps.engine.checkHost()];
      const ok = issues.every((issue) => !isBlockingIssue(issue));
      return json({ ok, count: deps.engine.config.names().length, issues });
    },
  },
  {
    method: "post",
    path: "/workflows/:name/execute",
    operationId: "executeWorkflow",
    summary: "Execute a workflow, waiting for its result or (async) answering at once",
    tag: "workflows",
    pathParams: NAME,
    headers: [{
      name: "traceparent",
      description: "W3C trace context of the caller: the run's span becomes a child of it, " +
        "and stages see it (or their own span's) as `TRACEPARENT`. An invalid value is ignored.",
      schema: { type: "string" },
    }],
    body: EXECUTE_BODY,
    bodyOptional: true,
    responses: {
      200: { description: "The masked result; a FAILED run is still a 200.", schema: RESULT },
      202: {
        description: "Accepted (async): `{run_id, workflow, status_url, events_url}`; " +
          "`Location` names the run.",
      },
      400: ERROR(
        "Bad JSON, wrong body shape, a malformed `run_id`, or a param that fails coercion " +
          "(`field` names it).",
      ),
      404: ERROR("No workflow has that name."),
      409: ERROR(
        "A run with that `run_id` exists (running, or in the trace store), or `queue` was " +
          "asked without a PostgreSQL run store (`NoQueue`).",
      ),
      503: ERROR("The server is shutting down."),
    },
    async handle({ c, deps, body }) {
      const workflow = findWorkflow(deps, c.req.param("name")!);
      const params = (body.params ?? {}) as Record<string, unknown>;
      if (body.queue === true) return await queueRun(deps, workflow, params, body.run_id);
      const parent = parseTraceParent(c.req.header("traceparent"));
      const { run, done } = await startRun(deps, workflow, params, {
        runId: body.run_id as string | undefined,
        traceparent: parent && formatTraceParent(parent),
      });
      if (body.async === true) {
        return acceptedRun(c, deps.prefix, { runId: run.runId, done }, {
          workflow: workflow.name,
          status: run.status,
        });
      }
      await done;
      return json(run.result);
    },
  },
];
