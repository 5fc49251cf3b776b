/**
 * Recovery of orphaned runs: when `serve` or `schedule` starts, the run records still `running`
 * whose owner is gone are taken over (one claim per record: of several processes recovering at
 * once, one wins each run) and either resumed from their last checkpoint, keeping every job
 * that had ended SUCCESS, or ended FAILED with the reason "owner process ended".
 *
 * An owner is gone when it ran on this host and its process (pid and start time) no longer
 * runs; an owner on another host (a shared folder or database) when its lease has run out.
 *
 * @module
 */

import type { Result } from "./executor/workflow_runner.ts";
import type { Status, Workflow } from "./models/types.ts";
import type { AuditStore } from "./results/audit_store.ts";
import { MemoryAuditStore } from "./results/memory_audit_store.ts";
import type { RunOwner, RunRecord, RunRelease, RunStore } from "./results/run_store.ts";
import type { TraceStore } from "./results/trace_store.ts";
import type { Runtime } from "./runtime/types.ts";
import type { ReleaseExecuteOptions, SchedulerEngine } from "./scheduler/engine_port.ts";
import { release } from "./scheduler/release.ts";

/** The reason a recovered run ends FAILED with when recovery fails it. */
export const OWNER_ENDED = "owner process ended";

/**
 * What {@linkcode recoverRuns} uses of an engine (an `Engine` is one): its run store and
 * owner, to find and claim orphans, and what a release needs, to resume them.
 */
export interface RecoveryEngine extends SchedulerEngine {
  /** The clock of leases and run ends; the processes an owner on this host is looked up in. */
  readonly runtime: Pick<Runtime, "clock" | "env" | "processes">;
  /** Release settings, and whether orphans are resumed or failed by default. */
  readonly settings: {
    readonly timezone: string;
    readonly secretEnv: readonly string[];
    readonly recover: "resume" | "fail";
  };
  /** Where the run records are (none: nothing to recover). */
  readonly runs: RunStore | null;
  /** Who claims the orphans. */
  readonly owner: RunOwner;
  /** Where a failed orphan's end is traced. */
  readonly traces: TraceStore | null;
  /** Where a recovered release writes its audit unless told otherwise. */
  readonly audits: AuditStore | null;
  /** Ids of the runs this engine is executing now (never orphans). */
  runningIds(): string[];
  /** Runs a workflow, by name or model. */
  execute(
    workflow: string | Workflow,
    params: Readonly<Record<string, unknown>>,
    options: ReleaseExecuteOptions,
  ): Promise<Result>;
}

/** Options of {@linkcode recoverRuns}. */
export interface RecoverRunsOptions {
  /** Resume orphans from their checkpoint, or end them FAILED.
   * @default the engine's `recover` setting (`WORKFLOW_CORE_RECOVER`, default "resume") */
  readonly mode?: "resume" | "fail";
  /** Where a recovered release writes its audit. @default the engine's audit store */
  readonly audits?: AuditStore | null;
  /** Cancels the resumed runs. */
  readonly signal?: AbortSignal;
  /** Lease of the takeover claim, ms (the engine renews it while the run goes on).
   * @default 30000 */
  readonly leaseMs?: number;
}

/** One orphaned run that recovery took over. */
export interface RecoveredRun {
  /** The run. */
  readonly runId: string;
  /** Its workflow. */
  readonly workflow: string;
  /** The owner that is gone. */
  readonly previousOwner: string;
  /** The attempt this process now owns. */
  readonly attempt: number;
  /** What recovery did. */
  readonly action: "resumed" | "failed";
  /** The release the run is, if any. */
  readonly release?: RunRelease;
  /** Jobs kept from the checkpoint (ended SUCCESS before the owner died). */
  readonly kept: readonly string[];
  /** Settles with the run's end status (at once for a failed one). */
  readonly done: Promise<Status>;
}

/**
 * Takes over every run record whose owner is gone and resumes or fails it. Resumed runs go on
 * in the background: each {@linkcode RecoveredRun.done} settles when its run ends.
 *
 * @param engine The engine, with a run store (none: nothing to recover).
 * @param options Mode, audits, signal.
 * @returns the runs taken over, in the order they were queued.
 */
