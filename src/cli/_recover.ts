/**
 * Recovery at start-up of `serve` and `schedule`: runs whose owner process is gone are resumed
 * or failed (`WORKFLOW_CORE_RECOVER`), with one line each, and waited for at shutdown.
 *
 * @module
 */

import { type RecoveredRun, recoverRuns, type RecoveryEngine } from "../recovery.ts";
import type { AuditStore } from "../results/audit_store.ts";

/** The recovered runs of this process, and how to wait for them. */
export interface Recovery {
  /** The runs taken over. */
  readonly runs: readonly RecoveredRun[];
  /** Waits up to `graceMs` for resumed runs to end, then cancels the rest and waits for them. */
  settle(graceMs: number): Promise<void>;
}

/**
 * Recovers orphaned runs of `engine`'s run store, writing one line per run to `write`.
 *
 * @param engine The engine (without a run store nothing happens).
 * @param audits Where a recovered release writes its audit.
 * @param write Where the lines go.
 */
export async function startRecovery(
  engine: RecoveryEngine,
  audits: AuditStore | null,
  write: (text: string) => void,
): Promise<Recovery> {
  const cancel = new AbortController();
  const runs = await recoverRuns(engine, { audits, signal: cancel.signal });
  for (const run of runs) {
    const kept = run.kept.length > 0 ? `, keeping ${run.kept.join(", ")}` : "";
    write(
      run.action === "resumed"
        ? `recovered run ${run.runId} (${run.workflow}) of ${run.previousOwner}: resuming as ` +
          `attempt ${run.attempt}${kept}\n`
        : `recovered run ${run.runId} (${run.workflow}) of ${run.previousOwner}: ended FAILED ` +
          `(owner process ended)\n`,
    );
    if (run.action === "resumed") {
      run.done.then((status) => write(`recovered run ${run.runId} ended ${status}\n`));
    }
  }
  return {
    runs,
    async settle(graceMs) {
      const all = Promise.allSettled(runs.map((run) => run.done));
      const clock = engine.runtime.clock;
      const timer = new AbortController();
      await Promise.race([all, clock.sleep(graceMs, { signal: timer.signal }).catch(() => {})]);
      timer.abort();
      cancel.abort();
      await all;
    },
  };
}
