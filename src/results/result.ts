/**
 * The JSON form of the `Result` every execute returns (masked by construction), for the CLI,
 * the API and audits.
 *
 * @module
 */

import type { Status } from "../models/types.ts";
import type { Result } from "../executor/workflow_runner.ts";

/** JSON shape of a {@linkcode Result}: snake_case ids, `parent_run_id: null` when absent. */
export interface ResultJson {
  /** Final status. */
  readonly status: Status;
  /** Id of this run. */
  readonly run_id: string;
  /** Id of the parent run, or `null`. */
  readonly parent_run_id: string | null;
  /** JSON-safe (and masked) context. */
  readonly context: Record<string, unknown>;
}

/**
 * Converts a result to plain JSON data: `Date`s become ISO strings, `Map`s objects, `Set`s
 * arrays, `bigint`s strings; `undefined` fields and functions are dropped. A `Result` is
 * masked already; with a `masker`, every string (keys included) of any other context given
 * here has its secrets replaced by `***`.
 *
 * @param result A result, or any `{status, runId, parentRunId?, context}`.
 * @param masker Masks the secrets it holds in every string (a `Masker`). @default none
 *
 * @example
 * ```ts
 * resultToJson({ status: "SUCCESS", runId: "r1", context: { at: new Date(0) } });
 * // { status: "SUCCESS", run_id: "r1", parent_run_id: null,
 * //   context: { at: "1970-01-01T00:00:00.000Z" } }
 * ```
 */
export function resultToJson(
  result: Pick<Result, "status" | "runId" | "parentRunId"> & {
    readonly context: Readonly<Record<string, unknown>>;
  },
  // Structural, so this public function needs no public `Masker`.
  masker?: { readonly size: number; mask(text: string): string },
): ResultJson {
  const mask = masker && masker.size > 0 ? (text: string) => masker.mask(text) : undefined;
  const context = toJsonValue(result.context, mask);
  return {
    status: result.status,
    run_id: mask ? mask(result.runId) : result.runId,
    parent_run_id: result.parentRunId === undefined
      ? null
      : (mask ? mask(result.parentRunId) : result.parentRunId),
    context: isPlainRecord(context) ? context : {},
  };
}

/**
 * Deep-converts any value to JSON-safe data (what `JSON.stringify` would keep, with
 * `Date` → ISO string, `Map` → object, `Set` → array, `bigint` → string, non-finite numbers →
 * `null`, `Error` → `{name, message}`). Cycles become `"[Circular]"`. `mask`, when given, is
 * applied to every string and key.
 */
export function toJsonValue(value: unknown, mask?: (text: string) => string): unknown {
  return convert(value, mask, new Set());
}

function convert(
  value: unknown,
  mask: ((text: string) => string) | undefined,
  stack: Set<object>,
): unknown {
  switch (typeof value) {
    case "string":
      return mask ? mask(value) : value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) {
    const iso = Number.isNaN(object.getTime()) ? null : object.toISOString();
    return iso;
  }
  if (stack.has(object)) return "[Circular]";
  stack.add(object);
  try {
    if (Array.isArray(object)) {
      return object.map((item) => {
        const converted = convert(item, mask, stack);
        return converted === undefined ? null : converted;
      });
    }
    if (object instanceof Set) return convert([...object], mask, stack);
    if (object instanceof Error) {
      return convert({ name: object.name, message: object.message }, mask, stack);
    }
    const entries: [unknown, unknown][] = object instanceof Map
      ? [...object.entries()]
      : Object.entries(object);
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const converted = convert(item, mask, stack);
      if (converted === undefined) continue;
      const name = String(key);
      out[mask ? mask(name) : name] = converted;
    }
    return out;
  } finally {
    stack.delete(object);
  }
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
