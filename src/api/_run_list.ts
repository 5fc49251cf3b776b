/**
 * `GET /runs`: its query (filters, a page size and an opaque cursor), checked into trace-store
 * options, and the page built from the runs this API remembers and those in the trace store.
 *
 * Pages are keyset pages on (start, run id), newest first: a cursor names the last run of the
 * page it came with, and the next page starts after it, so runs starting meanwhile neither
 * repeat nor hide a run on the next page.
 *
 * @module
 */

import type { Context } from "hono";
import type { Status } from "../models/types.ts";
import {
  compareRunKeys,
  type ListRunsOptions,
  type RunKey,
  runMatches,
  type RunSummary,
} from "../results/trace_store.ts";
import { apiRunRow, summaryRow } from "./_run_rows.ts";
import { ApiError } from "./errors.ts";
import { type ApiDeps, queryInt, type QueryParam } from "./route_table.ts";

/** The run statuses a `status` filter accepts. */
export const RUN_STATUSES: readonly Status[] = ["SUCCESS", "FAILED", "SKIP", "CANCEL", "WAIT"];

/** Runs per page when `limit` is not given. */
export const DEFAULT_RUN_PAGE = 100;
/** Most runs per page. */
export const MAX_RUN_PAGE = 1000;

/** The documented query parameters of `GET /runs`. */
export const RUN_LIST_QUERY: readonly QueryParam[] = [
  { name: "workflow", description: "Only runs of this workflow.", schema: { type: "string" } },
  {
    name: "status",
    description: "Only runs with this status.",
    schema: { type: "string", enum: RUN_STATUSES },
  },
  {
    name: "since",
    description: "Only runs started at or after this ISO 8601 date-time (or date).",
    schema: { type: "string", format: "date-time" },
  },
  {
    name: "until",
    description: "Only runs started before this ISO 8601 date-time (or date).",
    schema: { type: "string", format: "date-time" },
  },
  {
    name: "limit",
    description: `Most runs returned, 1 to ${MAX_RUN_PAGE} (default ${DEFAULT_RUN_PAGE}).`,
    schema: { type: "integer", minimum: 1, maximum: MAX_RUN_PAGE },
  },
  {
    name: "cursor",
    description: "The `next_cursor` of the previous page (opaque): the page after it.",
    schema: { type: "string" },
  },
  {
    name: "offset",
    description: "Deprecated (use `cursor`): runs skipped first; not with `cursor`.",
    schema: { type: "integer", minimum: 0 },
  },
];

// Dates as ISO 8601 writes them: a date, or a date-time with an optional zone.
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

function badQuery(name: string, message: string): ApiError {
  return new ApiError(400, "BadRequest", `query parameter '${name}' ${message}`, { field: name });
}

function queryDate(c: Context, name: string): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  let ms = NaN;
  if (ISO_DATE.test(raw)) {
    let text = raw.replace(" ", "T");
    // A date-time without a zone is UTC (as a bare date is), not the server's local time.
    if (text.includes("T") && !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text)) text += "Z";
    ms = Date.parse(text);
  }
  if (!Number.isFinite(ms)) {
    throw badQuery(
      name,
      `must be an ISO 8601 date or date-time (e.g. 2024-01-31 or 2024-01-31T10:00:00Z), ` +
        `got '${raw}'`,
    );
  }
  return ms;
}

function base64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder("utf-8", { fatal: true }).decode(
    Uint8Array.from(binary, (char) => char.charCodeAt(0)),
  );
}

/** The opaque cursor naming `key` (the last run of a page). */
export function encodeRunCursor(key: RunKey): string {
  return base64Url(JSON.stringify([key.start, key.runId]));
}

/** The run a cursor names. @throws {ApiError} 400 naming `cursor` when it is not one. */
export function decodeRunCursor(cursor: string): RunKey {
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw new Error("not base64url");
    value = JSON.parse(fromBase64Url(cursor));
  } catch {
    value = undefined;
  }
  if (
    !Array.isArray(value) || value.length !== 2 || !Number.isFinite(value[0]) ||
    typeof value[1] !== "string"
  ) {
    throw badQuery(
      "cursor",
      "is not a cursor this API gave: pass the `next_cursor` of the previous page as it is",
    );
  }
  return { start: value[0], runId: value[1] };
}

/** What the query of `GET /runs` asks for. */
export interface RunListQuery {
  /** Filters and keyset for the trace store (without paging). */
  readonly filter: ListRunsOptions;
  /** Runs on the page. */
  readonly limit: number;
  /** Deprecated offset paging (only without a cursor). */
  readonly offset: number;
}

/** Reads and checks the query. @throws {ApiError} 400 naming the bad parameter. */
export function readRunListQuery(c: Context): RunListQuery {
  const workflow = c.req.query("workflow") || undefined;
  const statusText = c.req.query("status");
  let status: Status | undefined;
  if (statusText !== undefined && statusText !== "") {
    const upper = statusText.toUpperCase() as Status;
    if (!RUN_STATUSES.includes(upper)) {
      throw badQuery("status", `must be one of ${RUN_STATUSES.join(", ")}, got '${statusText}'`);
    }
    status = upper;
  }
  const since = queryDate(c, "since");
  const until = queryDate(c, "until");
  const limit = queryInt(c, "limit", DEFAULT_RUN_PAGE, { min: 1, max: MAX_RUN_PAGE })!;
  const offset = queryInt(c, "offset", 0)!;
  const cursorText = c.req.query("cursor");
  const after = cursorText ? decodeRunCursor(cursorText) : undefined;
  if (after && offset > 0) {
    throw badQuery(
      "offset",
      "cannot be combined with 'cursor': a cursor already says where to go on",
    );
  }
  return { filter: { workflow, status, since, until, after }, limit, offset };
}

interface Listed {
  readonly key: RunKey;
  readonly row: Record<string, unknown>;
}

/**
 * One page of runs: those this API remembers and those in the trace store that pass the
 * filters, newest first, with the cursor of the next page (`null` on the last page).
 */
export async function listRunsPage(
  deps: ApiDeps,
  query: RunListQuery,
): Promise<{ runs: Record<string, unknown>[]; next_cursor: string | null }> {
  const { filter, limit, offset } = query;
  const want = offset + limit + 1; // one more than the page tells whether another follows
  const listed = new Map<string, Listed>();
  for (const run of deps.runs.list()) {
    const summary: RunSummary = {
      runId: run.runId,
      workflow: run.workflow,
      status: run.status,
      start: run.startedAt ?? run.acceptedAt,
    };
    if (runMatches(summary, filter)) listed.set(run.runId, { key: summary, row: apiRunRow(run) });
  }
  if (deps.traces) {
    for (const summary of await deps.traces.listRuns({ ...filter, limit: want })) {
      if (!listed.has(summary.runId)) {
        listed.set(summary.runId, { key: summary, row: summaryRow(summary) });
      }
    }
  }
  const sorted = [...listed.values()].sort((a, b) => compareRunKeys(a.key, b.key));
  const page = sorted.slice(offset, offset + limit);
  const more = sorted.length > offset + limit;
  return {
    runs: page.map((entry) => entry.row),
    next_cursor: more && page.length > 0 ? encodeRunCursor(page[page.length - 1].key) : null,
  };
}
