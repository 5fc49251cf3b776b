/**
 * CLI commands of the scheduler area: `release`, `schedule` and `next`.
 *
 * Audits come from the engine (`WORKFLOW_LOG_AUDIT_*`: a file store under
 * `WORKFLOW_LOG_AUDIT_PATH`, default `./audits`, when audit writing is enabled); without one
 * they are kept in memory for the life of the command, and the output says so.
 *
 * @module
 */

import { type CliEngine, createCliEngine } from "./engine_port.ts";
import type { CronSchedule as CronSpec } from "../models/types.ts";
import type { AuditStore, ReleaseType } from "../results/audit_store.ts";
import { resultToJson } from "../results/result.ts";
import { MemoryAuditStore } from "../results/memory_audit_store.ts";
import { cronSchedule, describeTime } from "../scheduler/cron.ts";
import { release } from "../scheduler/release.ts";
import {
  formatDecision,
  onDecision,
  onScheduledRelease,
  Scheduler,
} from "../scheduler/scheduler.ts";
import { parseIsoDateTime } from "../template/zoned_time.ts";
import type { CommandEntry } from "./commands.ts";
import { checkDeclaredParams, type CliIo, collectParams, UsageError } from "./_shared.ts";
import { parseCommandArgs, type ParsedValues } from "./_args.ts";
import { startRecovery } from "./_recover.ts";

type Values = ParsedValues;
const parse = parseCommandArgs;

function createEngine(values: Values, io: CliIo): Promise<CliEngine> {
  const confPath = typeof values.conf === "string" ? values.conf : undefined;
  return createCliEngine(io, {
    runtime: io.runtime,
    settings: confPath === undefined ? {} : { confPath },
  });
}

/** The engine's audit store, else a memory one, and a line saying which. */
function auditsOf(engine: CliEngine): { audits: AuditStore; label: string } {
  if (engine.audits) {
    return { audits: engine.audits, label: "audit store from WORKFLOW_LOG_AUDIT_*" };
  }
  return {
    audits: new MemoryAuditStore(),
    label: "audits in memory only (set WORKFLOW_LOG_AUDIT_ENABLE_WRITE=true to keep them, " +
      "by default in ./audits)",
  };
}

/** Parses an ISO date; text without an offset is read in `timezone`. */
function parseDate(text: string, option: string, timezone: string): number {
  const parsed = parseIsoDateTime(text, timezone);
  if (!parsed) {
    throw new UsageError(
      `${option} expects an ISO date such as 2026-03-08T02:30 or 2026-03-08T07:30:00Z, got '${text}'`,
    );
  }
  return parsed.date.getTime();
}

const RELEASE_HELP = `Usage: workflow release <name> --date ISO [options]

Runs one release of a workflow for a logical date, once: a normal release that already has an
audit is skipped. Params may use \${{ release.logical_date }}, release.run_id, release.timezone.

Options:
  --date ISO         Logical date (without offset: read in WORKFLOW_CORE_TIMEZONE)
  --force            Run even when an audit exists
  --rerun            Run again only when the last audit did not succeed
  --dry-run          Run no action stage and write no audit
  --alias NAME       Audit name (default: the workflow name)
  -p key=value       A param (repeatable); --params JSON for many
  --json             Print the report as JSON
  --conf DIR         Config folder
`;

