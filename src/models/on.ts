/**
 * `on:` cron schedules of workflows and schedule entries, and `type: On`
 * templates. Accepted forms:
 *
 * ```yaml
 * on: every_5_minute_bkk                      # a `type: On` template name
 * on: [every_day, {cronjob: "0 1 * * *", timezone: Asia/Bangkok}]
 * on: {schedule: [{cronjob: "*\/5 * * * *"}]}
 * ```
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

/** Keys of a `type: On` template. */
export const ON_TEMPLATE_KEYS = ["type", "name", "desc", "cronjob", "timezone", "tz"] as const;
const CRON_KEYS = ["cronjob", "timezone", "tz"] as const;

/**
 * Parses one `{cronjob, timezone}` mapping (also the body of a `type: On` template, whose
 * extra keys `type`, `name`, `desc` are allowed when `template` is set).
 */
export function parseCron(
  raw: RawMap,
  path: ModelPath,
  issues: IssueCollector,
  options: OnOptions & { template?: boolean } = {},
): CronSchedule | undefined {
  checkKeys(raw, options.template ? ON_TEMPLATE_KEYS : CRON_KEYS, path, issues);
  const cronjob = readString(raw, "cronjob", path, issues, { required: true });
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
  else if (isRawMap(raw) && raw.cronjob !== undefined) items = [raw];
  else if (isRawMap(raw)) {
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
