/**
 * Releases: one run of a workflow for one logical time, recorded in an audit store so that a
 * normal release of the same (name, logical time) never runs twice. `poke()` runs the releases
 * of a workflow's own `on:` inside a time window.
 *
 * @module
 */

import type { SchedulerEngine } from "./engine_port.ts";
import type { Result } from "../executor/workflow_runner.ts";
import type { Status, Workflow } from "../models/types.ts";
import type { AuditRecord, AuditStore, ReleaseType } from "../results/audit_store.ts";
import type { RunRecord } from "../results/run_store.ts";
import { toJsonValue } from "../results/result.ts";
import { render } from "../template/mod.ts";
import { isSecretEnvName } from "../util/secret_env.ts";
import { cronSchedule } from "./cron.ts";

/** What a release ended with: a run status, or `SKIPPED_DUPLICATE` when nothing ran. */
export type ReleaseStatus = Status | "SKIPPED_DUPLICATE";

/** Options of {@linkcode release}. */
export interface ReleaseOptions {
  /** Where the audit is checked and written. */
  readonly audits: AuditStore;
  /** Params; strings may use `${{ release.logical_date }}` and friends. @default {} */
  readonly params?: Readonly<Record<string, unknown>>;
  /**
   * - `normal`: skipped when an audit of this (name, logical time) exists;
   * - `force`: runs anyway and writes another audit;
   * - `rerun`: runs again only when the last audit did not succeed (no audit → runs), keeping
   *   the jobs that succeeded in it and running the others;
   * - `dryrun`: runs no action stage, checks nothing and writes no audit.
   * @default "normal"
   */
  readonly type?: ReleaseType;
  /** Name of the audit record (a schedule entry's alias). @default the workflow name */
  readonly alias?: string;
  /** IANA zone of `release.timezone` and of date rendering. @default the engine's timezone */
  readonly timezone?: string;
  /** Aborting cancels the run (status CANCEL; the audit is still written). */
  readonly signal?: AbortSignal;
  /** Run id to use. @default a new one */
  readonly runId?: string;
  /** Id of the run that started this release (a scheduler or poke run). */
  readonly parentRunId?: string;
  /** Extra listener target for this run's lifecycle events. */
  readonly events?: EventTarget;
  /** The caller has claimed this release already (`AuditStore.claim`); a `normal` release
   * otherwise claims it, for `owner`, before it runs. @default false */
  readonly claimed?: boolean;
  /** Who claims the release. @default the engine's owner id (`host:pid`) */
  readonly owner?: string;
  /** Go on with this claimed run record of the release (recovery): its run id, rendered
   * params and checkpoints are kept, and no audit or claim is checked first. */
  readonly takeOver?: RunRecord;
}

/** The outcome of {@linkcode release}. */
export interface ReleaseReport {
  /** Run status, or `SKIPPED_DUPLICATE` when the release was not run. */
  readonly status: ReleaseStatus;
  /** Workflow that was (or would have been) run. */
  readonly workflow: string;
  /** Audit name: the alias, else the workflow name. */
  readonly name: string;
  /** Logical time, epoch ms (whole seconds). */
  readonly logicalDate: number;
  /** Release type. */
  readonly type: ReleaseType;
  /** The run's result, when it ran. */
  readonly result?: Result;
  /** The audit written by this release, or for a skipped one the audit that made it skip. */
  readonly audit?: AuditRecord;
  /** Why it was skipped, for people. */
  readonly skippedReason?: string;
  /** Who holds the claim, when a `normal` release was skipped because another caller (a
   * scheduler, another process) claimed it first. */
  readonly claimedBy?: string;
}

/** The `release` object templates see. */
export interface ReleaseScope {
  /** Logical time of the release. */
  readonly logical_date: Date;
  /** When the release started. */
  readonly execute_date: Date;
  /** Run id of the release. */
  readonly run_id: string;
  /** IANA zone of the release. */
  readonly timezone: string;
  /** Release type. */
  readonly type: ReleaseType;
}

/** Releases in flight per audit store, so two concurrent normal releases cannot both run.
 * Kept: behaviour, not a cache. The audit store is what every caller (scheduler, API, CLI,
 * other engines) shares for "once", so the claim hangs off it, weakly; it covers the window
 * before the audit is written ("runs only one of two concurrent normal releases"). */
