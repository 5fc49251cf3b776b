/**
 * What the HTTP API and its web UI use of an engine. An `Engine` is one; the API knows the
 * engine only through this port, so it can serve anything that loads config and runs workflows
 * (a test double, a proxy to a remote engine).
 *
 * @module
 */

import type { ConfigIndex } from "../config/loader.ts";
import type { ConfigReport } from "../engine.ts";
import type { ConfigIssue } from "../errors.ts";
import type { Workflow } from "../models/types.ts";
import type { AuditStore } from "../results/audit_store.ts";
import type { RunStore } from "../results/run_store.ts";
import type { TraceStore } from "../results/trace_store.ts";
import type { Runtime } from "../runtime/types.ts";
import type { SchedulerEngine } from "../scheduler/engine_port.ts";

/**
 * The members of an engine that the API routes and pages read. It is a
 * {@linkcode SchedulerEngine} too, since `POST /schedules/{name}/release` runs a release.
 */
export interface ApiEngine extends SchedulerEngine {
  /** The clock runs, pages and shutdown are timed by; the env the API's settings are read from. */
  readonly runtime: Pick<Runtime, "clock" | "env">;
  /** Default time zone of params and schedules; env names masked as secrets. */
  readonly settings: { readonly timezone: string; readonly secretEnv: readonly string[] };
  /** The loaded templates (read each time: a reload replaces them). */
  readonly config: Pick<ConfigIndex, "get" | "names" | "schedule" | "validate" | "workflow">;
  /** Trace store the run and trace routes read unless the API is given its own. */
  readonly traces: TraceStore | null;
  /** Audit store the audit routes and releases use unless the API is given its own. */
  readonly audits: AuditStore | null;
  /** Run store: queued runs for workers (`queue: true`) and cancel requests reach it. */
  readonly runs: RunStore | null;
  /** Traces buffered but not yet written (the `/metrics` backlog gauge). */
  traceBacklog(): number;
  /** Resolves once the trace records of run `runId` seen so far are written. */
  tracesWritten(runId: string): Promise<void>;
  /** Throws `RunIdError` when `runId` is malformed or already used by a stored run. */
  checkRunId(runId: string): Promise<void>;
  /** One issue per stage of `workflows` that this engine's host cannot run. */
  checkHost(workflows?: readonly (string | Workflow)[]): ConfigIssue[];
  /** Reads the config folder again; `ConfigError` when there is none. */
  reloadConfig(options?: { signal?: AbortSignal }): Promise<ConfigReport>;
}
