/**
 * Built-in functions of the expression language: `contains startsWith endsWith format join
 * toJSON fromJSON len`.
 *
 * @module
 */

import { TemplateError } from "../errors.ts";
import { describeValue, stringifyValue, typeName, valuesEqual } from "./values.ts";

/** Implementation of one function; `timezone` is used when values are stringified. */
export type ExpressionFunction = (args: readonly unknown[], timezone: string) => unknown;

interface FunctionSpec {
  readonly min: number;
  readonly max: number;
  readonly run: ExpressionFunction;
}

function contains(args: readonly unknown[], timezone: string): boolean {
  const [haystack, needle] = args;
  if (Array.isArray(haystack)) return haystack.some((item) => valuesEqual(item, needle));
  if (typeof haystack === "string") return haystack.includes(stringifyValue(needle, timezone));
  throw new TemplateError(
    `contains() expects a string or an array, got ${typeName(haystack)} ${describeValue(haystack)}`,
  );
}

function format(args: readonly unknown[], timezone: string): string {
  const pattern = args[0];
  if (typeof pattern !== "string") {
    throw new TemplateError(`format() expects a string pattern, got ${typeName(pattern)}`);
  }
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "{" && pattern[i + 1] === "{") {
      out += "{";
      i++;
    } else if (char === "}" && pattern[i + 1] === "}") {
      out += "}";
      i++;
    } else if (char === "{") {
      const close = pattern.indexOf("}", i);
      const index = close < 0 ? NaN : Number(pattern.slice(i + 1, close));
      if (!Number.isInteger(index) || close === i + 1) {
        throw new TemplateError(`format() pattern has a bad placeholder at ${i}: ${pattern}`);
      }
      if (index < 0 || index + 1 >= args.length) {
        throw new TemplateError(
          `format() placeholder {${index}} has no argument (${args.length - 1} given)`,
        );
      }
      out += stringifyValue(args[index + 1], timezone);
      i = close;
    } else {
      out += char;
    }
  }
  return out;
}

function join(args: readonly unknown[], timezone: string): string {
  const [items, separator = ","] = args;
  const sep = stringifyValue(separator, timezone);
  if (typeof items === "string") return items;
  if (!Array.isArray(items)) {
    throw new TemplateError(`join() expects an array, got ${typeName(items)}`);
  }
  let out = "";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += sep;
    out += stringifyValue(items[i], timezone);
  }
  return out;
}

function toJSON(args: readonly unknown[]): string {
  try {
    return JSON.stringify(args[0]) ?? "null";
  } catch (error) {
    throw new TemplateError(`toJSON() cannot serialize ${typeName(args[0])}`, { cause: error });
  }
}

function fromJSON(args: readonly unknown[]): unknown {
  const text = args[0];
  if (typeof text !== "string") {
    throw new TemplateError(`fromJSON() expects a string, got ${typeName(text)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new TemplateError(`fromJSON() got invalid JSON: ${describeValue(text)}`);
  }
}

function len(args: readonly unknown[]): number {
  const value = args[0];
  if (typeof value === "string") {
    let count = 0;
    for (const _ of value) count++;
    return count;
  }
  if (Array.isArray(value)) return value.length;
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    return Object.keys(value).length;
  }
  throw new TemplateError(`len() expects a string, array or object, got ${typeName(value)}`);
}

function affix(name: "startsWith" | "endsWith"): ExpressionFunction {
  return (args, timezone) => {
    const text = stringifyValue(args[0], timezone);
    const part = stringifyValue(args[1], timezone);
    return name === "startsWith" ? text.startsWith(part) : text.endsWith(part);
  };
}

/** Functions by name with their accepted argument counts. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ["contains", { min: 2, max: 2, run: contains }],
  ["startsWith", { min: 2, max: 2, run: affix("startsWith") }],
  ["endsWith", { min: 2, max: 2, run: affix("endsWith") }],
  ["format", { min: 1, max: Infinity, run: format }],
  ["join", { min: 1, max: 2, run: join }],
  ["toJSON", { min: 1, max: 1, run: toJSON }],
  ["fromJSON", { min: 1, max: 1, run: fromJSON }],
  ["len", { min: 1, max: 1, run: len }],
]);