async function commandRelease(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    date: { type: "string" },
    force: { type: "boolean" },
    rerun: { type: "boolean" },
    "dry-run": { type: "boolean" },
    alias: { type: "string" },
    param: { type: "string", short: "p", multiple: true },
    params: { type: "string" },
    json: { type: "boolean" },
  });
  const name = positionals[0];
  if (!name) throw new UsageError("release needs a workflow name");
  if (typeof values.date !== "string") throw new UsageError("release needs --date ISO");
  const chosen = (["force", "rerun", "dry-run"] as const).filter((k) => values[k] === true);
  if (chosen.length > 1) {
    throw new UsageError(`choose one of --force, --rerun, --dry-run (got ${chosen.join(", ")})`);
  }
  const type: ReleaseType = chosen.length === 0
    ? "normal"
    : chosen[0] === "dry-run"
    ? "dryrun"
    : chosen[0];
  const params = collectParams(
    (values.param as string[] | undefined) ?? [],
    values.params as string | undefined,
  );
  const engine = await createEngine(values, io);
  try {
    checkDeclaredParams(engine.workflow(name), params);
    const date = parseDate(values.date, "--date", engine.settings.timezone);
    const { audits, label } = auditsOf(engine);
    const report = await release(engine, name, date, {
      audits,
      params,
      type,
      signal: io.signal,
      ...(typeof values.alias === "string" ? { alias: values.alias } : {}),
    });
    const when = describeTime(report.logicalDate, engine.settings.timezone);
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            status: report.status,
            workflow: report.workflow,
            name: report.name,
            logical_date: when.utc,
            type: report.type,
            audits: engine.audits ? "store" : "memory",
            ...(report.skippedReason ? { skipped_reason: report.skippedReason } : {}),
            ...(report.result ? { result: resultToJson(report.result) } : {}),
          },
          null,
          2,
        ) + "\n",
      );
    } else {
      io.stdout(`${label}\n`);
      const line = report.status === "SKIPPED_DUPLICATE"
        ? `skipped: ${report.skippedReason}`
        : `${report.status} ${report.name} @ ${when.local} (${when.utc}) run ${report.result?.runId}` +
          (type === "normal" ? "" : ` [${type}]`);
      io.stdout(line + "\n");
    }
    return report.status === "FAILED" || report.status === "CANCEL" ? 1 : 0;
  } finally {
    await engine.close();
  }
}

const SCHEDULE_HELP = `Usage: workflow schedule [options]

Runs the scheduler: releases the workflows of every type: Schedule template, and every
workflow on its own 'on:', at their cron times, once each (audits are the truth across
restarts), and prints every decision. A workflow a schedule already runs under its own name
is released once, by the schedule.

Options:
  --stop ISO         Stop after this time (default: run until interrupted)
  --once             Release what is due now (and catch-up), then exit
  --names a,b        Only these schedules (and no workflow's own 'on:' unless --workflows)
  --no-workflows     Only type: Schedule templates, not workflows' own 'on:'
  --workflows        Workflows' own 'on:' too (the default; with --names, adds them back)
  --conf DIR         Config folder
`;

async function commandSchedule(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    stop: { type: "string" },
    once: { type: "boolean" },
    names: { type: "string" },
    workflows: { type: "boolean" },
    "no-workflows": { type: "boolean" },
  });
  if (values.workflows === true && values["no-workflows"] === true) {
    throw new UsageError("choose one of --workflows and --no-workflows");
  }
  const engine = await createEngine(values, io);
  try {
    const stop = typeof values.stop === "string"
      ? parseDate(values.stop, "--stop", engine.settings.timezone)
      : undefined;
    const names = typeof values.names === "string"
      ? values.names.split(",").map((n) => n.trim()).filter((n) => n !== "")
      : undefined;
    // Workflows' own `on:` are released by default (as `serve --schedule` does); naming
    // schedules narrows the run to them unless --workflows asks for both.
    const workflows = values["no-workflows"] === true
      ? false
      : names === undefined || values.workflows === true;
    const { audits, label } = auditsOf(engine);
    const events = new EventTarget();
    const scheduler = new Scheduler(engine, {
      audits,
      events,
      ...(names ? { schedules: names } : {}),
      workflows,
    });
    const tasks = scheduler.tasks();
    io.stdout(`${label}\n`);
    if (tasks.length === 0) {
      io.stdout(
        workflows
          ? "nothing to schedule: no type: Schedule template and no workflow has an 'on:'\n"
          : "nothing to schedule: no selected type: Schedule template has an 'on:' " +
            "(workflows' own 'on:' are off)\n",
      );
      return 0;
    }
    for (const task of tasks) {
      const crons = task.on.map((on) => `${on.cronjob} (${on.timezone})`).join(", ");
      io.stdout(`scheduled ${task.alias} -> ${task.workflow}: ${crons}\n`);
    }
    onDecision(events, (decision) => io.stdout(formatDecision(decision) + "\n"));
    // Releases whose process died go on first (or end FAILED), and count as running.
    const recovery = await startRecovery(engine, audits, io.stdout);
    for (const run of recovery.runs) {
      if (run.action === "resumed" && run.release) scheduler.adopt(run.release, run.done);
    }
    let failed = 0;
    onScheduledRelease(events, (ended) => {
      if (ended.status === "FAILED" || ended.status === "CANCEL") failed++;
      const detail = ended.error ? `: ${ended.error}` : ended.runId ? ` run ${ended.runId}` : "";
      io.stdout(
        `${describeTime(ended.endedAt).utc} ended           ${ended.alias} @ ${
          describeTime(ended.logicalTime).utc
        }: ${ended.status}${detail}\n`,
      );
    });
    const summary = await scheduler.start({ signal: io.signal, stop, once: values.once === true });
    await recovery.settle(0);
    const counts = Object.entries(summary.decisions).filter(([, n]) => n > 0)
      .map(([kind, n]) => `${n} ${kind}`).join(", ");
    io.stdout(`stopped: ${summary.released} released${counts ? ` (${counts})` : ""}\n`);
    return failed > 0 ? 1 : 0;
  } finally {
    await engine.close();
  }
}

