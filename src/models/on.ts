/**
 * `on:` cron schedules of workflows and schedule entries, and `type: On`
 * templates. Accepted forms:
 *
 * ```yaml
 * on: every_5_minute_bkk                      # a `type: On` template name
 * on: [every_day, {cronjob: "0 1 * * *", timezone: Asia/Bangkok}]
 * on: {schedule: [{cronjob: "*\/5 * * * *"}]}
 * on: [{interval: weekly, day: monday, time: "01:30"}]   # → cronjob "30 1 * * 1"
 * ```
 *
 * `type: On` templates hold `cronjob` or the reference's `interval` form
 * (`interval: daily|weekly|monthly`, `day`, `time: "HH:MM"`), converted to a cron expression
 * (correctly: the reference put the hour in the minute field). `type: YearOn` templates hold
 * the reference's 6-field `cronjob: "minute hour day month weekday year"`, kept as the 7-field
 * expression `0 minute hour day month weekday year` (our 6-field form has leading seconds).
 *
 * Cron syntax is checked by an injected `validateCron` hook (the scheduler owns cron).
 *
 * @module
 */

import type { CronSchedule } from "./types.ts";
import { didYouMean, formatPath, type IssueCollector, type ModelPath } from "./issues.ts";
import { checkKeys, describeValue, isRawMap, type RawMap, readString } from "./fields.ts";
import { isTimeZone } from "../template/zoned_time.ts";

/** Options shared by every parser that reads `on:`. */
export interface OnOptions {
  /** Resolves a `type: On` template by name (`undefined` when there is none). */
  readonly lookupOn?: (name: string) => CronSchedule | undefined;
  /** Names of the known `type: On` templates, for "did you mean" hints. */
  readonly onNames?: readonly string[];
  /** Returns a message when a cron expression is invalid, `undefined` when it is fine. */
  readonly validateCron?: (expression: string) => string | undefined;
  /** Most distinct schedules one `on:` may hold. @default 5 */
  readonly maxCronPerWorkflow?: number;
  /** Zone of a schedule that names none. @default "UTC" */
  readonly defaultTimezone?: string;
}

/** Keys of a `type: On` (or `YearOn`) template. */
export const ON_TEMPLATE_KEYS = [
  "type",
  "name",
  "desc",
  "cronjob",
  "interval",
  "day",
  "time",
  "timezone",
  "tz",
] as const;
const CRON_KEYS = ["cronjob", "interval", "day", "time", "timezone", "tz"] as const;

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/** Reads `day` as a weekday (name, 3-letter name or 0-7) for `interval: weekly`. */
function weekdayNumber(day: string): number | undefined {
  const text = day.trim().toLowerCase();
  if (/^[0-7]$/.test(text)) return Number(text) % 7;
  const index = WEEKDAYS.findIndex((name) =>
    text.length >= 3 && name.startsWith(text) && (text.length === 3 || text === name)
  );
  return index >= 0 ? index : undefined;
}

/**
 * Converts the reference's `{interval, day, time}` form into a 5-field cron expression:
 * `daily` → `M H * * *`; `weekly` (day: a weekday, default monday) → `M H * * <weekday>`;
 * `monthly` (day: a day of the month 1-31, default 1) → `M H <day> * *`. `time` is `HH:MM`
 * (default `00:00`). Adds an issue and returns undefined when a value is wrong.
 */
