/**
 * Shared OpenAPI fragments of the route table.
 *
 * @module
 */

import { MAX_RUN_ID_LENGTH, RUN_ID_PATTERN } from "../executor/ids.ts";
import type { JsonSchema } from "./_schema.ts";
import type { ResponseDoc } from "./route_table.ts";

/** Schema of every error body. */
export const ERROR_SCHEMA: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["name", "message"],
      properties: {
        name: { type: "string", description: "Stable error name, e.g. `ParamError`." },
        message: { type: "string" },
        field: { type: "string", description: "The request field at fault, when there is one." },
      },
    },
  },
};

/** A documented error response. */
export function ERROR(description: string): ResponseDoc {
  return { description, schema: ERROR_SCHEMA };
}

const STATUS: JsonSchema = {
  type: "string",
  enum: ["SUCCESS", "FAILED", "SKIP", "CANCEL", "WAIT"],
};

/** Schema of a masked run result. */
export const RESULT: JsonSchema = {
  type: "object",
  properties: {
    status: STATUS,
    run_id: { type: "string" },
    parent_run_id: { type: "string", nullable: true },
    context: { type: "object", description: "`{params, jobs, status, info, errors?}`, masked." },
  },
};

/** Schema of a run status. */
export const STATUS_SCHEMA = STATUS;

/** Schema of a run id given by a client (body field or path parameter). */
export const RUN_ID_SCHEMA: JsonSchema = {
  type: "string",
  maxLength: MAX_RUN_ID_LENGTH,
  pattern: RUN_ID_PATTERN.source,
  description: `letters, digits, '.', '_' and '-', starting with a letter or digit, at most ` +
    `${MAX_RUN_ID_LENGTH} characters`,
};
