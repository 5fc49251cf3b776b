/**
 * Schedule and release routes: schedule templates, their next fire times, the scheduler's tick
 * decisions, and releasing a workflow at a logical time.
 *
 * @module
 */

import type { CronSchedule } from "../../models/types.ts";
import { describeTime, nextRuns } from "../../scheduler/cron.ts";
import { findWorkflow, trackRun } from "../_runs.ts";
import { release } from "../../scheduler/release.ts";
import type { TickDecision } from "../../scheduler/scheduler.ts";
import { ERROR, RESULT } from "../_docs.ts";
import { ApiError } from "../errors.ts";
import { type ApiDeps, json, keepAlive, queryInt, type RouteDefinition } from "../route_table.ts";
import { parseReleaseTime } from "./audits.ts";
import { RELEASE_TYPES, type ReleaseType } from "../../results/audit_store.ts";

/** One (alias, workflow, cron) triple a schedule fires. */
interface Trigger {
  readonly alias: string;
  readonly workflow: string;
  readonly cron: CronSchedule;
}

const cronJson = (cron: CronSchedule) => ({ cronjob: cron.cronjob, timezone: cron.timezone });

function triggersOf(deps: ApiDeps, name: string): Trigger[] {
  const entry = deps.engine.config.get(name);
  if (entry?.type === "Schedule") {
    const schedule = deps.engine.config.schedule(name);
    return schedule.workflows.flatMap((item) => {
      const on = item.on.length ? item.on : deps.engine.config.workflow(item.name).on;
      return on.map((cron) => ({ alias: item.alias, workflow: item.name, cron }));
    });
  }
  if (entry?.type === "Workflow") {
    return findWorkflow(deps, name).on.map((cron) => ({ alias: name, workflow: name, cron }));
  }
  throw new ApiError(404, "NotFound", `no schedule or workflow named '${name}'`);
}

function alreadyRan(
  workflow: string,
  releaseIso: string,
  runId?: string,
  reason?: string,
): ApiError {
  return new ApiError(
    409,
    "ReleaseExists",
    reason ?? `workflow '${workflow}' was already released for ${releaseIso}` +
        `${runId ? ` (run ${runId})` : ""}; send type 'force' to run it again`,
    { extra: { release: releaseIso, ...(runId ? { run_id: runId } : {}) } },
  );
}

function decisionJson(decision: TickDecision): Record<string, unknown> {
  return {
    time: new Date(decision.time).toISOString(),
    alias: decision.alias,
    workflow: decision.workflow,
    schedule: decision.schedule ?? null,
    logical_time: new Date(decision.logicalTime).toISOString(),
    decision: decision.decision,
    reason: decision.reason,
  };
}