const inFlight = new WeakMap<AuditStore, Set<string>>();

function flightKey(name: string, logicalDate: number): string {
  return `${name}\n${logicalDate}`;
}

/**
 * Runs `workflowName` once for `logicalDate` (epoch ms, truncated to the second), renders its
 * params with `release.*` in scope, and writes an audit named `alias ?? workflowName`.
 *
 * @param engine The engine that runs the release (an `Engine`, or any {@linkcode SchedulerEngine}).
 * @param workflowName The workflow's name.
 * @param logicalDate The release's logical date, epoch ms.
 * @param options Audits, params, type; see {@linkcode ReleaseOptions}.
 *
 * @throws {ConfigError} for an unknown workflow.
 * @throws {ParamError} for missing or bad params (nothing is run or written).
 * @throws {TemplateError} when a param template fails.
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const report = await release(engine, "wf-etl", Date.parse("2026-01-01T00:00:00Z"), {
 *   audits: engine.audits!, // set when audits are enabled (WORKFLOW_LOG_AUDIT_*)
 *   params: { "run-date": "${{ release.logical_date }}" },
 * });
 * report.status; // "SUCCESS"
 * ```
 */
export async function release(
  engine: SchedulerEngine,
  workflowName: string,
  logicalDate: number,
  options: ReleaseOptions,
): Promise<ReleaseReport> {
  if (!Number.isFinite(logicalDate)) {
    throw new RangeError(`release date must be epoch milliseconds, got ${logicalDate}`);
  }
  const workflow = engine.workflow(workflowName);
  const type = options.type ?? "normal";
  const name = options.alias ?? workflow.name;
  const date = Math.floor(logicalDate / 1000) * 1000;
  const base = { workflow: workflow.name, name, logicalDate: date, type };
  const audits = options.audits;
  const key = flightKey(name, date);
  let flights = inFlight.get(audits);
  if (!flights) inFlight.set(audits, flights = new Set());

  if (options.takeOver) return await run(engine, workflow, date, options, base);
  if (type !== "dryrun") {
    if (flights.has(key)) {
      return {
        ...base,
        status: "SKIPPED_DUPLICATE",
        skippedReason: `release ${name} @ ${iso(date)} is already running`,
      };
    }
    // Claim the release before the first await so a concurrent call sees it.
    flights.add(key);
  }
  let resumable: AuditRecord | undefined;
  try {
    if (type === "normal" || type === "rerun") {
      const previous = await audits.find(name, date);
      if (type === "rerun" && previous !== null) resumable = previous;
      const skip = previous !== null && (type === "normal" || previous.status === "SUCCESS");
      if (skip) {
        return {
          ...base,
          status: "SKIPPED_DUPLICATE",
          audit: previous,
          skippedReason: `release ${name} @ ${iso(date)} already ran (run ${previous.runId}, ` +
            `${previous.status}); use force to run it again`,
        };
      }
    }
    if (type === "normal" && !options.claimed) {
      const claim = await audits.claim(name, date, options.owner ?? engine.owner.id);
      if (!claim.won) {
        return {
          ...base,
          status: "SKIPPED_DUPLICATE",
          claimedBy: claim.owner,
          skippedReason: `release ${name} @ ${iso(date)} is claimed by ${claim.owner}`,
        };
      }
    }
    return await run(engine, workflow, date, options, base, resumable);
  } finally {
    if (type !== "dryrun") flights.delete(key);
  }
}

