/**
 * CLI commands of the distributed area: `worker` (claims queued runs from a PostgreSQL run
 * store and runs them) and `enqueue` (puts a run in that queue). See docs/distributed.md.
 *
 * @module
 */

import { Engine } from "../engine.ts";
import { StaleAttemptError } from "../errors.ts";
import { MemoryAuditStore } from "../results/memory_audit_store.ts";
import type { ClaimedRunRecord, PostgresRunStore } from "../results/postgres_run_store.ts";
import type { RunRecord } from "../results/run_store.ts";
import { runnerLabels } from "../run_records.ts";
import { release } from "../scheduler/release.ts";
import type { SqlSubscription } from "../runtime/sql.ts";
import type { CommandEntry } from "./commands.ts";
import { checkDeclaredParams, type CliIo, collectParams, UsageError } from "./_shared.ts";
import { parseCommandArgs, type ParsedValues } from "./_args.ts";
import { hideUrlPassword } from "../util/secret_env.ts";

const WORKER_HELP = `Usage: workflow worker --store postgres://… [options]

Runs queued runs from a PostgreSQL run store, with any number of workers (on any hosts)
sharing it. A worker claims runs with SELECT … FOR UPDATE SKIP LOCKED, is woken by LISTEN/NOTIFY
when a run is queued (polling every --poll seconds only for lost notifications), renews its
lease while a run goes on, and takes over runs whose owner let the lease run out, resuming them
after their last finished job. SIGINT/SIGTERM: claim nothing more, let running runs finish for
--grace seconds, then give the rest back to the queue for another worker.

Options:
  --store URL        PostgreSQL URL of the run, trace and audit stores
                     (default: $WORKFLOW_STORE_URL)
  --labels a,b       Labels this worker carries: it runs only runs whose jobs' runs-on
                     labels it has all of (default: none, so only unlabelled runs)
  --concurrency N    Runs at once (default 4)
  --lease SECONDS    Lease of a claimed run, renewed every third of it (default 30)
  --poll SECONDS     Fallback poll for queued runs and expired leases (default 5)
  --grace SECONDS    At shutdown, how long running runs may go on (default 30)
  --conf DIR         Config folder
`;

const ENQUEUE_HELP = `Usage: workflow enqueue <name> --store postgres://… [options]

Puts a run of a workflow in the run store's queue, for a 'workflow worker' to run, and prints
its run id. The run needs the labels of its jobs' runs-on (type: self-hosted, with: {labels}).

Options:
  -p, --param k=v    A param value (repeatable)
  --params JSON      Param values as a JSON object
  --store URL        PostgreSQL URL of the stores (default: $WORKFLOW_STORE_URL)
  --json             Print {"runId", "labels"} as JSON
  --conf DIR         Config folder
`;

function number(value: unknown, option: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (
    typeof value !== "string" || value.trim() === "" || !Number.isFinite(parsed) || parsed < min
  ) {
    throw new UsageError(`${option} expects a number ≥ ${min}, got '${String(value)}'`);
  }
  return parsed;
}

/** An engine whose stores live at `--store` (else `WORKFLOW_STORE_URL`), with a PostgreSQL
 * run store. */
async function queueEngine(
  values: ParsedValues,
  io: CliIo,
  runLeaseMs?: number,
): Promise<{ engine: Engine; store: PostgresRunStore }> {
  const storeUrl = typeof values.store === "string"
    ? values.store
    : io.runtime.env.get("WORKFLOW_STORE_URL");
  if (storeUrl === undefined || !/^postgres(?:ql)?:/i.test(storeUrl)) {
    throw new UsageError(
      "a worker queue needs a PostgreSQL store: pass --store postgres://user:password@host/db " +
        "or set WORKFLOW_STORE_URL",
    );
  }
  const engine = await Engine.create({
    runtime: io.runtime,
    settings: {
      storeUrl,
      ...(typeof values.conf === "string" ? { confPath: values.conf } : {}),
    },
    ...(runLeaseMs === undefined ? {} : { runLeaseMs }),
  });
  const store = engine.runs as PostgresRunStore | null;
  if (!store || typeof store.claimExpired !== "function") {
    await engine.close();
    throw new UsageError(
      "the run store is not PostgreSQL: a worker queue needs --store postgres://… " +
        "(or WORKFLOW_STORE_URL) for its run records",
    );
  }
  return { engine, store };
}