const NEXT_HELP = `Usage: workflow next <name> [-n 10] [--from ISO]

Previews the next fire times of a workflow's 'on:' (or of every entry of a schedule), in
local time with the zone and in UTC; daylight saving time included.

Options:
  -n, --count N      How many fire times (1 to 1000, default 10)
  --from ISO         Start after this time (default: now)
  --json             Print [{name, local, utc, cron, timezone}] as JSON
  --conf DIR         Config folder
`;

async function commandNext(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    count: { type: "string", short: "n" },
    from: { type: "string" },
    json: { type: "boolean" },
  });
  const name = positionals[0];
  if (!name) throw new UsageError("next needs a workflow or schedule name");
  const count = values.count === undefined ? 10 : Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new UsageError(`-n expects a whole number from 1 to 1000, got '${values.count}'`);
  }
  const engine = await createEngine(values, io);
  try {
    const from = typeof values.from === "string"
      ? parseDate(values.from, "--from", engine.settings.timezone)
      : engine.runtime.clock.now();
    const groups: { alias: string; on: readonly CronSpec[] }[] =
      engine.config.get(name)?.type === "Schedule"
        ? engine.config.schedule(name).workflows.map((entry) => ({
          alias: entry.alias,
          on: entry.on.length > 0 ? entry.on : engine.workflow(entry.name).on,
        }))
        : [{ alias: name, on: engine.workflow(name).on }];
    const rows: Record<string, string>[] = [];
    for (const group of groups) {
      const times: { time: number; on: CronSpec }[] = [];
      for (const on of group.on) {
        for (const time of cronSchedule(on.cronjob, on.timezone).nextRuns(from, count)) {
          if (!times.some((t) => t.time === time)) times.push({ time, on });
        }
      }
      times.sort((a, b) => a.time - b.time);
      if (!values.json) {
        io.stdout(
          group.on.length === 0
            ? `${group.alias}: no 'on:' schedule\n`
            : `${group.alias}: next ${Math.min(count, times.length)} fire times\n`,
        );
      }
      for (const { time, on } of times.slice(0, count)) {
        const described = describeTime(time, on.timezone);
        rows.push({
          name: group.alias,
          local: described.local,
          utc: described.utc,
          cron: on.cronjob,
          timezone: on.timezone,
        });
        if (!values.json) {
          io.stdout(
            `  ${described.local.padEnd(26)} ${described.utc}  ${on.cronjob} (${on.timezone})\n`,
          );
        }
      }
    }
    if (values.json) io.stdout(JSON.stringify(rows, null, 2) + "\n");
    return 0;
  } finally {
    await engine.close();
  }
}

/** Commands by name. */
export const SCHEDULER_COMMANDS: Readonly<Record<string, CommandEntry>> = {
  release: {
    help: RELEASE_HELP,
    run: commandRelease,
    usage:
      "release <name>     Run one release once: --date ISO [--force|--rerun|--dry-run] [-p k=v]... [--json]",
  },
  schedule: {
    help: SCHEDULE_HELP,
    run: commandSchedule,
    usage:
      "schedule           Run the scheduler: [--stop ISO] [--once] [--names a,b] [--no-workflows]",
  },
  next: {
    help: NEXT_HELP,
    run: commandNext,
    usage:
      "next <name>        Preview the next fire times (local and UTC): [-n 10] [--from ISO] [--json]",
  },
};
