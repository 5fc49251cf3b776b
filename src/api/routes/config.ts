/**
 * Config routes: read the config folder again without a restart.
 *
 * @module
 */

import { ConfigError } from "../../errors.ts";
import { ERROR } from "../_docs.ts";
import type { JsonSchema } from "../_schema.ts";
import { ApiError } from "../errors.ts";
import { json, type RouteDefinition } from "../route_table.ts";

const REPORT: JsonSchema = {
  type: "object",
  properties: {
    ok: { type: "boolean" },
    count: { type: "integer", description: "Templates in the folder read." },
    issues: { type: "array", items: { type: "object" } },
  },
};

/** The config routes. */
export const CONFIG_ROUTES: readonly RouteDefinition[] = [
  {
    method: "post",
    path: "/config/reload",
    operationId: "reloadConfig",
    summary: "Read the config folder again; a config with errors leaves the old one in place",
    tag: "workflows",
    body: { type: "object", additionalProperties: false, properties: {} },
    bodyOptional: true,
    responses: {
      200: {
        description: "`{ok: true, count, issues}`: the new config serves every run started " +
          "from now on (`issues` holds warnings only).",
        schema: REPORT,
      },
      409: ERROR("The engine was given its config in code: there is no folder to read."),
      422: {
        description: "`{ok: false, count, issues}`: the folder has errors; the old config stays.",
        schema: REPORT,
      },
    },
    async handle({ deps }) {
      let report;
      try {
        report = await deps.engine.reloadConfig();
      } catch (error) {
        if (error instanceof ConfigError) {
          throw new ApiError(409, "ConfigNotReloadable", error.message);
        }
        throw error;
      }
      return json(report, report.ok ? 200 : 422);
    },
  },
];
