/**
 * Coerces the params a caller passes to the types a workflow declares (DESIGN §5): declared
 * defaults are applied, required params are checked, and every failure is reported at once.
 *
 * @module
 */

import { ParamError } from "../errors.ts";
import type { ParamSpec, ParamType } from "./types.ts";
import { calendarDay, parseIsoDateTime } from "../template/zoned_time.ts";
import { MAX_NESTING_DEPTH, tooDeep } from "../util/depth.ts";

/** Options of `coerceParams()`. */
export interface CoerceOptions {
  /** IANA zone naive datetimes are read in, and "today" is taken in. @default "UTC" */
  readonly timezone?: string;
  /** The current time (epoch ms), from the injected clock: the default of `datetime`/`date`. */
  readonly now: number;
}

/** Result of `coerceParams()`. */
export interface CoercedParams {
  /** Declared params in declaration order (coerced), then undeclared inputs as passed. */
  readonly params: Record<string, unknown>;
  /** Values of `secret` params, to be masked wherever they would be shown. */
  readonly secrets: string[];
}

class CoercionFailure {
  constructor(readonly expected: string, readonly detail?: string) {}
}

/** Why a number is not an acceptable `int`/`float`, when the plain value does not say it. */
function numberProblem(value: number, integer: boolean): string | undefined {
  if (!Number.isFinite(value)) {
    return Number.isNaN(value)
      ? "not a number"
      : `too large to be a finite ${integer ? "integer" : "number"} (e.g. 1e400)`;
  }
  if (integer && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return `beyond ±${Number.MAX_SAFE_INTEGER}, where integers are no longer exact`;
  }
  return undefined;
}

function shown(value: unknown, secret: boolean): string {
  if (secret) return typeof value === "string" ? "a secret string" : `a ${kindOf(value)}`;
  let text: string;
  try {
    text = value instanceof Date
      ? (Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString())
      : typeof value === "bigint" || typeof value === "symbol" || typeof value === "function" ||
          (typeof value === "number" && !Number.isFinite(value))
      ? String(value)
      : JSON.stringify(value) ?? String(value);
  } catch {
    text = `a ${kindOf(value)}`;
  }
  return text.length > 80 ? text.slice(0, 77) + "..." : text;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "date";
  return typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const BOOLEAN_TEXT: ReadonlyMap<string, boolean> = new Map([
  ["true", true],
  ["false", false],
  ["yes", true],
  ["no", false],
  ["1", true],
  ["0", false],
]);

function coerceValue(
  spec: ParamSpec,
  value: unknown,
  timezone: string,
): unknown {
  const type: ParamType = spec.type;
  switch (type) {
    case "str":
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
        return String(value);
      }
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
      if (typeof value === "object" && value !== null) {
        const text = parseJsonSafe(value);
        if (text !== undefined) return text;
      }
      throw new CoercionFailure("str");
    case "secret":
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "boolean") return String(value);
      throw new CoercionFailure("secret (a string)");
    case "int":
      if (typeof value === "number" && Number.isSafeInteger(value)) return value;
      if (typeof value === "number") throw new CoercionFailure("int", numberProblem(value, true));
      if (typeof value === "string" && INTEGER_TEXT.test(value.trim())) {
        const parsed = Number(value.trim());
        if (Number.isSafeInteger(parsed)) return parsed;
        throw new CoercionFailure("int", numberProblem(parsed, true));
      }
      throw new CoercionFailure("int");
    case "float":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      if (typeof value === "number") {
        throw new CoercionFailure("float", numberProblem(value, false));
      }
      if (typeof value === "string" && value.trim() !== "") {
        const parsed = Number(value.trim());
        if (Number.isFinite(parsed)) return parsed;
        if (!Number.isNaN(parsed)) {
          throw new CoercionFailure("float", numberProblem(parsed, false));
        }
      }
      throw new CoercionFailure("float");
    case "bool": {
      if (typeof value === "boolean") return value;
      if (value === 1 || value === 0) return value === 1;
      const parsed = typeof value === "string"
        ? BOOLEAN_TEXT.get(value.trim().toLowerCase())
        : undefined;
      if (parsed !== undefined) return parsed;
      throw new CoercionFailure("bool (true/false, yes/no, 1/0)");
    }
    case "datetime": {
      if (value instanceof Date && !Number.isNaN(value.getTime())) return new Date(value.getTime());
      const parsed = typeof value === "string" ? parseIsoDateTime(value, timezone) : undefined;
      if (parsed !== undefined && !Number.isNaN(parsed.date.getTime())) return parsed.date;
      throw new CoercionFailure("datetime (an ISO-8601 string such as 2024-01-31T10:00:00)");
    }
    case "date": {
      if (value instanceof Date && !Number.isNaN(value.getTime())) {
        return calendarDay(value.getTime(), timezone);
      }
      const parsed = typeof value === "string" ? parseIsoDateTime(value, timezone) : undefined;
      if (parsed !== undefined) return parsed.day;
      throw new CoercionFailure("date (YYYY-MM-DD)");
    }
    case "choice": {
      const options = spec.options ?? [];
      if (typeof value === "string" || typeof value === "number") {
        const match = options.find((option) => String(option) === String(value));
        if (match !== undefined) return match;
      }
      throw new CoercionFailure(
        `choice (one of ${options.map((option) => JSON.stringify(option)).join(", ")})`,
      );
    }
    case "map": {
      if (isRecord(value)) return { ...value };
      const parsed = typeof value === "string" ? parseJson(value) : undefined;
      if (isRecord(parsed)) return parsed;
      throw new CoercionFailure("map (an object or a JSON object string)");
    }
    case "array": {
      if (Array.isArray(value)) return value.slice();
      const parsed = typeof value === "string" ? parseJson(value) : undefined;
      if (Array.isArray(parsed)) return parsed;
      throw new CoercionFailure("array (a list or a JSON array string)");
    }
    default:
      throw new CoercionFailure(String(type));
  }
}