async function commandEnqueue(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    param: { type: "string", short: "p", multiple: true },
    params: { type: "string" },
    store: { type: "string" },
    json: { type: "boolean" },
  });
  const name = positionals[0];
  if (!name) throw new UsageError("enqueue needs a workflow name");
  const params = collectParams(
    (values.param as string[] | undefined) ?? [],
    values.params as string | undefined,
  );
  const { engine, store } = await queueEngine(values, io);
  try {
    const workflow = engine.workflow(name);
    checkDeclaredParams(workflow, params);
    const runId = engine.newRunId(workflow.name);
    const labels = runnerLabels(workflow);
    await store.enqueue({
      runId,
      workflow: workflow.name,
      params,
      labels,
      queuedAt: io.runtime.clock.now(),
    });
    io.stdout(
      values.json === true
        ? JSON.stringify({ runId, labels }) + "\n"
        : `queued ${runId} (${workflow.name})${
          labels.length ? ` for workers with labels ${labels.join(", ")}` : ""
        }\n`,
    );
    return 0;
  } finally {
    await engine.close();
  }
}

/** A run this worker holds. */
interface Held {
  readonly record: RunRecord;
  readonly cancel: AbortController;
  readonly done: Promise<void>;
}

async function commandWorker(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    store: { type: "string" },
    labels: { type: "string" },
    concurrency: { type: "string" },
    lease: { type: "string" },
    poll: { type: "string" },
    grace: { type: "string" },
  });
  const concurrency = Math.floor(number(values.concurrency, "--concurrency", 4, 1));
  const leaseMs = number(values.lease, "--lease", 30, 0.1) * 1000;
  const pollMs = number(values.poll, "--poll", 5, 0.01) * 1000;
  const graceMs = number(values.grace, "--grace", 30, 0) * 1000;
  const labels = typeof values.labels === "string"
    ? [...new Set(values.labels.split(",").map((l) => l.trim()).filter((l) => l !== ""))].sort()
    : [];
  const { engine, store } = await queueEngine(values, io, leaseMs);
  const clock = io.runtime.clock;
  const owner = engine.owner;
  const audits = engine.audits ?? new MemoryAuditStore();
  const held = new Map<string, Held>();
  const stopping = new AbortController();
  let wake: (() => void) | undefined;
  const poke = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const onStop = () => {
    stopping.abort();
    poke();
  };
  io.signal?.addEventListener("abort", onStop, { once: true });
  const subscriptions: SqlSubscription[] = [];
  let started = 0;
  let takeovers = 0;
  let failed = 0;

  const run = async (record: RunRecord, cancel: AbortSignal): Promise<string> => {
    if (record.release) {
      const report = await release(engine, record.workflow, record.release.logicalDate, {
        audits,
        alias: record.release.name,
        type: record.release.type,
        takeOver: record,
        signal: cancel,
        parentRunId: record.parentRunId,
      });
      return report.status === "SKIPPED_DUPLICATE" ? "SKIP" : report.status;
    }
    const result = await engine.execute(record.workflow, record.params, {
      takeOver: record,
      signal: cancel,
    });
    return result.status;
  };

  const start = (record: ClaimedRunRecord, takenOver: boolean) => {
    started++;
    if (takenOver) takeovers++;
    const kept = Object.entries(record.jobs).filter(([, e]) => e.status === "SUCCESS")
      .map(([id]) => id);
    io.stdout(
      `${takenOver ? "took over" : "claimed"} run ${record.runId} (${record.workflow}) ` +
        `attempt ${record.attempt}${takenOver ? ` from ${record.previousOwner?.id ?? "?"}` : ""}${
          kept.length ? `, keeping ${kept.join(", ")}` : ""
        }\n`,
    );
    const cancel = new AbortController();
    const done = (async () => {
      try {
        const status = await run(record, cancel.signal);
        if (status === "FAILED") failed++;
        io.stdout(`ended run ${record.runId} ${status}\n`);
      } catch (error) {
        failed++;
        const message = error instanceof Error ? error.message : String(error);
        // A run that cannot start (its workflow is gone or invalid) ends here, unless it
        // was taken from us meanwhile.
        try {
          await store.finish(record.runId, record.attempt, {
            status: "FAILED",
            reason: `could not run: ${message}`,
            now: clock.now(),
          });
        } catch (finishError) {
          if (!(finishError instanceof StaleAttemptError)) throw finishError;
        }
        io.stderr(`run ${record.runId} could not run: ${message}\n`);
      } finally {
        held.delete(record.runId);
        poke();
      }
    })();
    held.set(record.runId, { record, cancel, done });
  };

  const cancelRequested = async (runIds: readonly string[]) => {
    for (const runId of await store.cancelRequested(runIds)) {
      const run = held.get(runId);
      if (run && !run.cancel.signal.aborted) {
        io.stdout(`cancelling run ${runId}: cancel requested\n`);
        run.cancel.abort(new Error("cancel requested"));
      }
    }
  };

  try {
    subscriptions.push(await store.onQueued(() => poke()));
    subscriptions.push(
      await store.onCancel((runId) => {
        if (held.has(runId)) cancelRequested([runId]).catch(() => {});
      }),
    );
    io.stdout(
      `worker ${owner.id} on ${hideStore(values, io)}: labels ${
        labels.length ? labels.join(", ") : "(none)"
      }, concurrency ${concurrency}, lease ${leaseMs / 1000}s\n`,
    );
    let lastPoll = 0;
    let storeDown = false;
    while (!stopping.signal.aborted) {
      // Fill free slots: runs whose lease ran out first (they were started long ago), then
      // the oldest queued ones.
      try {
        while (held.size < concurrency && !stopping.signal.aborted) {
          const now = clock.now();
          const options = { now, leaseMs, labels };
          // Our own runs are excepted: a lease we were late renewing (a busy host) is still
          // ours.
          const expired = await store.claimExpired(owner, {
            ...options,
            except: [...held.keys()],
          });
          if (expired) {
            start(expired, true);
            continue;
          }
          const next = await store.claimNext(owner, options);
          if (!next) break;
          start(next, false);
        }
        if (clock.now() - lastPoll >= pollMs) {
          lastPoll = clock.now();
          await cancelRequested([...held.keys()]);
        }
        if (storeDown) {
          storeDown = false;
          io.stdout("the store answers again\n");
        }
      } catch (error) {
        // The database is down or unreachable: keep the runs going (their checkpoints fail
        // and their leases lapse, so others may take them over) and try again after a poll.
        if (!storeDown) {
          io.stderr(
            `the store failed: ${
              error instanceof Error ? error.message : String(error)
            }; retrying every ${pollMs / 1000}s\n`,
          );
        }
        storeDown = true;
      }
      if (stopping.signal.aborted) break;
      const woken = new Promise<void>((resolve) => wake = resolve);
      const timer = new AbortController();
      await Promise.race([
        woken,
        clock.sleep(Math.min(pollMs, leaseMs), { signal: timer.signal }).catch(() => {}),
      ]);
      timer.abort();
      wake = undefined;
    }
    // Shutdown: claim nothing more, let the runs go on for the grace period, then give the
    // rest back to the queue (another worker resumes them after their last finished job).
    if (held.size > 0) {
      io.stdout(`stopping: waiting up to ${graceMs / 1000}s for ${held.size} run(s)\n`);
      const all = Promise.allSettled([...held.values()].map((h) => h.done));
      const timer = new AbortController();
      await Promise.race([all, clock.sleep(graceMs, { signal: timer.signal }).catch(() => {})]);
      timer.abort();
      for (const h of [...held.values()]) {
        try {
          await store.release(h.record.runId, h.record.attempt, clock.now());
          io.stdout(`released run ${h.record.runId} back to the queue\n`);
        } catch (error) {
          if (!(error instanceof StaleAttemptError)) throw error;
        }
        h.cancel.abort(new Error("worker stopping"));
      }
      await all;
    }
    io.stdout(
      `stopped: ${started} run(s) started, ${takeovers} taken over, ${failed} failed\n`,
    );
    return 0;
  } finally {
    io.signal?.removeEventListener("abort", onStop);
    await Promise.allSettled(subscriptions.map((s) => s.close()));
    await engine.close();
  }
}

/** The store's URL without its password, for the start line. */
function hideStore(values: ParsedValues, io: CliIo): string {
  const url = typeof values.store === "string"
    ? values.store
    : io.runtime.env.get("WORKFLOW_STORE_URL") ?? "";
  return hideUrlPassword(url);
}

/** The commands of this module. */
export const WORKER_COMMANDS: Readonly<Record<string, CommandEntry>> = {
  worker: {
    help: WORKER_HELP,
    run: commandWorker,
    usage:
      "worker             Run queued runs from a PostgreSQL store [--labels a,b] [--concurrency N]",
  },
  enqueue: {
    help: ENQUEUE_HELP,
    run: commandEnqueue,
    usage: "enqueue <name>     Queue a run for the workers [-p key=value]... [--json]",
  },
};