export async function recoverRuns(
  engine: RecoveryEngine,
  options: RecoverRunsOptions = {},
): Promise<RecoveredRun[]> {
  const store = engine.runs;
  if (!store) return [];
  const mode = options.mode ?? engine.settings.recover;
  const audits = options.audits === undefined ? engine.audits : options.audits;
  const clock = engine.runtime.clock;
  const mine = new Set(engine.runningIds());
  const recovered: RecoveredRun[] = [];
  for (const record of await store.list({ states: ["running"] })) {
    if (mine.has(record.runId) || !(await ownerGone(engine, record))) continue;
    const claimed = await store.claim(record.runId, engine.owner, {
      now: clock.now(),
      leaseMs: options.leaseMs ?? 30_000,
      takeOver: record.attempt,
    });
    if (!claimed) continue; // another process recovers it
    const base = {
      runId: claimed.runId,
      workflow: claimed.workflow,
      previousOwner: record.owner?.id ?? "?",
      attempt: claimed.attempt,
      ...(claimed.release ? { release: claimed.release } : {}),
      kept: Object.entries(claimed.jobs)
        .filter(([, entry]) => entry.status === "SUCCESS")
        .map(([id]) => id),
    };
    if (mode === "fail") {
      await failRun(engine, claimed, OWNER_ENDED, audits);
      recovered.push({ ...base, action: "failed", done: Promise.resolve("FAILED") });
      continue;
    }
    recovered.push({ ...base, action: "resumed", done: resume(engine, claimed, audits, options) });
  }
  return recovered;
}

async function ownerGone(engine: RecoveryEngine, record: RunRecord): Promise<boolean> {
  const owner = record.owner?.process;
  const processes = engine.runtime.processes;
  if (owner && processes && owner.host === processes.self().host) {
    return !(await processes.isAlive(owner));
  }
  return (record.leaseUntil ?? 0) < engine.runtime.clock.now();
}

async function resume(
  engine: RecoveryEngine,
  record: RunRecord,
  audits: AuditStore | null,
  options: RecoverRunsOptions,
): Promise<Status> {
  try {
    if (record.release) {
      const report = await release(engine, record.workflow, record.release.logicalDate, {
        audits: audits ?? new MemoryAuditStore(),
        alias: record.release.name,
        type: record.release.type,
        takeOver: record,
        signal: options.signal,
        parentRunId: record.parentRunId,
      });
      return report.status === "SKIPPED_DUPLICATE" ? "SKIP" : report.status;
    }
    const result = await engine.execute(record.workflow, record.params, {
      takeOver: record,
      signal: options.signal,
    });
    return result.status;
  } catch (error) {
    // The run could not start again (its workflow is gone or now invalid, say): it ends here.
    const reason = `could not resume: ${error instanceof Error ? error.message : String(error)}`;
    const current = await engine.runs!.get(record.runId);
    if (current?.state === "running" && current.attempt === record.attempt) {
      await failRun(engine, record, reason, audits);
    }
    return "FAILED";
  }
}

/** Ends a claimed record FAILED, with its trace end and, for a release, its audit. */
async function failRun(
  engine: RecoveryEngine,
  record: RunRecord,
  reason: string,
  audits: AuditStore | null,
): Promise<void> {
  const now = engine.runtime.clock.now();
  await engine.runs!.finish(record.runId, record.attempt, { status: "FAILED", reason, now });
  const errors = { name: "RecoveryError", message: reason };
  await engine.traces?.write([{
    time: now,
    level: "error",
    runId: record.runId,
    ...(record.parentRunId === undefined ? {} : { parentRunId: record.parentRunId }),
    workflow: record.workflow,
    event: "run-end",
    status: "FAILED",
    durationMs: now - (record.startedAt ?? now),
    message: `[WORKFLOW]: End '${record.workflow}' FAILED: ${reason}`,
  }]);
  await engine.traces?.flush();
  if (record.release && audits) {
    await audits.write({
      workflow: record.release.name,
      release: record.release.logicalDate,
      type: record.release.type,
      runId: record.runId,
      ...(record.parentRunId === undefined ? {} : { parentRunId: record.parentRunId }),
      status: "FAILED",
      // Job statuses only: the checkpoints hold real values, audits only masked ones.
      context: {
        jobs: Object.fromEntries(
          Object.entries(record.jobs).map(([id, entry]) => [id, { status: entry.status }]),
        ),
        status: "FAILED",
        errors,
      },
      durationMs: now - (record.startedAt ?? now),
      createdAt: now,
    });
  }
}
