/**
 * Value helpers of the expression language: type names for messages, the JS/JSON
 * stringification of embedded templates, equality and truthiness.
 *
 * @module
 */

import { TemplateError } from "../errors.ts";
import { formatIsoInZone } from "./zoned_time.ts";

/** The type name used in messages: `null string number boolean array object date …`. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "date";
  return typeof value;
}

/** A short, safe rendering of a value for error messages (JSON, cut at 60 characters). */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    if (value instanceof Date) {
      text = Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
    } else if (typeof value === "function") text = "a function";
    else if (typeof value === "bigint" || typeof value === "symbol") text = String(value);
    else text = JSON.stringify(value) ?? "null";
  } catch {
    text = `a ${typeName(value)}`;
  }
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/**
 * Converts a value for embedding into a larger string: strings as they are, numbers and
 * booleans as written, `null`/`undefined` as `""`, dates as ISO-8601 in `timezone`, arrays and
 * objects as JSON.
 *
 * @throws {TemplateError} for functions, cyclic structures and invalid dates.
 */
export function stringifyValue(value: unknown, timezone: string): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return "";
    case "bigint":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      throw new TemplateError("cannot render a function into a string");
  }
  if (value === null) return "";
  if (value instanceof Date) return dateText(value, timezone);
  try {
    return JSON.stringify(value) ?? "";
  } catch (error) {
    throw new TemplateError(
      `cannot render ${typeName(value)} as JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

// `Date#toISOString()` costs ~0.5 µs on V8, and runs render the same date (a `datetime`
// param) again and again: remember the last one, keyed by its instant and zone.
let lastDateMs = NaN;
let lastDateZone = "";
let lastDateText = "";

function dateText(date: Date, timezone: string): string {
  const ms = date.getTime();
  if (ms === lastDateMs && timezone === lastDateZone) return lastDateText;
  const text = formatIsoInZone(date, timezone);
  lastDateMs = ms;
  lastDateZone = timezone;
  lastDateText = text;
  return text;
}

/** JS truthiness: `false null 0 NaN ""` are false, everything else is true. */
export function isTruthy(value: unknown): boolean {
  return Boolean(value);
}

/** Structural equality: primitives strictly, dates by instant, arrays and plain objects deeply. */
export function valuesEqual(left: unknown, right: unknown, depth = 0): boolean {
  if (left === right) return true;
  if (left === undefined) return right === null;
  if (right === undefined) return left === null;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) {
    return typeof left === "number" && typeof right === "number" && Number.isNaN(left) &&
      Number.isNaN(right);
  }
  if (depth > 64) return false;
  if (left instanceof Date || right instanceof Date) {
    return left instanceof Date && right instanceof Date && left.getTime() === right.getTime();
  }
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
    for (let i = 0; i < left.length; i++) {
      if (!valuesEqual(left[i], right[i], depth + 1)) return false;
    }
    return true;
  }
  const leftKeys = Object.keys(left);
  if (leftKeys.length !== Object.keys(right).length) return false;
  for (const key of leftKeys) {
    if (!Object.hasOwn(right, key)) return false;
    if (
      !valuesEqual(
        (left as Record<string, unknown>)[key],
        (right as Record<string, unknown>)[key],
        depth + 1,
      )
    ) return false;
  }
  return true;
}

/** Whether `value` is a plain object (`{}` or `Object.create(null)`), not an array or class. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
