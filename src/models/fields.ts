/**
 * Small readers shared by the model parsers: each checks one field of a raw
 * YAML mapping, reports a precise issue when it is wrong, and returns a
 * usable value (or `undefined`) so parsing can go on.
 *
 * @module
 */

import type { RetrySpec } from "./types.ts";
import { didYouMean, type IssueCollector, type ModelPath } from "./issues.ts";

/** A raw YAML mapping. */
export type RawMap = Readonly<Record<string, unknown>>;

/** `true` for a plain object (a YAML mapping). */
export function isRawMap(value: unknown): value is RawMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Describes a raw value for messages: `a list`, `a number (3)`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `a string (${JSON.stringify(truncate(value))})`;
  return `a ${typeof value} (${String(value)})`;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * Reports every key of `raw` not in `allowed`, with a "did you mean" hint (or, for short
 * lists, the valid keys).
 */
export function checkKeys(
  raw: RawMap,
  allowed: readonly string[],
  path: ModelPath,
  issues: IssueCollector,
): void {
  const keys = Object.keys(raw);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (allowed.includes(key)) continue;
    let hint = didYouMean(key, allowed);
    if (!hint && allowed.length <= 12) hint = `; valid keys: ${allowed.join(", ")}`;
    issues.add(path, `unknown key '${key}'${hint}`, { at: [...path, key], key: true });
  }
}

/** Reads an optional string field (numbers are accepted and turned into strings). */
export function readString(
  raw: RawMap,
  key: string,
  path: ModelPath,
  issues: IssueCollector,
  options: { required?: boolean } = {},
): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) {
    if (options.required) issues.add(path, `'${key}' is required`);
    return undefined;
  }
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  issues.add([...path, key], `expected a string, got ${describeValue(value)}`);
  return undefined;
}

/** Reads an optional boolean field. */
export function readBoolean(
  raw: RawMap,
  key: string,
  path: ModelPath,
  issues: IssueCollector,
  fallback: boolean,
): boolean {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value;
  issues.add([...path, key], `expected true or false, got ${describeValue(value)}`);
  return fallback;
}

/** Reads an optional whole number ≥ `min`; a template string is kept when `allowTemplate`. */
export function readInteger(
  raw: RawMap,
  key: string,
  path: ModelPath,
  issues: IssueCollector,
  options: { min?: number; max?: number; allowTemplate?: boolean } = {},
): number | string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (options.allowTemplate && typeof value === "string" && value.includes("${{")) return value;
  const min = options.min ?? 1;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  const range = options.max === undefined ? `≥ ${min}` : `between ${min} and ${max}`;
  issues.add([...path, key], `expected a whole number ${range}, got ${describeValue(value)}`);
  return undefined;
}

/** Reads an optional mapping field (`{}` when absent). */
export function readMap(
  raw: RawMap,
  key: string,
  path: ModelPath,
  issues: IssueCollector,
): RawMap {
  const value = raw[key];
  if (value === undefined || value === null) return {};
  if (isRawMap(value)) return value;
  issues.add([...path, key], `expected a mapping, got ${describeValue(value)}`);
  return {};
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a duration: a number of seconds, or a string such as `"30s"`, `"10m"`, `"1h30m"`,
 * `"500ms"`, `"2d"`, or `"90"` (seconds). Returns milliseconds, or `undefined` if invalid.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  }
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/y;
  let total = 0;
  let index = 0;
  while (index < text.length) {
    re.lastIndex = index;
    const match = re.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]];
    index = re.lastIndex;
    while (text[index] === " ") index++;
  }
  return index === 0 ? undefined : total;
}

/** Reads an optional duration field (`timeout`, `delay`, …) into ms. */
export function readDuration(
  raw: RawMap,
  key: string,
  path: ModelPath,
  issues: IssueCollector,
): number | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) {
    issues.add(
      [...path, key],
      `expected a duration (seconds as a number, or a string like "30s", "10m", "1h"), got ` +
        describeValue(value),
    );
  }
  return ms;
}

/** Defaults of a `retry:` block. */
export const RETRY_DEFAULTS: Omit<RetrySpec, "attempts"> = {
  delayMs: 1000,
  backoff: 2,
  maxDelayMs: 60_000,
};

const RETRY_KEYS = ["attempts", "delay", "backoff", "max-delay"] as const;

/** Reads `retry:`: a bare number of attempts or `{attempts, delay, backoff, max-delay}`. */
export function readRetry(
  raw: RawMap,
  path: ModelPath,
  issues: IssueCollector,
): RetrySpec | undefined {
  const value = raw.retry;
  if (value === undefined || value === null) return undefined;
  const at = [...path, "retry"];
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) {
      issues.add(at, `expected a whole number of attempts ≥ 1, got ${describeValue(value)}`);
      return undefined;
    }
    return { attempts: Math.max(1, value), ...RETRY_DEFAULTS };
  }
  if (!isRawMap(value)) {
    issues.add(
      at,
      `expected a number of attempts or a mapping {attempts, delay, backoff, max-delay}, got ` +
        describeValue(value),
    );
    return undefined;
  }
  checkKeys(value, RETRY_KEYS, at, issues);
  const attempts = readInteger(value, "attempts", at, issues, { min: 1 });
  if (value.attempts === undefined) issues.add(at, "'attempts' is required");
  const delayMs = readDuration(value, "delay", at, issues) ?? RETRY_DEFAULTS.delayMs;
  const maxDelayMs = readDuration(value, "max-delay", at, issues) ?? RETRY_DEFAULTS.maxDelayMs;
  let backoff = RETRY_DEFAULTS.backoff;
  if (value.backoff !== undefined) {
    if (typeof value.backoff === "number" && value.backoff >= 1) backoff = value.backoff;
    else {
      issues.add([...at, "backoff"], `expected a number ≥ 1, got ${describeValue(value.backoff)}`);
    }
  }
  return { attempts: typeof attempts === "number" ? attempts : 1, delayMs, backoff, maxDelayMs };
}

/** Reads `if:` (a string condition or a YAML boolean). */
export function readCondition(
  raw: RawMap,
  key: string,
  path: ModelPath,
  issues: IssueCollector,
): string | boolean | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" || typeof value === "boolean") return value;
  issues.add(
    [...path, key],
    `expected a condition string or a boolean, got ${describeValue(value)}`,
  );
  return undefined;
}
