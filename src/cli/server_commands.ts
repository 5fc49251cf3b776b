/**
 * CLI commands of the server area: `serve` runs the HTTP API (and, with `--schedule`, the
 * scheduler) until SIGINT/SIGTERM, then shuts down gracefully.
 *
 * @module
 */

import { createApi, type WorkflowApi } from "../api/app.ts";
import { serve } from "../api/serve.ts";
import { createCliEngine } from "./engine_port.ts";
import { MemoryAuditStore } from "../results/memory_audit_store.ts";
import type { AuditStore } from "../results/audit_store.ts";
import { formatDecision, onDecision, Scheduler } from "../scheduler/scheduler.ts";
import type { CommandEntry } from "./commands.ts";
import { type CliIo, UsageError } from "./_shared.ts";
import { parseCommandArgs } from "./_args.ts";
import { logRuns, withRequestLog } from "./_serve_log.ts";
import { watchConfig } from "./_watch_config.ts";
import { startRecovery } from "./_recover.ts";

const SERVE_HELP = `Usage: workflow serve [options]

Runs the HTTP API (routes under $WORKFLOW_API_PREFIX_PATH, default /api/v1) and the web UI
(/ui; with a token, log in there with it once).

Options:
  --host HOST        Interface to bind (default 127.0.0.1 without a token, 0.0.0.0 with one)
  --port PORT        Port (default 8000; 0 picks a free one)
  --schedule         Also run the scheduler in this process
  --watch            Reload the config when a file in its folder changes (one line per reload)
  --grace-ms MS      On SIGINT/SIGTERM, how long running workflows may finish (default 10000)
  --conf DIR         Config folder
Prints one line per request (method, path, status, duration) and one per run that ends.
Set WORKFLOW_API_TOKEN to require 'Authorization: Bearer <token>' on every route but health.
Without it, only requests addressed to a loopback host (127.0.0.1, localhost, [::1]) and from no
or a loopback Origin are served. Every POST must send 'Content-Type: application/json'.
POST /job/execute (runs a job sent in the body) is off unless WORKFLOW_API_ENABLE_JOB_EXECUTE=true.
`;

function parsePort(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65535) {
    throw new UsageError(`${option} expects an integer from 0 to 65535, got '${text}'`);
  }
  return value;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

async function commandServe(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    host: { type: "string" },
    port: { type: "string" },
    schedule: { type: "boolean" },
    watch: { type: "boolean" },
    "grace-ms": { type: "string" },
  });
  if (positionals.length > 0) {
    throw new UsageError(`serve takes no arguments, got '${positionals[0]}'`);
  }
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const port = parsePort(text(values.port), "--port", 8000);
  const graceMs = parsePort(text(values["grace-ms"]), "--grace-ms", 10_000);
  const engine = await createCliEngine(io, {
    runtime: io.runtime,
    settings: text(values.conf) === undefined ? {} : { confPath: text(values.conf) },
  });
  const stop = new AbortController();
  const signal = io.signal ? AbortSignal.any([io.signal, stop.signal]) : stop.signal;
  let scheduler: Scheduler | undefined;
  let schedulerAudits: AuditStore | undefined;
  let schedulerDone: Promise<unknown> | undefined;
  if (values.schedule) {
    const audits = schedulerAudits = engine.audits ?? new MemoryAuditStore();
    if (!engine.audits) {
      io.stderr(
        "warning: no audit store (set WORKFLOW_LOG_AUDIT_ENABLE_WRITE=true): releases are " +
          "deduplicated in memory only\n",
      );
    }
    scheduler = new Scheduler(engine, { audits, workflows: true });
    onDecision(engine.events, (decision) => io.stdout(formatDecision(decision) + "\n"));
  }
  let api: WorkflowApi;
  try {
    api = createApi(engine, { scheduler });
  } catch (error) {
    await engine.close();
    throw error;
  }
  // The token is the API's setting (WORKFLOW_API_TOKEN), read and checked by createApi.
  const token = api.authRequired;
  const hostname = text(values.host) ?? (token ? "0.0.0.0" : "127.0.0.1");
  if (!token) {
    io.stderr(
      LOOPBACK.has(hostname)
        ? `warning: WORKFLOW_API_TOKEN is not set, so the API has no authentication and listens ` +
          `on ${hostname} only (pass --host to change that)\n`
        : `warning: WORKFLOW_API_TOKEN is not set and --host ${hostname} is not loopback: ` +
          `anyone who can reach this port can run workflows\n`,
    );
  }
  if (api.jobExecuteEnabled) {
    io.stderr(
      `warning: WORKFLOW_API_ENABLE_JOB_EXECUTE is on: POST ${api.prefix}/job/execute runs any ` +
        `job it is sent (shell commands, code)${token ? "" : ", and there is no token"}\n`,
    );
  }
  if (values.watch && !io.runtime.fs.watch) {
    await engine.close();
    throw new UsageError("--watch needs a runtime that can watch files (Deno, Bun or Node)");
  }
  const stopRunLog = logRuns(engine.events, io.stdout);
  // Before taking requests: runs whose process died are resumed (or failed) first.
  const recovery = await startRecovery(
    engine,
    scheduler ? schedulerAudits! : engine.audits,
    io.stdout,
  );
  if (scheduler) {
    for (const run of recovery.runs) {
      if (run.action === "resumed" && run.release) scheduler.adopt(run.release, run.done);
    }
  }
  const server = await serve(withRequestLog(api, io.runtime.clock, io.stdout), { hostname, port });
  io.stdout(
    `listening on ${server.url}${api.prefix}/ (OpenAPI: ${server.url}${api.prefix}/openapi.json)\n`,
  );
  let watchDone: Promise<unknown> | undefined;
  if (values.watch) {
    io.stdout(`watching ${engine.settings.confPath} for changes\n`);
    watchDone = watchConfig(engine, { signal, write: io.stdout }).catch((error: unknown) => {
      io.stderr(
        `error: --watch stopped: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  }
  if (scheduler) {
    schedulerDone = scheduler.start({ signal }).catch((error: unknown) => {
      io.stderr(
        `error: scheduler stopped: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  }
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
  io.stdout(
    `shutting down: waiting up to ${graceMs} ms for ${api.runningCount()} running workflow(s)\n`,
  );
  await server.shutdown(graceMs);
  await recovery.settle(graceMs);
  await schedulerDone;
  await watchDone;
  stopRunLog();
  await engine.close();
  io.stdout("stopped\n");
  return 0;
}

/** Commands by name. */
export const SERVER_COMMANDS: Readonly<Record<string, CommandEntry>> = {
  serve: {
    help: SERVE_HELP,
    run: commandServe,
    usage:
      "serve              Run the HTTP API [--host H] [--port P] [--schedule] [--watch] [--grace-ms MS]",
  },
};