function intervalToCron(raw: RawMap, path: ModelPath, issues: IssueCollector): string | undefined {
  const interval = readString(raw, "interval", path, issues);
  const day = readString(raw, "day", path, issues);
  const time = readString(raw, "time", path, issues) ?? "00:00";
  if (interval === undefined) return undefined;
  const clock = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(time);
  const hour = clock ? Number(clock[1]) : NaN;
  const minute = clock ? Number(clock[2]) : NaN;
  if (!(hour <= 23 && minute <= 59)) {
    issues.add(
      [...path, "time"],
      `time '${time}' is not a time of day; write "HH:MM" (24-hour), e.g. time: "01:30"`,
    );
    return undefined;
  }
  const at = `${minute} ${hour}`;
  const equivalent = (cron: string) => `; or write the schedule as cronjob: "${cron}"`;
  switch (interval.trim().toLowerCase()) {
    case "daily":
      if (day !== undefined) {
        issues.add(
          [...path, "day"],
          `'day' is not used with interval daily${equivalent(`${at} * * *`)}`,
        );
        return undefined;
      }
      return `${at} * * *`;
    case "weekly": {
      const weekday = weekdayNumber(day ?? "monday");
      if (weekday === undefined) {
        issues.add(
          [...path, "day"],
          `day '${day}' is not a weekday; write a name such as monday or mon (or 0-7, 0 and 7 = Sunday)`,
        );
        return undefined;
      }
      return `${at} * * ${weekday}`;
    }
    case "monthly": {
      const text = (day ?? "1").trim();
      const dayOfMonth = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
      if (!(dayOfMonth >= 1 && dayOfMonth <= 31)) {
        issues.add(
          [...path, "day"],
          `day '${day}' is not a day of the month; interval monthly takes a number 1-31${
            equivalent(`${at} 1 * *`)
          }`,
        );
        return undefined;
      }
      return `${at} ${dayOfMonth} * *`;
    }
    default:
      issues.add(
        [...path, "interval"],
        `unknown interval '${interval}'; use daily, weekly or monthly (with day and time), or write a cronjob`,
      );
      return undefined;
  }
}

/** Reads the cron expression of a mapping: `cronjob`, or the `interval` form; `year` reads a
 * `YearOn` cronjob (6 fields, the last one the year) into its 7-field form. */
function readCronjob(
  raw: RawMap,
  path: ModelPath,
  issues: IssueCollector,
  year: boolean,
): string | undefined {
  if (raw.interval !== undefined && !year) {
    if (raw.cronjob !== undefined) {
      issues.add(path, "use either 'cronjob' or 'interval' (with day and time), not both");
      return undefined;
    }
    return intervalToCron(raw, path, issues);
  }
  if (raw.interval !== undefined) {
    issues.add([...path, "interval"], "a YearOn template takes a 6-field cronjob, not 'interval'", {
      key: true,
    });
  }
  for (const key of ["day", "time"] as const) {
    if (raw[key] !== undefined) {
      issues.add([...path, key], `'${key}' is only used with 'interval' (daily, weekly, monthly)`, {
        key: true,
      });
    }
  }
  const cronjob = readString(raw, "cronjob", path, issues, { required: true });
  if (cronjob === undefined || !year) return cronjob;
  const fields = cronjob.trim().split(/\s+/);
  if (fields.length !== 6) {
    issues.add(
      [...path, "cronjob"],
      `a YearOn cronjob has 6 fields (minute hour day-of-month month weekday year), got ${fields.length}: '${cronjob}'`,
    );
    return undefined;
  }
  return `0 ${fields.join(" ")}`;
}

/**
 * Parses one `{cronjob, timezone}` mapping (or the reference's `{interval, day, time}` form;
 * also the body of a `type: On` template, whose extra keys `type`, `name`, `desc` are allowed
 * when `template` is set, and of a `type: YearOn` template when `year` is set).
 */