/** The schedule and release routes. */
export const SCHEDULE_ROUTES: readonly RouteDefinition[] = [
  {
    method: "get",
    path: "/schedules",
    operationId: "listSchedules",
    summary: "List schedule templates and workflows that carry an `on:` schedule",
    tag: "schedules",
    responses: { 200: { description: "`{schedules: [...], workflows: [...]}`" } },
    handle({ deps }) {
      const config = deps.engine.config;
      const schedules: Record<string, unknown>[] = [];
      const invalid: { name: string; message: string }[] = [];
      for (const name of config.names("Schedule")) {
        try {
          const s = config.schedule(name);
          schedules.push({
            name: s.name,
            desc: s.desc ?? null,
            catch_up: s.catchUp,
            overlap: s.overlap,
            workflows: s.workflows.map((w) => ({
              alias: w.alias,
              workflow: w.name,
              on: w.on.map(cronJson),
            })),
          });
        } catch (error) {
          invalid.push({ name, message: error instanceof Error ? error.message : String(error) });
        }
      }
      const workflows: Record<string, unknown>[] = [];
      for (const name of config.names("Workflow")) {
        try {
          const wf = config.workflow(name);
          if (wf.on.length) workflows.push({ name, on: wf.on.map(cronJson) });
        } catch {
          // invalid workflows are reported by /workflows
        }
      }
      return json({ schedules, workflows, invalid });
    },
  },
  {
    method: "get",
    path: "/schedules/decisions",
    operationId: "listScheduleDecisions",
    summary: "Tick decisions of the in-process scheduler, each with its reason",
    tag: "schedules",
    query: [
      {
        name: "limit",
        description: "Most decisions, newest first (default 100).",
        schema: { type: "integer", minimum: 0 },
      },
    ],
    responses: {
      200: {
        description:
          "`{running, decisions: [{time, alias, workflow, logical_time, decision, reason}]}`, " +
          "newest first; `running: false` when no scheduler runs in this server.",
      },
      400: ERROR("A bad `limit`."),
    },
    handle({ c, deps }) {
      const limit = queryInt(c, "limit", 100, { max: 10_000 })!;
      const all = deps.scheduler ? deps.scheduler.decisions() : [];
      const decisions = all.slice(Math.max(0, all.length - limit)).reverse().map(decisionJson);
      return json({ running: deps.scheduler !== undefined, decisions });
    },
  },
  {
    method: "get",
    path: "/schedules/:name/next",
    operationId: "nextScheduleRuns",
    summary: "Next fire times of a schedule template (or of a workflow's `on:`)",
    tag: "schedules",
    pathParams: { name: "Schedule template or workflow name." },
    query: [
      {
        name: "n",
        description: "How many fire times (1-1000, default 10).",
        schema: { type: "integer", minimum: 1, maximum: 1000 },
      },
      {
        name: "from",
        description: "Start after this ISO date-time (default now).",
        schema: { type: "string", format: "date-time" },
      },
    ],
    responses: {
      200: {
        description: "`{name, from, next: [{time, local, timezone, cronjob, alias, workflow}]}`",
      },
      400: ERROR("A bad `n` or `from`."),
      404: ERROR("No schedule or workflow has that name."),
      422: ERROR("The template is invalid."),
    },
    handle({ c, deps }) {
      const name = c.req.param("name")!;
      const count = queryInt(c, "n", 10, { min: 1, max: 1000 })!;
      const fromText = c.req.query("from");
      const from = fromText ? parseReleaseTime(fromText, "from") : deps.engine.runtime.clock.now();
      const next = triggersOf(deps, name).flatMap((t) =>
        nextRuns(t.cron.cronjob, from, count, t.cron.timezone).map((time) => ({
          at: time,
          time: new Date(time).toISOString(),
          local: describeTime(time, t.cron.timezone).local,
          timezone: t.cron.timezone,
          cronjob: t.cron.cronjob,
          alias: t.alias,
          workflow: t.workflow,
        }))
      ).sort((a, b) => a.at - b.at).slice(0, count).map(({ at: _at, ...row }) => row);
      return json({ name, from: new Date(from).toISOString(), next });
    },
  },
  {
    method: "post",
    path: "/workflows/:name/release",
    operationId: "releaseWorkflow",
    summary: "Release a workflow at a logical date (a normal release runs once per date)",
    tag: "workflows",
    pathParams: { name: "Workflow name." },
    body: {
      type: "object",
      additionalProperties: false,
      required: ["date"],
      properties: {
        date: { type: "string", description: "Logical date: ISO 8601 or YYYYmmddHHMMSS (UTC)." },
        type: {
          type: "string",
          enum: RELEASE_TYPES,
          description: "normal (default), force, rerun (only if the last one failed) or dryrun.",
        },
        params: {
          type: "object",
          description: "Params; strings may use `${{ release.logical_date }}` and friends.",
        },
        async: { type: "boolean", description: "Answer 202 with the run id at once." },
      },
    },
    responses: {
      200: {
        description: "`{workflow, release, type, status, run_id, result}`; a FAILED run is a 200.",
        schema: { type: "object", properties: { result: RESULT } },
      },
      202: { description: "Accepted (async): `{run_id, status_url}`; `Location` names the run." },
      400: ERROR("Bad JSON, body shape, date or param."),
      404: ERROR("No workflow has that name."),
      409: ERROR("That release already ran (send type `force` to run it again)."),
      503: ERROR("The server is shutting down."),
    },
    async handle({ c, deps, body }) {
      const workflow = findWorkflow(deps, c.req.param("name")!);
      const date = Math.floor(parseReleaseTime(body.date as string, "date") / 1000) * 1000;
      const type = (body.type ?? "normal") as ReleaseType;
      const releaseIso = new Date(date).toISOString();
      const previous = type === "normal"
        ? await deps.releaseAudits.find(workflow.name, date)
        : null;
      if (previous) throw alreadyRan(workflow.name, releaseIso, previous.runId);
      const runId = deps.engine.newRunId(workflow.name);
      const { run, done } = trackRun(
        deps,
        workflow.name,
        runId,
        ({ events, signal }) =>
          release(deps.engine, workflow.name, date, {
            audits: deps.releaseAudits,
            type,
            params: (body.params ?? {}) as Record<string, unknown>,
            runId,
            events,
            signal,
          }),
        (report) => report.result,
      );
      const location = `${deps.prefix}/runs/${encodeURIComponent(runId)}`;
      if (body.async === true) {
        keepAlive(c, done);
        return json(
          { run_id: runId, workflow: workflow.name, release: releaseIso, status_url: location },
          202,
          {
            location,
          },
        );
      }
      const report = await done;
      if (!report.result) {
        throw alreadyRan(workflow.name, releaseIso, report.audit?.runId, report.skippedReason);
      }
      return json({
        workflow: workflow.name,
        release: releaseIso,
        type,
        status: run.status,
        run_id: run.runId,
        result: run.result,
      });
    },
  },
];
