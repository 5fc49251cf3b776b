/**
 * Audit routes: the releases recorded per workflow.
 *
 * @module
 */

import type { AuditRecord, AuditStore } from "../../results/audit_store.ts";
import { auditToJson, formatReleaseKey } from "../../results/file_audit_store.ts";
import { ERROR } from "../_docs.ts";
import { ApiError } from "../errors.ts";
import { type ApiDeps, json, queryInt, type RouteDefinition } from "../route_table.ts";

/** JSON shape of an audit record: its stored form plus the `release_key` used in routes. */
export function auditJson(record: AuditRecord): Record<string, unknown> {
  return { ...auditToJson(record), release_key: formatReleaseKey(record.release) };
}

/** The audit store. @throws {ApiError} 501 when none is configured. */
export function auditStore(deps: ApiDeps): AuditStore {
  if (!deps.audits) {
    throw new ApiError(
      501,
      "NotConfigured",
      "no audit store is configured: set WORKFLOW_LOG_AUDIT_URL (or WORKFLOW_LOG_AUDIT_PATH " +
        "with WORKFLOW_LOG_AUDIT_ENABLE_WRITE=true)",
    );
  }
  return deps.audits;
}

/**
 * Parses a release time: `YYYYmmddHHMMSS` (UTC, as in audit folder names), or an ISO 8601
 * date-time. @throws {ApiError} 400 naming `field`.
 */
export function parseReleaseTime(text: string, field: string): number {
  const key = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  const ms = key
    ? Date.UTC(+key[1], +key[2] - 1, +key[3], +key[4], +key[5], +key[6])
    : /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)
    ? Date.parse(
      /[T ]\d{2}:\d{2}/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text,
    )
    : NaN;
  if (!Number.isFinite(ms)) {
    throw new ApiError(
      400,
      "BadRequest",
      `'${field}' must be an ISO 8601 date-time (2024-01-01T08:00:00Z) or YYYYmmddHHMMSS, got '${text}'`,
      { field },
    );
  }
  return ms;
}

const PAGING = [
  {
    name: "limit",
    description: "Most records returned (default 100).",
    schema: { type: "integer", minimum: 0 },
  },
  {
    name: "offset",
    description: "Records skipped first.",
    schema: { type: "integer", minimum: 0 },
  },
] as const;

const NOT_CONFIGURED = ERROR("No audit store is configured.");

/** The audit routes. */
export const AUDIT_ROUTES: readonly RouteDefinition[] = [
  {
    method: "get",
    path: "/audits",
    operationId: "listAudits",
    summary: "List audit records of every workflow, newest release first",
    tag: "audits",
    query: PAGING,
    responses: {
      200: { description: "`{audits: [...]}`" },
      400: ERROR("Bad paging."),
      501: NOT_CONFIGURED,
    },
    async handle({ c, deps }) {
      const store = auditStore(deps);
      const limit = queryInt(c, "limit", 100, { max: 10_000 });
      const offset = queryInt(c, "offset", 0);
      return json({ audits: (await store.list(undefined, { limit, offset })).map(auditJson) });
    },
  },
  {
    method: "get",
    path: "/audits/:workflow",
    operationId: "listWorkflowAudits",
    summary: "List audit records of one workflow",
    tag: "audits",
    pathParams: { workflow: "Workflow name." },
    query: PAGING,
    responses: {
      200: { description: "`{workflow, audits: [...]}`" },
      400: ERROR("Bad paging."),
      501: NOT_CONFIGURED,
    },
    async handle({ c, deps }) {
      const store = auditStore(deps);
      const workflow = c.req.param("workflow")!;
      const limit = queryInt(c, "limit", 100, { max: 10_000 });
      const offset = queryInt(c, "offset", 0);
      return json({
        workflow,
        audits: (await store.list(workflow, { limit, offset })).map(auditJson),
      });
    },
  },
  {
    method: "get",
    path: "/audits/:workflow/:release",
    operationId: "getAudit",
    summary: "The audit record of one release (YYYYmmddHHMMSS or ISO date-time)",
    tag: "audits",
    pathParams: {
      workflow: "Workflow name.",
      release: "Release time: YYYYmmddHHMMSS (UTC) or ISO 8601.",
    },
    responses: {
      200: { description: "`{audit}`" },
      400: ERROR("The release time does not parse."),
      404: ERROR("No audit for that release."),
      501: NOT_CONFIGURED,
    },
    async handle({ c, deps }) {
      const store = auditStore(deps);
      const workflow = c.req.param("workflow")!;
      const text = c.req.param("release")!;
      const release = parseReleaseTime(text, "release");
      const record = await store.find(workflow, release);
      if (!record) {
        throw new ApiError(
          404,
          "NotFound",
          `no audit of workflow '${workflow}' for release ${text}`,
        );
      }
      return json({ audit: auditJson(record) });
    },
  },
];