async function run(
  engine: SchedulerEngine,
  workflow: Workflow,
  date: number,
  options: ReleaseOptions,
  base: Omit<ReleaseReport, "status">,
  previous?: AuditRecord,
): Promise<ReleaseReport> {
  const type = base.type;
  const name = base.name;
  const clock = engine.runtime.clock;
  const takeOver = options.takeOver;
  const runId = takeOver?.runId ?? options.runId ?? engine.newRunId(name);
  const timezone = takeOver?.release?.timezone ?? options.timezone ?? engine.settings.timezone;
  const executeDate = takeOver?.release?.executeDate ?? clock.now();
  const scope: ReleaseScope = {
    logical_date: new Date(date),
    execute_date: new Date(executeDate),
    run_id: runId,
    timezone,
    type,
  };
  const secrets: string[] = [];
  // A run taken over kept the params its first attempt rendered.
  const params = takeOver ? takeOver.params : render(options.params ?? {}, { release: scope }, {
    filters: engine.filters,
    timezone,
    env: (variable) => engine.runtime.env.get(variable),
    onEnv: (variable, value) => {
      if (isSecretEnvName(variable, engine.settings.secretEnv)) secrets.push(value);
    },
  }) as Record<string, unknown>;

  const started = clock.monotonic();
  const result = await engine.execute(workflow, params, {
    takeOver,
    release: { name, logicalDate: date, type, timezone, executeDate },
    signal: options.signal,
    runId,
    parentRunId: options.parentRunId,
    extraScope: { release: scope },
    // `datetime`/`date` params left without a value mean the release's slot, not "now".
    logicalDate: date,
    events: options.events,
    dryRun: type === "dryrun",
    secrets,
    // A rerun keeps the jobs that succeeded last time and runs the rest.
    resume: previous ? { runId: previous.runId, context: previous.context } : undefined,
  });
  if (type === "dryrun") return { ...base, status: result.status, result };
  // Taken over by another process (this one was thought dead): the new owner writes the audit.
  if ((result.context.errors as { name?: string } | undefined)?.name === "StaleAttemptError") {
    return { ...base, status: result.status, result };
  }
  const audit: AuditRecord = {
    workflow: name,
    release: date,
    type,
    runId,
    ...(options.parentRunId === undefined ? {} : { parentRunId: options.parentRunId }),
    status: result.status,
    // Masked already: the run masks its own secrets and the env values rendered above.
    context: toJsonValue(result.context) as Record<string, unknown>,
    durationMs: clock.monotonic() - started,
    createdAt: clock.now(),
  };
  await options.audits.write(audit);
  return { ...base, status: result.status, result, audit };
}

/** Options of {@linkcode poke}. */
export interface PokeOptions {
  /** Where audits are checked and written. */
  readonly audits: AuditStore;
  /** Window start (exclusive), epoch ms. @default the engine clock's now */
  readonly start?: number;
  /** Window length in minutes (must be >= 1). @default 1 */
  readonly periods?: number;
  /** Params of every release. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** `force` re-runs releases that have audits. @default "normal" */
  readonly type?: ReleaseType;
  /** Releases run at once. @default 4 */
  readonly maxParallel?: number;
  /** Aborting cancels running releases. */
  readonly signal?: AbortSignal;
  /** Parent run id of every release. */
  readonly parentRunId?: string;
}

/**
 * Runs, without waiting for the clock, every release of `name`'s own `on:` whose fire time lies
 * in `(start, start + periods minutes]`, in time order; a time produced by two crons runs once.
 *
 * @param engine The engine that runs the releases (an `Engine`, or any {@linkcode SchedulerEngine}).
 * @param name The workflow's name.
 * @param options Audits, window, params, type; see {@linkcode PokeOptions}.
 *
 * @returns one report per release, in logical-time order (empty when the workflow has no `on`).
 * @throws {RangeError} when `periods` is below 1.
 * @throws {ConfigError} for an unknown workflow.
 */
export async function poke(
  engine: SchedulerEngine,
  name: string,
  options: PokeOptions,
): Promise<ReleaseReport[]> {
  const periods = options.periods ?? 1;
  if (!(periods >= 1)) throw new RangeError(`poke periods must be 1 or more, got ${periods}`);
  const workflow = engine.workflow(name);
  const start = options.start ?? engine.runtime.clock.now();
  const end = start + periods * 60_000;
  const due = new Map<number, string>();
  for (const on of workflow.on) {
    for (const time of cronSchedule(on.cronjob, on.timezone).between(start, end)) {
      if (!due.has(time)) due.set(time, on.timezone);
    }
  }
  const times = [...due.keys()].sort((a, b) => a - b);
  const reports = new Array<ReleaseReport>(times.length);
  let next = 0;
  const worker = async () => {
    while (next < times.length) {
      const index = next++;
      reports[index] = await release(engine, workflow.name, times[index], {
        audits: options.audits,
        params: options.params,
        type: options.type,
        timezone: due.get(times[index]),
        signal: options.signal,
        parentRunId: options.parentRunId,
      });
    }
  };
  const lanes = Math.max(1, Math.min(options.maxParallel ?? 4, times.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  return reports;
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(".000Z", "Z");
}
