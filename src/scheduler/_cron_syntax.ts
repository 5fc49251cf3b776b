/**
 * Our own check of cron syntax, run before croner parses an expression, so that every mistake
 * gets a message that names the field and the allowed values. It also expands `@` aliases and
 * finds day/month combinations that can never happen (`0 0 30 2 *`).
 *
 * @module
 */

import { MONTH_NAMES as MONTH_LABEL_NAMES } from "../util/calendar.ts";

/** One cron field: its name, its bounds and, for month and weekday, its names. */
interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** `?` means "any" here (day-of-month and weekday only). */
  readonly allowsQuestion?: boolean;
}

const MONTH_NAMES = [
  "JAN",
  "FEB",
  "MAR",
  "APR",
  "MAY",
  "JUN",
  "JUL",
  "AUG",
  "SEP",
  "OCT",
  "NOV",
  "DEC",
];
const WEEKDAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const SECOND: FieldSpec = { name: "second", min: 0, max: 59 };
/** The reference's `YearOn` (`CronJobYear`) year range. */
const YEAR: FieldSpec = { name: "year", min: 1990, max: 2100 };
const FIVE_FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, allowsQuestion: true },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES },
  // 7 is Sunday too, as in Vixie cron.
  { name: "weekday", min: 0, max: 7, names: WEEKDAY_NAMES, allowsQuestion: true },
];

/** The `@` aliases we accept and the 5-field expression each stands for. */
export const CRON_ALIASES: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** What {@linkcode checkCronSyntax} found: the expanded expression, or a message. */
export type CronSyntaxResult =
  | { readonly ok: true; readonly expression: string; readonly fields: number }
  | { readonly ok: false; readonly message: string };

/** Longest month lengths (February counts its leap day). */
const MONTH_MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Checks the syntax of a cron expression and expands `@` aliases.
 *
 * Returns the normalised expression (single spaces, alias expanded) that croner will parse.
 */
export function checkCronSyntax(expression: string): CronSyntaxResult {
  const fail = (why: string): CronSyntaxResult => ({
    ok: false,
    message: `invalid cron expression "${expression}": ${why}`,
  });
  const text = expression.trim();
  if (text === "") return fail("it is empty");
  let source = text;
  if (text.startsWith("@")) {
    const expanded = CRON_ALIASES[text.toLowerCase()];
    if (text.toLowerCase() === "@reboot") {
      return fail("@reboot is not supported: a schedule fires at clock times, not at start-up");
    }
    if (expanded === undefined) {
      return fail(`unknown alias ${text}; use one of ${Object.keys(CRON_ALIASES).join(", ")}`);
    }
    source = expanded;
  }
  const parts = source.split(/\s+/);
  if (parts.length < 5 || parts.length > 7) {
    return fail(
      `it has ${parts.length} field${parts.length === 1 ? "" : "s"}; expected 5 ` +
        "(minute hour day-of-month month weekday), 6 (second minute hour day-of-month month " +
        "weekday) or 7 (second minute hour day-of-month month weekday year)",
    );
  }
  const specs = parts.length === 7
    ? [SECOND, ...FIVE_FIELDS, YEAR]
    : parts.length === 6
    ? [SECOND, ...FIVE_FIELDS]
    : FIVE_FIELDS;
  const values: Set<number>[] = [];
  for (let i = 0; i < parts.length; i++) {
    const result = parseField(parts[i], specs[i]);
    if (typeof result === "string") return fail(result);
    values.push(result);
  }
  const offset = parts.length >= 6 ? 1 : 0;
  const dayPart = parts[offset + 2];
  const weekdayPart = parts[offset + 4];
  if (isStar(weekdayPart) && !isStar(dayPart)) {
    const never = neverFires(values[offset + 2], values[offset + 3]);
    if (never) return fail(`it never fires: ${never}`);
  }
  return { ok: true, expression: parts.join(" "), fields: parts.length };
}

function isStar(part: string): boolean {
  return part === "*" || part === "?";
}

/** Parses one field into its set of values, or returns a message. */
function parseField(part: string, spec: FieldSpec): Set<number> | string {
  const out = new Set<number>();
  // Weekday 7 is an alias of 0, so "every day" stops at 6.
  const top = spec.name === "weekday" ? 6 : spec.max;
  if (part === "?") {
    if (!spec.allowsQuestion) {
      return `"?" is only allowed in the day-of-month and weekday fields, not in ${spec.name}`;
    }
    for (let v = spec.min; v <= spec.max; v++) out.add(v);
    return out;
  }
  for (const item of part.split(",")) {
    if (item === "") return `${spec.name} field "${part}" has an empty list item`;
    const slash = item.split("/");
    if (slash.length > 2) return `${spec.name} item "${item}" has more than one "/"`;
    const [rangeText, stepText] = slash;
    if (rangeText === "" && stepText !== undefined) {
      return `${spec.name} item "${item}" has a step without a start; write */${stepText} or ${spec.min}/${stepText}`;
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
        return `${spec.name} item "${item}" has step "${stepText}"; a step must be a whole number of at least 1`;
      }
      step = Number(stepText);
      if (step > top - spec.min + 1) {
        return `${spec.name} item "${item}" has step ${step}, larger than the field's ${
          top - spec.min + 1
        } values`;
      }
    }
    let low: number;
    let high: number;
    if (rangeText === "*") {
      low = spec.min;
      high = top;
    } else {
      const bounds = rangeText.split("-");
      if (bounds.length > 2 || bounds.some((b) => b === "")) {
        return `${spec.name} item "${item}" is not a number, a range a-b, "*" or a step`;
      }
      const numbers: number[] = [];
      for (const bound of bounds) {
        const value = readValue(bound, spec);
        if (typeof value === "string") return value;
        numbers.push(value);
      }
      low = numbers[0];
      // `5/10` means "from 5 to the end, every 10" (as in Quartz and croner's sloppy ranges).
      high = numbers.length === 2 ? numbers[1] : stepText === undefined ? low : top;
      if (high < low) {
        return `${spec.name} range "${rangeText}" runs backwards; write the smaller value first`;
      }
    }
    for (let v = low; v <= high; v += step) out.add(spec.name === "weekday" && v === 7 ? 0 : v);
  }
  return out;
}

/** Reads a number or a name, checking the field's bounds. */
function readValue(text: string, spec: FieldSpec): number | string {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) {
      return `${spec.name} value ${value} is out of range ${spec.min}-${spec.max}`;
    }
    return value;
  }
  const upper = text.toUpperCase();
  const index = spec.names?.indexOf(upper) ?? -1;
  if (index >= 0) return spec.name === "month" ? index + 1 : index;
  if (spec.names) {
    return `${spec.name} value "${text}" is not a number ${spec.min}-${spec.max} or a name (${
      spec.names.join(", ")
    })`;
  }
  return `${spec.name} value "${text}" is not a number ${spec.min}-${spec.max}`;
}

/** When only day-of-month restricts days, explains why no selected day exists, if so. */
function neverFires(days: Set<number>, months: Set<number>): string | undefined {
  for (const month of months) {
    for (const day of days) if (day <= MONTH_MAX_DAYS[month - 1]) return undefined;
  }
  const dayList = [...days].sort((a, b) => a - b).join(",");
  const monthList = [...months].sort((a, b) => a - b).map((m) => MONTH_LABEL_NAMES[m - 1]).join(
    ", ",
  );
  return `day ${dayList} does not exist in ${monthList}`;
}
