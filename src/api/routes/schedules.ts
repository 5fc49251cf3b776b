/**
 * Schedule and release routes: schedule templates, their next fire times, the scheduler's tick
 * decisions, and releasing a workflow at a logical time.
 *
 * @module
 */

import type { CronSchedule } from "../../models/types.ts";
import { describeTime, nextRuns } from "../../scheduler/cron.ts";
import { findWorkflow, maskedResult } from "../_runs.ts";
import { ERROR, RESULT } from "../_docs.ts";
import { ApiError } from "../errors.ts";
import { type ApiDeps, json, queryInt, type RouteDefinition } from "../route_table.ts";
import { parseReleaseTime } from "./audits.ts";
import type { ReleaseFunction } from "../scheduler_view.ts";
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

/** The schedule routes, given the release function to use. */
export function scheduleRoutes(release: ReleaseFunction): readonly RouteDefinition[] {
  return [
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
      responses: {
        200: { description: "`{running, decisions: [...]}`; `running: false` when no scheduler runs here." },
      },
      handle({ deps }) {
        const decisions = deps.scheduler ? deps.scheduler.decisions() : [];
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
        { name: "n", description: "How many fire times (1-1000, default 10).", schema: { type: "integer", minimum: 1, maximum: 1000 } },
        { name: "from", description: "Start after this ISO date-time (default now).", schema: { type: "string", format: "date-time" } },
      ],
      responses: {
        200: { description: "`{name, from, next: [{time, local, timezone, cronjob, alias, workflow}]}`" },
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
      summary: "Release a workflow at a logical date (runs once per date unless forced)",
      tag: "workflows",
      pathParams: { name: "Workflow name." },
      body: {
        type: "object",
        additionalProperties: false,
        required: ["date"],
        properties: {
          date: { type: "string", description: "Logical date: ISO 8601 or YYYYmmddHHMMSS (UTC)." },
          type: { type: "string", enum: RELEASE_TYPES, description: "@default normal" },
          params: { type: "object" },
        },
      },
      responses: {
        200: { description: "`{release, type, skipped: false, result}`", schema: { type: "object", properties: { result: RESULT } } },
        400: ERROR("Bad JSON, body shape, date or param."),
        404: ERROR("No workflow has that name."),
        409: ERROR("A normal release of that date already ran (use type `force` to run again)."),
        503: ERROR("The server is shutting down."),
      },
      async handle({ c, deps, body }) {
        const workflow = findWorkflow(deps, c.req.param("name")!);
        if (deps.isClosing()) {
          throw new ApiError(503, "ShuttingDown", "the server is shutting down and accepts no new runs");
        }
        const date = parseReleaseTime(body.date as string, "date");
        const type = (body.type ?? "normal") as ReleaseType;
        const outcome = await release(deps.engine, workflow.name, date, {
            type,
            params: (body.params ?? {}) as Record<string, unknown>,
            audits: deps.audits,
          signal: deps.shutdownSignal,
        });
        const releaseIso = new Date(date).toISOString();
        if (outcome.skipped || !outcome.result) {
          throw new ApiError(
            409,
            "ReleaseExists",
            `workflow '${workflow.name}' was already released for ${releaseIso}; send type 'force' to run it again`,
            { extra: { release: releaseIso } },
          );
        }
        return json({ workflow: workflow.name, release: releaseIso, type, skipped: false, result: maskedResult(outcome.result) });
      },
    },
  ];
}
