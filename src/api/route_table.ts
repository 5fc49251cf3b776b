/**
 * The route table: one list of route definitions that both registers the Hono routes and
 * produces the OpenAPI document, so the two cannot drift apart.
 *
 * @module
 */

import type { Context, Hono, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ApiEngine } from "./engine_port.ts";
import type { AuditStore } from "../results/audit_store.ts";
import type { TraceStore } from "../results/trace_store.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { checkSchema, type JsonSchema } from "./_schema.ts";
import type { RunRegistry } from "./run_registry.ts";
import type { Scheduler } from "../scheduler/scheduler.ts";

/** Everything a route handler may use. */
export interface ApiDeps {
  readonly engine: ApiEngine;
  readonly traces?: TraceStore;
  readonly audits?: AuditStore;
  readonly scheduler?: Pick<Scheduler, "decisions">;
  readonly runs: RunRegistry;
  /** Where releases check and write audits (a memory store when none is configured). */
  readonly releaseAudits: AuditStore;
  /** Path prefix of the versioned routes, e.g. `/api/v1`. */
  readonly prefix: string;
  /** Largest accepted request body, bytes. */
  readonly maxBodyBytes: number;
  /** Deepest nesting of arrays and objects accepted in a JSON body. */
  readonly maxBodyDepth: number;
  /** `POST /job/execute` runs jobs. */
  readonly enableJobExecute: boolean;
  /** `true` once shutdown has begun: new runs are refused. */
  readonly isClosing: () => boolean;
  /** Aborted when the API shuts down (ends event streams). */
  readonly shutdownSignal: AbortSignal;
}

/** What a handler receives. */
export interface RouteRequest {
  /** The Hono context (path params, query, headers). */
  readonly c: Context;
  readonly deps: ApiDeps;
  /** The validated JSON body (`{}` when the route takes an optional body and none was sent). */
  readonly body: Record<string, unknown>;
}

/** A documented path parameter: its description, or a description and a schema it must meet. */
export type PathParam = string | { readonly description: string; readonly schema: JsonSchema };

/** One documented query parameter. */
export interface QueryParam {
  readonly name: string;
  readonly description: string;
  readonly schema: JsonSchema;
}

/** One documented response. */
export interface ResponseDoc {
  readonly description: string;
  readonly schema?: JsonSchema;
  /** @default "application/json" */
  readonly contentType?: string;
}

/** One route. */
export interface RouteDefinition {
  readonly method: "get" | "post";
  /** Hono path relative to the prefix (`/workflows/:name`), or absolute when `root` is set. */
  readonly path: string;
  /** The path is not under the prefix (the health route `/`). */
  readonly root?: boolean;
  /** Needs no bearer token (health). */
  readonly public?: boolean;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Path parameters by name (every `:name` in `path` must be described); those with a
   * schema are checked before the handler runs (400 naming the parameter). */
  readonly pathParams?: Readonly<Record<string, PathParam>>;
  readonly query?: readonly QueryParam[];
  /** Documented request headers (read by the handler itself). */
  readonly headers?: readonly QueryParam[];
  /** JSON body schema; the body is validated against it before the handler runs. */
  readonly body?: JsonSchema;
  /** The body may be left out entirely. @default false */
  readonly bodyOptional?: boolean;
  /** Refuses the request before its body is read (a route switched off, say). */
  readonly refuse?: (deps: ApiDeps) => ApiError | undefined;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  readonly handle: (request: RouteRequest) => Response | Promise<Response>;
}

/** The full path of a route under `prefix`. */
export function fullPath(route: RouteDefinition, prefix: string): string {
  if (route.root) return route.path;
  return route.path === "/" ? `${prefix}/` : `${prefix}${route.path}`;
}

/**
 * Registers every route of `routes` on `app`. Per route, in this order: `refuse` and the path
 * parameters (before the body is read), the body size (`hono/body-limit`: the declared
 * `Content-Length`, else counted while reading a chunked body; 413 `PayloadTooLarge`), then
 * the body itself and the handler.
 */
export function mountRoutes(app: Hono, routes: readonly RouteDefinition[], deps: ApiDeps): void {
  const limitBody = bodyLimit({
    maxSize: deps.maxBodyBytes,
    onError: () => {
      throw tooLarge(deps.maxBodyBytes);
    },
  });
  for (const route of routes) {
    const path = fullPath(route, deps.prefix);
    const check: MiddlewareHandler = async (c, next) => {
      const refused = route.refuse?.(deps);
      if (refused) throw refused;
      checkPathParams(c, route);
      await next();
    };
    const handler = async (c: Context): Promise<Response> => {
      const body = route.body ? await readBody(c, route, deps) : {};
      return route.handle({ c, deps, body });
    };
    if (route.method === "get") app.get(path, check, handler);
    else if (route.body) app.post(path, check, limitBody, handler);
    else app.post(path, check, handler);
  }
}