export function parseCron(
  raw: RawMap,
  path: ModelPath,
  issues: IssueCollector,
  options: OnOptions & { template?: boolean; year?: boolean } = {},
): CronSchedule | undefined {
  checkKeys(raw, options.template ? ON_TEMPLATE_KEYS : CRON_KEYS, path, issues);
  const cronjob = readCronjob(raw, path, issues, options.year === true);
  if (raw.timezone !== undefined && raw.tz !== undefined) {
    issues.add(path, "use either 'timezone' or its alias 'tz', not both", {
      at: [...path, "tz"],
      key: true,
    });
  }
  const zoneKey = raw.timezone !== undefined ? "timezone" : "tz";
  const timezone = readString(raw, zoneKey, path, issues) ?? options.defaultTimezone ?? "UTC";
  let ok = cronjob !== undefined;
  if (!isTimeZone(timezone)) {
    ok = false;
    issues.add(
      raw[zoneKey] === undefined ? path : [...path, zoneKey],
      `unknown time zone '${timezone}'; use an IANA name such as 'UTC' or 'Asia/Bangkok'`,
    );
  }
  if (cronjob !== undefined && options.validateCron) {
    const problem = options.validateCron(cronjob);
    if (problem !== undefined) {
      ok = false;
      issues.add([...path, "cronjob"], `invalid cron '${cronjob}': ${problem}`);
    }
  }
  if (!ok || cronjob === undefined) return undefined;
  return { cronjob: cronjob.trim(), timezone, source: issues.source(path) };
}

/**
 * Parses a workflow's or schedule entry's `on:` value into cron schedules, resolving template
 * names and rejecting duplicates and more than `maxCronPerWorkflow` entries.
 */
export function parseOn(
  raw: unknown,
  path: ModelPath,
  issues: IssueCollector,
  options: OnOptions = {},
): CronSchedule[] {
  if (raw === undefined || raw === null) return [];
  let items: unknown[];
  let itemsPath: ModelPath = path;
  if (typeof raw === "string") items = [raw];
  else if (Array.isArray(raw)) items = raw;
  else if (isRawMap(raw) && (raw.cronjob !== undefined || raw.interval !== undefined)) {
    items = [raw];
  } else if (isRawMap(raw)) {
    checkKeys(raw, ["schedule"], path, issues);
    const schedule = raw.schedule;
    itemsPath = [...path, "schedule"];
    if (schedule === undefined || schedule === null) items = [];
    else if (Array.isArray(schedule)) items = schedule;
    else {
      issues.add(
        itemsPath,
        `expected a list of {cronjob, timezone}, got ${describeValue(schedule)}`,
      );
      items = [];
    }
  } else {
    issues.add(
      path,
      `expected an On template name, a list of names and/or {cronjob, timezone}, or ` +
        `{schedule: [...]}, got ${describeValue(raw)}`,
    );
    return [];
  }
  const schedules: CronSchedule[] = [];
  const seen = new Map<string, string>();
  items.forEach((item, index) => {
    const at = typeof raw === "string" ? path : [...itemsPath, index];
    let schedule: CronSchedule | undefined;
    if (typeof item === "string") {
      schedule = options.lookupOn?.(item);
      if (!schedule) {
        const known = options.onNames ?? [];
        const hint = didYouMean(item, known) ||
          (known.length ? `; known On templates: ${known.slice(0, 10).join(", ")}` : "");
        const found = known.includes(item);
        issues.add(
          at,
          found
            ? `On template '${item}' is invalid (see its own issues)`
            : `unknown On template '${item}'${hint}`,
        );
        return;
      }
      schedule = { ...schedule, source: issues.source(at) };
    } else if (isRawMap(item)) {
      schedule = parseCron(item, at, issues, options);
      if (!schedule) return;
    } else {
      issues.add(
        at,
        `expected an On template name or {cronjob, timezone}, got ${describeValue(item)}`,
      );
      return;
    }
    const identity = `${schedule.cronjob.replace(/\s+/g, " ")}|${schedule.timezone}`;
    const first = seen.get(identity);
    if (first !== undefined) {
      issues.add(
        at,
        `duplicate schedule '${schedule.cronjob}' (${schedule.timezone}), same as ${first}`,
      );
      return;
    }
    seen.set(identity, formatPath(typeof raw === "string" ? path : [...itemsPath, index]));
    schedules.push(schedule);
  });
  const max = options.maxCronPerWorkflow ?? 5;
  if (schedules.length > max) {
    issues.add(path, `too many schedules: ${schedules.length} (at most ${max} are allowed)`);
  }
  return schedules;
}
