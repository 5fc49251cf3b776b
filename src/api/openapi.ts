/**
 * The OpenAPI 3.1 document, generated from the same route table that registers the routes.
 *
 * @module
 */

import { VERSION } from "../version.ts";
import type { JsonSchema } from "./_schema.ts";
import { fullPath, type PathParam, type RouteDefinition } from "./route_table.ts";

/** Options of {@linkcode openApiDocument}. */
export interface OpenApiOptions {
  /** Prefix of the versioned routes. */
  readonly prefix: string;
  /** A bearer token is required on non-public routes. */
  readonly auth: boolean;
}

/** Converts a Hono path (`/runs/:run_id`) to an OpenAPI one (`/runs/{run_id}`). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function pathParamDoc(param: PathParam | undefined): { description: string; schema: JsonSchema } {
  if (param === undefined || typeof param === "string") {
    return { description: param ?? "", schema: { type: "string" } };
  }
  return param;
}

/** Builds the OpenAPI 3.1 document of `routes`. */
export function openApiDocument(
  routes: readonly RouteDefinition[],
  options: OpenApiOptions,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(fullPath(route, options.prefix));
    const names = [...fullPath(route, options.prefix).matchAll(/:([A-Za-z0-9_]+)/g)].map((m) =>
      m[1]
    );
    const parameters = [
      ...names.map((name) => ({
        name,
        in: "path",
        required: true,
        ...pathParamDoc(route.pathParams?.[name]),
      })),
      ...(route.query ?? []).map((q) => ({
        name: q.name,
        in: "query",
        required: false,
        description: q.description,
        schema: q.schema,
      })),
      ...(route.headers ?? []).map((h) => ({
        name: h.name,
        in: "header",
        required: false,
        description: h.description,
        schema: h.schema,
      })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [code, doc] of Object.entries(route.responses)) {
      const type = doc.contentType ?? "application/json";
      responses[code] = {
        description: doc.description,
        content: { [type]: doc.schema ? { schema: doc.schema } : {} },
      };
    }
    const error = (description: string) => ({ description, content: { "application/json": {} } });
    if (Object.values(route.pathParams ?? {}).some((p) => typeof p !== "string")) {
      responses["400"] ??= error("A malformed path parameter (`field` names it).");
    }
    if (options.auth && !route.public) {
      responses["401"] = error("Missing or wrong bearer token.");
    }
    if (!options.auth) {
      responses["403"] ??= error(
        "Without a token: the `Host` header is not loopback, or the `Origin` header is not a " +
          "loopback http(s) origin.",
      );
    }
    if (route.method === "post") {
      responses["415"] = error("`Content-Type` is not `application/json`.");
    }
    if (route.body) responses["413"] ??= { description: "The body is too large." };
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
          requestBody: {
            required: !route.bodyOptional,
            content: { "application/json": { schema: route.body } },
          },
        }
        : {}),
      responses,
      ...(route.public ? { security: [] } : {}),
    };
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "ddeutil-workflow API",
      version: VERSION,
      description: "Trigger, watch and inspect workflows. Errors are " +
        "`{error: {name, message, field?}}`. Every POST must send `Content-Type: " +
        "application/json` (415 otherwise); methods other than GET, HEAD and POST are 405." +
        (options.auth ? "" : " Without a token, only requests addressed to a loopback host " +
          "(127.0.0.1, localhost, [::1]) from no or a loopback `Origin` are served (403)."),
    },
    paths,
    components: options.auth
      ? { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } }
      : {},
    ...(options.auth ? { security: [{ bearer: [] }] } : {}),
  };
}