function checkPathParams(c: Context, route: RouteDefinition): void {
  for (const [name, param] of Object.entries(route.pathParams ?? {})) {
    if (typeof param === "string") continue;
    const issue = checkSchema(param.schema, c.req.param(name), name);
    if (issue) {
      throw new ApiError(400, "BadRequest", `path parameter '${name}' ${issue.message}`, {
        field: name,
      });
    }
  }
}

/** Reads (its size checked already), depth-checks, parses and validates the JSON body of a
 * request. */
async function readBody(
  c: Context,
  route: RouteDefinition,
  deps: ApiDeps,
): Promise<Record<string, unknown>> {
  const text = await readUtf8(c.req.raw, deps.maxBodyBytes);
  if (text.trim() === "") {
    if (route.bodyOptional) return {};
    throw new ApiError(400, "BadRequest", "request body is empty: send a JSON object");
  }
  // Checked on the text, before parsing: nothing downstream (masking, templates, stores)
  // then meets data nested deep enough to exhaust the stack.
  if (jsonDepthExceeds(text, deps.maxBodyDepth)) {
    throw new ApiError(
      400,
      "BodyTooDeep",
      `request body nests arrays and objects more than ${deps.maxBodyDepth} levels deep ` +
        `(the limit): send flatter data`,
      { extra: { max_depth: deps.maxBodyDepth } },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      400,
      "InvalidJson",
      `request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const issue = checkSchema(route.body!, value);
  if (issue) {
    const what = issue.field ? `field '${issue.field}'` : "request body";
    throw new ApiError(400, "BadRequest", `${what} ${issue.message}`, {
      ...(issue.field ? { field: issue.field } : {}),
    });
  }
  return value as Record<string, unknown>;
}

/**
 * `true` when the JSON `text` opens more than `maxDepth` arrays/objects inside one another
 * (brackets inside strings do not count). Runs in one pass without recursion.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, "PayloadTooLarge", `request body is larger than ${maxBytes} bytes`);
}

async function readUtf8(request: Request, maxBytes: number): Promise<string> {
  const bytes = await request.arrayBuffer();
  // `hono/body-limit` trusts a declared `Content-Length`, which the host's HTTP layer holds
  // the body to; a `Request` built in-process (`api.request()`) may still claim less.
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, "InvalidJson", "request body is not valid UTF-8");
  }
}

/** Reads a non-negative integer query parameter. @throws {ApiError} 400 naming it. */
export function queryInt(
  c: Context,
  name: string,
  fallback: number | undefined,
  bounds: { min?: number; max?: number } = {},
): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  const min = bounds.min ?? 0;
  if (!/^\d+$/.test(raw) || value < min || (bounds.max !== undefined && value > bounds.max)) {
    const range = bounds.max === undefined
      ? `an integer >= ${min}`
      : `an integer from ${min} to ${bounds.max}`;
    throw new ApiError(
      400,
      "BadRequest",
      `query parameter '${name}' must be ${range}, got '${raw}'`,
      {
        field: name,
      },
    );
  }
  return value;
}

/** A JSON response. */
export function json(data: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/**
 * Keeps `work` (an async run) going after the response on hosts that end a request's work
 * with its response: a Cloudflare Worker's `waitUntil`, when the request came with an
 * execution context. Elsewhere the work runs on by itself. `work` never rejects unhandled.
 */
export function keepAlive(c: Context, work: Promise<unknown>): void {
  const settled = work.then(() => {}, () => {});
  let context: { waitUntil(promise: Promise<unknown>): void };
  try {
    context = c.executionCtx;
  } catch {
    return; // no execution context (Deno, Bun, Node, app.request())
  }
  context.waitUntil(settled);
}

/**
 * Answers `202` for a run that goes on after the response: the run is kept alive through the
 * host's `waitUntil`, and `Location`, `status_url` and `events_url` name it.
 *
 * @param c The request's context.
 * @param prefix The API's route prefix.
 * @param run The run's id and the promise of its end.
 * @param fields What else the body says about the run (`run_id` and the URLs come last).
 */
export function acceptedRun(
  c: Context,
  prefix: string,
  run: { runId: string; done: Promise<unknown> },
  fields: Record<string, unknown>,
): Response {
  keepAlive(c, run.done);
  const location = `${prefix}/runs/${encodeURIComponent(run.runId)}`;
  return json(
    { run_id: run.runId, ...fields, status_url: location, events_url: `${location}/events` },
    202,
    { location },
  );
}

/** Re-export for handlers that answer errors themselves. */
export { errorResponse };