function parseJsonSafe(value: object): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** The value a param takes when it is not passed and declares no default. */
function typeDefault(spec: ParamSpec, now: number, timezone: string): unknown {
  switch (spec.type) {
    case "datetime":
      return new Date(now);
    case "date":
      return calendarDay(now, timezone);
    case "map":
      return {};
    case "array":
      return [];
    case "choice":
      return spec.options?.[0] ?? null;
    default:
      return null;
  }
}

/**
 * Applies declared defaults, checks required params and coerces each value to its type.
 *
 * A param that is not passed (or passed as `null`) takes its declared default; without one, a
 * required param is an error, and an optional one takes its type's default: now for
 * `datetime`, today (in `timezone`) for `date`, `{}` for `map`, `[]` for `array`, the first
 * option for `choice`, else `null`. Undeclared inputs are kept as passed.
 *
 * @example
 * ```ts
 * coerceParams(
 *   { count: { name: "count", type: "int", required: true } },
 *   { count: "3" },
 *   { now: 0 },
 * ).params; // { count: 3 }
 * ```
 * @throws {ParamError} listing every missing required param and every value that cannot be
 * coerced (`param 'count' expects int, got "abc"`), one per line.
 */
export function coerceParams(
  specs: Readonly<Record<string, ParamSpec>>,
  input: Readonly<Record<string, unknown>>,
  options: CoerceOptions,
): CoercedParams {
  const timezone = options.timezone ?? "UTC";
  const params: Record<string, unknown> = {};
  const secrets: string[] = [];
  const missing: string[] = [];
  const problems: string[] = [];
  const bad: string[] = [];
  for (const name of Object.keys(specs)) {
    const spec = specs[name];
    const passed = Object.hasOwn(input, name) ? input[name] : undefined;
    let raw: unknown = passed;
    let fromDefault = false;
    if (raw === undefined || raw === null) {
      if (spec.default !== undefined && spec.default !== null) {
        raw = spec.default;
        fromDefault = true;
      } else if (spec.required) {
        missing.push(name);
        continue;
      } else {
        setParam(params, name, typeDefault(spec, options.now, timezone));
        continue;
      }
    }
    if (!fromDefault && tooDeepParam(name, raw, problems)) {
      bad.push(name);
      continue;
    }
    try {
      const value = coerceValue(spec, raw, timezone);
      setParam(params, name, value);
      if (spec.type === "secret" && typeof value === "string" && value !== "") secrets.push(value);
    } catch (error) {
      if (!(error instanceof CoercionFailure)) throw error;
      const source = fromDefault ? " (declared default)" : "";
      problems.push(
        `param '${name}' expects ${error.expected}, got ${shown(raw, spec.type === "secret")}${
          error.detail ? `: ${error.detail}` : ""
        }${source}`,
      );
      bad.push(name);
    }
  }
  for (const name of Object.keys(input)) {
    if (Object.hasOwn(specs, name)) continue;
    if (tooDeepParam(name, input[name], problems)) bad.push(name);
    else setParam(params, name, input[name]);
  }
  if (missing.length > 0 || problems.length > 0) {
    const lines: string[] = [];
    if (missing.length > 0) {
      lines.push(
        `missing required param${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`,
      );
    }
    lines.push(...problems);
    const all = [...missing, ...bad];
    throw new ParamError(lines.join("\n"), all.length === 1 ? all[0] : undefined);
  }
  return { params, secrets };
}

/** Deeper data would overflow the stack somewhere in a run (rendering, masking, JSON). */
function tooDeepParam(name: string, value: unknown, problems: string[]): boolean {
  const deep = tooDeep(value);
  if (deep === undefined) return false;
  problems.push(
    `param '${name}' nests deeper than ${MAX_NESTING_DEPTH} levels (at ${name}${deep}); ` +
      "pass flatter data",
  );
  return true;
}

function setParam(params: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__") {
    Object.defineProperty(params, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    params[name] = value;
  }
}
