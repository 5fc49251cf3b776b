/**
 * `createApi(engine, options)`: the HTTP API as a web-standard `fetch` handler (a Hono app
 * behind our own small interface), runnable on any runtime or edge platform.
 *
 * @module
 */

import { type ExecutionContext, Hono } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";
import type { ApiEngine } from "./engine_port.ts";
import { CancelError } from "../errors.ts";
import { API_SETTING_KEYS, readSettings } from "../settings.ts";
import type { AuditStore } from "../results/audit_store.ts";
import type { TraceStore } from "../results/trace_store.ts";
import { ApiError, errorResponse } from "./errors.ts";
import {
  ALLOWED_METHODS,
  checkJsonBody,
  checkLoopbackHost,
  checkLoopbackOrigin,
  checkMethod,
} from "./_request_guard.ts";
import { openApiDocument } from "./openapi.ts";
import { type ApiDeps, fullPath, json, mountRoutes, type RouteDefinition } from "./route_table.ts";
import { AUDIT_ROUTES } from "./routes/audits.ts";
import { JOB_ROUTES } from "./routes/jobs.ts";
import { RUN_ROUTES } from "./routes/runs.ts";
import { RUN_CONTROL_ROUTES } from "./routes/run_control.ts";
import { CONFIG_ROUTES } from "./routes/config.ts";
import { SCHEDULE_ROUTES } from "./routes/schedules.ts";
import { WORKFLOW_ROUTES } from "./routes/workflows.ts";
import { isUiPath, mountUi } from "./ui/mod.ts";
import { RunRegistry } from "./run_registry.ts";
import type { Scheduler } from "../scheduler/scheduler.ts";
import { MemoryAuditStore } from "../results/memory_audit_store.ts";
import { VERSION } from "../version.ts";
import { WorkflowMetrics } from "../telemetry/metrics.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../telemetry/prometheus.ts";

/** Options of {@linkcode createApi}. */
export interface ApiOptions {
  /** Read by the run and trace routes for runs this API did not start. @default `engine.traces` */
  readonly traces?: TraceStore;
  /** Read by the audit routes; checked and written by releases. @default `engine.audits` */
  readonly audits?: AuditStore;
  /** An in-process scheduler whose decisions `GET {prefix}/schedules/decisions` shows. */
  readonly scheduler?: Pick<Scheduler, "decisions">;
  /** Bearer token every route but health requires. @default env `WORKFLOW_API_TOKEN` (none if unset) */
  readonly token?: string;
  /** Prefix of the versioned routes. @default env `WORKFLOW_API_PREFIX_PATH`, else `/api/v1` */
  readonly prefix?: string;
  /** Largest accepted request body, bytes. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** Deepest nesting of arrays and objects accepted in a JSON body. @default 64 */
  readonly maxBodyDepth?: number;
  /**
   * Serve `POST {prefix}/job/execute`, which runs a job defined in the request body (any
   * shell command or code): off unless enabled, answered 403 then.
   * @default env `WORKFLOW_API_ENABLE_JOB_EXECUTE` (true/false), else false
   */
  readonly enableJobExecute?: boolean;
  /** Most runs remembered in memory. @default 1000 */
  readonly maxRuns?: number;
  /** Serve `GET /metrics` (Prometheus text) counted from the engine's events while this API
   * is up. @default true */
  readonly metrics?: boolean;
  /**
   * Serve the web UI under `/ui` (pages for workflows, runs, schedules and audits; a browser
   * logs in with the token). @default true
   */
  readonly ui?: boolean;
}

/** A registered route, as Hono holds it. */
export interface RegisteredRoute {
  /** HTTP method, upper case. */
  readonly method: string;
  /** Hono path pattern, e.g. `/api/v1/runs/:run_id`. */
  readonly path: string;
}

/** Options of {@linkcode WorkflowApi.close}. */
export interface ApiCloseOptions {
  /** How long running workflows may take to finish before they are cancelled, ms. @default 10000 */
  readonly graceMs?: number;
}

/** The part of a host's per-request context the API uses (a Cloudflare Worker's `ctx`). */
export interface ExecutionContextLike {
  /** Keeps the request's work alive until `promise` settles, after the response is sent. */
  waitUntil(promise: Promise<unknown>): void;
}

/** The HTTP API: a `fetch` handler plus helpers. */
export interface WorkflowApi {
  /** Prefix of the versioned routes, e.g. `/api/v1`. */
  readonly prefix: string;
  /** `true` when a bearer token is required. */
  readonly authRequired: boolean;
  /**
   * Answers a request: hand it to any web-standard server, or use it as a Worker's `fetch`
   * handler (`export default { fetch: api.fetch }`): given the host's `executionContext`, an
   * async run (`"async": true`) is kept alive through its `waitUntil` after the `202`.
   */
  fetch(
    request: Request,
    env?: unknown,
    executionContext?: ExecutionContextLike,
  ): Promise<Response>;
  /** `true` when `POST {prefix}/job/execute` runs jobs (see `ApiOptions.enableJobExecute`). */
  readonly jobExecuteEnabled: boolean;
  /** Answers a request for `path` on `http://localhost` (for tests and in-process calls). */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** The API routes registered on the underlying app (those the OpenAPI document lists; the
   * web UI's pages under `/ui` are not API routes). */
  routes(): RegisteredRoute[];
  /** The OpenAPI 3.1 document. */
  openApi(): Record<string, unknown>;
  /** Number of runs started through the API that have not ended. */
  runningCount(): number;
  /**
   * Refuses new runs (503), waits up to `graceMs` for running ones, cancels the rest and
   * ends every event stream.
   */
  close(options?: ApiCloseOptions): Promise<void>;
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/\/+$/, "");
  if (trimmed === "") return "";
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

const HEALTH_MESSAGE = "Workflow already start up with healthy status.";

/**
 * Creates the HTTP API over `engine`.
 *
 * @param engine The engine whose workflows, runs and stores the API serves.
 * @param options Token, prefix, stores, limits; see {@linkcode ApiOptions}.
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const api = createApi(engine, { token: "s3cret" });
 * const res = await api.request("/api/v1/workflows", { headers: { authorization: "Bearer s3cret" } });
 * ```
 *
 * @throws {ConfigError} listing every bad API setting: an option (`options.token`,
 *   `options.prefix`, `options.enableJobExecute`) or, when the option is not given, its
 *   `WORKFLOW_API_*` variable (e.g. `WORKFLOW_API_ENABLE_JOB_EXECUTE` that is not a boolean).
 */
export function createApi(engine: ApiEngine, options: ApiOptions = {}): WorkflowApi {
  // The options win over the environment, checked the same way as the engine's settings.
  const settings = readSettings((name) => engine.runtime.env.get(name), {
    apiPrefix: options.prefix,
    apiToken: options.token,
    apiEnableJobExecute: options.enableJobExecute,
  }, {
    keys: API_SETTING_KEYS,
    labels: {
      apiPrefix: "options.prefix",
      apiToken: "options.token",
      apiEnableJobExecute: "options.enableJobExecute",
    },
  });
  const prefix = normalizePrefix(settings.apiPrefix);
  const token = settings.apiToken;
  const authRequired = token !== "";
  const enableJobExecute = settings.apiEnableJobExecute;
  // Made on first use, not here: edge hosts refuse an AbortController at a Worker's module
  // scope, where `createApi` is usually called.
  let shutdown: AbortController | undefined;
  const shutdownController = () => (shutdown ??= new AbortController());
  let closing = false;
  const runs = new RunRegistry({ maxRuns: options.maxRuns });
  const audits = options.audits ?? engine.audits ?? undefined;
  const deps: ApiDeps = {
    engine,
    traces: options.traces ?? engine.traces ?? undefined,
    audits,
    scheduler: options.scheduler,
    runs,
    releaseAudits: audits ?? new MemoryAuditStore(),
    prefix,
    maxBodyBytes: options.maxBodyBytes ?? 1 << 20,
    maxBodyDepth: Math.max(1, options.maxBodyDepth ?? 64),
    enableJobExecute,
    isClosing: () => closing,
    get shutdownSignal() {
      return shutdownController().signal;
    },
  };

  const routes: RouteDefinition[] = [];
  const document = () => openApiDocument(routes, { prefix, auth: authRequired });
  const health: RouteDefinition = {
    method: "get",
    path: "/",
    public: true,
    operationId: "health",
    summary: "Health check",
    tag: "health",
    responses: { 200: { description: '`{message, status: "ok", version}`' } },
    handle: () => json({ message: HEALTH_MESSAGE, status: "ok", version: VERSION }),
  };
  routes.push({ ...health, root: true, operationId: "healthRoot" });
  let detachMetrics = () => {};
  if (options.metrics !== false) {
    const metrics = new WorkflowMetrics({
      scheduler: options.scheduler !== undefined,
      traceBacklog: engine.traces ? () => engine.traceBacklog() : undefined,
    });
    detachMetrics = metrics.attach(engine.events);
    routes.push({
      method: "get",
      path: "/metrics",
      root: true,
      operationId: "metrics",
      summary: "Run metrics in the Prometheus text format",
      tag: "health",
      responses: {
        200: {
          description: "Counters, gauges and histograms of runs, stages, scheduler lag and " +
            "the trace writer's backlog, since this API started.",
          contentType: "text/plain",
        },
      },
      handle: () =>
        new Response(metrics.render(), {
          headers: { "content-type": PROMETHEUS_CONTENT_TYPE },
        }),
    });
  }
  if (prefix !== "") routes.push(health);
  routes.push(
    {
      method: "get",
      path: "/openapi.json",
      operationId: "openApi",
      summary: "This API's OpenAPI 3.1 document",
      tag: "health",
      responses: { 200: { description: "The OpenAPI document." } },
      handle: () => json(document()),
    },
    ...WORKFLOW_ROUTES,
    ...CONFIG_ROUTES,
    ...SCHEDULE_ROUTES,
    ...RUN_ROUTES,
    ...RUN_CONTROL_ROUTES,
    ...AUDIT_ROUTES,
    ...JOB_ROUTES,
  );

  const publicPaths = new Set(routes.filter((r) => r.public).map((r) => fullPath(r, prefix)));
  const app = new Hono();
  app.onError((error) => errorResponse(error));
  app.notFound((c) =>
    errorResponse(new ApiError(404, "NotFound", `no route for ${c.req.method} ${c.req.path}`))
  );
  // Every request, in this order: a method the API answers (405); without a token, a loopback
  // Host and Origin (403); with one, the bearer token (401); then a JSON body (415).
  const ui = options.ui !== false;
  app.use("*", async (c, next) => {
    // The UI answers its own requests in HTML: same rules, with a session cookie in place of
    // the bearer header and form bodies in place of JSON (see ./ui/mod.ts).
    if (ui && isUiPath(c.req.path)) return await next();
    const request = c.req.raw;
    const refused = checkMethod(request.method) ??
      (authRequired ? undefined : checkLoopbackHost(request) ?? checkLoopbackOrigin(request));
    if (refused) {
      return errorResponse(
        refused,
        refused.status === 405 ? { allow: ALLOWED_METHODS.join(", ") } : undefined,
      );
    }
    if (authRequired && !publicPaths.has(c.req.path)) {
      const header = c.req.header("authorization") ?? "";
      const match = /^Bearer\s+(.+)$/i.exec(header.trim());
      // Not `hono/bearer-auth`: it answers a malformed header 400 and errors as text, where
      // the API answers 401 with its JSON error; the comparison is Hono's, in constant time.
      if (!match || !(await timingSafeEqual(match[1], token))) {
        return errorResponse(
          new ApiError(
            401,
            "Unauthorized",
            match
              ? "the bearer token is wrong"
              : "this route needs an 'Authorization: Bearer <token>' header",
          ),
          { "www-authenticate": 'Bearer realm="workflow"' },
        );
      }
    }
    const notJson = checkJsonBody(request);
    if (notJson) return errorResponse(notJson);
    await next();
  });
  mountRoutes(app, routes, deps);
  if (ui) {
    mountUi(app, deps, {
      token,
      fetch: async (request, c) => {
        let context: ExecutionContext | undefined;
        try {
          context = c.executionCtx;
        } catch {
          context = undefined; // no execution context (Deno, Bun, Node, app.request())
        }
        return await app.fetch(request, c.env, context);
      },
    });
  }

  return {
    prefix,
    authRequired,
    jobExecuteEnabled: enableJobExecute,
    fetch: async (request, env, executionContext) =>
      // Hono's type also wants `passThroughOnException` and `props`, which it never calls.
      await app.fetch(request, env, executionContext as ExecutionContext | undefined),
    request: async (path, init) => await app.request(path, init),
    routes: () =>
      app.routes
        .filter((r) => r.method !== "ALL" && !(ui && isUiPath(r.path)))
        .map((r) => ({ method: r.method, path: r.path })),
    openApi: document,
    runningCount: () => runs.inFlight().length,
    async close(closeOptions = {}) {
      closing = true;
      const graceMs = closeOptions.graceMs ?? 10_000;
      const running = runs.inFlight();
      if (running.length) {
        const grace = new AbortController();
        const timer = engine.runtime.clock.sleep(graceMs, { signal: grace.signal }).catch(() => {});
        await Promise.race([Promise.all(running.map((r) => r.settled)), timer]);
        grace.abort();
        for (const run of runs.inFlight()) {
          run.controller.abort(new CancelError("the server is shutting down"));
        }
        await Promise.all(running.map((r) => r.settled));
      }
      shutdownController().abort(new CancelError("the server is shutting down"));
      detachMetrics();
    },
  };
}
