/**
 * Cron arithmetic with IANA time zones and explicit DST rules. This is the only module that
 * imports `croner`; it computes instants and nothing else (no timers, no clock).
 *
 * Syntax: 5 fields `minute hour day-of-month month weekday`, 6 fields with a leading
 * `second`, or 7 fields `second minute hour day-of-month month weekday year` (years 1990-2100;
 * the form a reference `type: YearOn` template becomes). Fields take `*`, numbers, ranges `a-b`, lists `a,b`, steps `*\/15`, `10-30/5` and
 * `5/10` (= from 5 to the end of the field, every 10), month names `JAN`-`DEC` and weekday names
 * `SUN`-`SAT` (case-insensitive; weekday 7 is Sunday too). `?` is allowed in day-of-month and
 * weekday and means the same as `*`. Aliases: `@yearly`, `@annually`, `@monthly`, `@weekly`,
 * `@daily`, `@midnight`, `@hourly`.
 *
 * Day rule (Vixie cron, not the Python reference): when both day-of-month and weekday are
 * restricted (neither is `*` or `?`), a day matches when EITHER matches, so `0 0 1 * MON` runs
 * on the 1st and on every Monday. When one of them is `*`, only the other one counts.
 *
 * DST rules (see docs/scheduling.md). A "fixed-time" schedule has no `*` and no step in its
 * second, minute and hour fields (`30 2 * * *`, `0 9,17 * * 1-5`); every other schedule is an
 * "interval" schedule (`*\/30 * * * *`, `0 * * * *`).
 * - A fixed-time schedule whose local time is skipped by spring-forward runs once, at the first
 *   instant after the gap (`30 2 * * *` in New York on 2026-03-08 runs at 03:00 EDT = 07:00Z).
 * - A fixed-time schedule whose local time repeats at fall-back runs once, on the first pass.
 * - An interval schedule runs on every real occurrence of a matching local time: it skips the
 *   times that do not exist and runs in both passes of a repeated hour.
 *
 * @module
 */
import { Cron as Croner, CronPattern } from "croner";
import { ConfigError } from "../errors.ts";
import { checkCronSyntax } from "./_cron_syntax.ts";
import { checkCron } from "./cron_check.ts";
import { WallClockMatcher } from "./_wall_clock.ts";
import { checkTimezone, localFields } from "./_zone.ts";
import { formatOffset, zoneOffsetMs } from "../template/zoned_time.ts";

/** Options of {@linkcode validateCron}. */
export interface ValidateCronOptions {
  /** IANA time zone to check as well. */
  timezone?: string;
}

/**
 * Checks a cron expression (and optionally a time zone).
 *
 * @param expression The cron expression to check.
 * @param options A `timezone` to check as well.
 *
 * @returns undefined when valid, else a message naming the problem.
 * @example
 * ```ts
 * validateCron("*\/5 * * * *"); // undefined
 * validateCron("61 * * * *"); // 'invalid cron expression "61 * * * *": minute value 61 is out of range 0-59'
 * ```
 */
export function validateCron(
  expression: string,
  options?: ValidateCronOptions,
): string | undefined {
  const problem = checkCron(expression, options);
  if (problem !== undefined) return problem;
  const syntax = checkCronSyntax(expression);
  if (!syntax.ok) return syntax.message;
  try {
    new Croner(syntax.expression, cronOptions(options?.timezone ?? "UTC", syntax.fields));
  } catch (error) {
    // Our own check should catch everything first; this keeps croner's reason if not.
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : "";
    return `invalid cron expression "${expression}": ${reason}`;
  }
  return undefined;
}

/** Returns undefined when `timezone` is an IANA zone this runtime knows, else a message. */
export function validateTimezone(timezone: string): string | undefined {
  return checkTimezone(timezone);
}

const DAY_MS = 86_400_000;
/** Fast path only for years where `Date.UTC` arithmetic is plain (it maps 0-99 to 19xx). */
const FAST_MIN = Date.UTC(1000, 0, 1);
const FAST_MAX = Date.UTC(9000, 0, 1);
/** How many empty steady days the fast path scans before asking croner. */
const FAST_EMPTY_DAYS = 2;

function cronOptions(timezone: string, fields = 5) {
  return {
    timezone,
    mode: fields === 7 ? "7-part" as const : "5-or-6-parts" as const,
    // Our syntax check accepts `5/10` and rejects `/10`; croner reads `5/10` only when sloppy.
    sloppyRanges: true,
    // A list or range of hours (`0 9,17 * * *`) is still a fixed time, as in Vixie cron.
    fixedTimeRule: "no-wildcard" as const,
    domAndDow: false,
  };
}

/**
 * UTC offsets of one zone at whole UTC days, cached. A day is "steady" when the offset at its
 * start equals the offset at its end; that holds unless a transition falls inside it, because no
 * zone changes its offset twice within one day.
 */
class DayOffsets {
  readonly #timezone: string;
  readonly #cache = new Map<number, number>();

  constructor(timezone: string) {
    this.#timezone = timezone;
  }

  /** Offset at the start of UTC day `index`. */
  at(index: number): number {
    let offset = this.#cache.get(index);
    if (offset === undefined) {
      offset = zoneOffsetMs(index * DAY_MS, this.#timezone);
      if (this.#cache.size >= 4096) this.#cache.clear();
      this.#cache.set(index, offset);
    }
    return offset;
  }

  /** The offset over days `index - 1` to `index + 1` when it is steady there, else undefined. */
  steadyAround(index: number): number | undefined {
    const offset = this.at(index);
    return this.at(index - 1) === offset && this.at(index + 1) === offset ? offset : undefined;
  }
}

/**
 * A cron expression compiled for one time zone. Methods take and return epoch milliseconds;
 * fire times are whole seconds.
 *
 * @example
 * ```ts
 * const schedule = new Cron("30 2 * * *", "America/New_York");
 * schedule.next(Date.parse("2026-03-07T12:00:00Z")); // Date.parse("2026-03-08T07:00:00Z")
 * ```
 */
export class Cron {
  /** The expression as given. */
  readonly expression: string;
  /** The IANA zone fire times are computed in. */
  readonly timezone: string;
  readonly #cron: Croner;
  /** Walks steady days fast; absent for year crons (it knows no year), which croner walks. */
  readonly #matcher: WallClockMatcher | undefined;
  readonly #offsets: DayOffsets;

  /**
   * Parses the expression once.
   *
   * @param expression A five- or six-field cron expression.
   * @param timezone IANA time zone the fields are read in. @default "UTC"
   *
   * @throws {ConfigError} when the expression or the zone is invalid.
   */
  constructor(expression: string, timezone = "UTC") {
    const problem = validateCron(expression, { timezone });
    if (problem) throw new ConfigError(problem);
    const syntax = checkCronSyntax(expression);
    this.expression = expression;
    this.timezone = timezone;
    const source = syntax.ok ? syntax.expression : expression;
    const fields = syntax.ok ? syntax.fields : 5;
    const options = cronOptions(timezone, fields);
    this.#cron = new Croner(source, options);
    // croner's parsed fields let us walk steady days without a zone lookup per step.
    this.#matcher = fields === 7
      ? undefined
      : new WallClockMatcher(new CronPattern(source, timezone, options));
    this.#offsets = new DayOffsets(timezone);
  }

  /**
   * The first fire time strictly after `from`, or undefined when there is none.
   *
   * @throws {RangeError} when `from` is not a finite number.
   */
  next(from: number): number | undefined {
    if (!Number.isFinite(from)) {
      throw new RangeError(`cron search start must be epoch milliseconds, got ${from}`);
    }
    const matcher = this.#matcher;
    if (matcher && from >= FAST_MIN && from < FAST_MAX) {
      let after = from;
      for (let empty = 0; empty < FAST_EMPTY_DAYS; empty++) {
        const index = Math.floor(after / DAY_MS);
        const offset = this.#offsets.steadyAround(index);
        if (offset === undefined) break;
        const end = (index + 1) * DAY_MS;
        const local = matcher.nextAfter(after + offset, end + offset);
        if (local !== undefined) return local - offset;
        after = end;
      }
    }
    return this.#croner(from);
  }

  #croner(from: number): number | undefined {
    return this.#cron.nextRun(new Date(from))?.getTime();
  }

  /**
   * The next `count` fire times strictly after `from`, in order.
   *
   * @param from Start (exclusive), epoch ms.
   * @param count How many runs.
   */
  nextRuns(from: number, count: number): number[] {
    const out: number[] = [];
    let cursor = from;
    while (out.length < count) {
      const next = this.next(cursor);
      if (next === undefined) break;
      out.push(next);
      cursor = next;
    }
    return out;
  }

  /** The last fire time strictly before `before`, or undefined when there is none. */
  previous(before: number): number | undefined {
    const [run] = this.#cron.previousRuns(1, new Date(before));
    if (run === undefined) return undefined;
    const time = run.getTime();
    // croner counts a run earlier in the same second; fire times are whole seconds, so only an
    // equal instant has to be stepped over.
    return time < before ? time : this.previous(time - 1);
  }

  /**
   * Fire times in `(startExclusive, endInclusive]`, in order, at most `limit`.
   *
   * @param startExclusive Window start (exclusive), epoch ms.
   * @param endInclusive Window end (inclusive), epoch ms.
   * @param limit at most this many (@default 10000), so a wide window cannot exhaust memory.
   */
  between(startExclusive: number, endInclusive: number, limit = 10_000): number[] {
    const out: number[] = [];
    let cursor = startExclusive;
    while (out.length < limit) {
      const next = this.next(cursor);
      if (next === undefined || next > endInclusive) break;
      out.push(next);
      cursor = next;
    }
    return out;
  }

  /** Whether `epochMs` (to the second) is a fire time. */
  matches(epochMs: number): boolean {
    const second = Math.floor(epochMs / 1000) * 1000;
    return this.next(second - 1) === second;
  }
}

const CACHE_LIMIT = 512;
const schedules = new Map<string, Cron>();

/**
 * The compiled schedule for an expression and zone, from a bounded cache.
 *
 * @param expression A five- or six-field cron expression.
 * @param timezone IANA time zone the fields are read in. @default "UTC"
 *
 * @throws {ConfigError} when the expression or the zone is invalid.
 */
export function cronSchedule(expression: string, timezone = "UTC"): Cron {
  const key = `${timezone}\n${expression}`;
  let schedule = schedules.get(key);
  if (schedule === undefined) {
    schedule = new Cron(expression, timezone);
    if (schedules.size >= CACHE_LIMIT) schedules.delete(schedules.keys().next().value as string);
    schedules.set(key, schedule);
  }
  return schedule;
}

/**
 * The next `count` fire times strictly after `from` (epoch ms), in `timezone`.
 *
 * @param expression A five- or six-field cron expression.
 * @param from Start (exclusive), epoch ms.
 * @param count How many runs.
 * @param timezone IANA time zone the fields are read in. @default "UTC"
 *
 * @throws {ConfigError} when the expression or the zone is invalid.
 * @example
 * ```ts
 * nextRuns("0 0 29 2 *", Date.parse("2026-03-01T00:00:00Z"), 1, "UTC");
 * // [Date.parse("2028-02-29T00:00:00Z")]
 * ```
 */
export function nextRuns(
  expression: string,
  from: number,
  count: number,
  timezone = "UTC",
): number[] {
  return cronSchedule(expression, timezone).nextRuns(from, count);
}

/**
 * The first fire time strictly after `from`, or undefined when there is none.
 *
 * @param expression A five- or six-field cron expression.
 * @param from Start (exclusive), epoch ms.
 * @param timezone IANA time zone the fields are read in. @default "UTC"
 *
 * @throws {ConfigError} when the expression or the zone is invalid.
 */
export function nextRun(expression: string, from: number, timezone = "UTC"): number | undefined {
  return cronSchedule(expression, timezone).next(from);
}

/**
 * The last fire time strictly before `before`, or undefined when there is none.
 *
 * @param expression A five- or six-field cron expression.
 * @param before End (exclusive), epoch ms.
 * @param timezone IANA time zone the fields are read in. @default "UTC"
 *
 * @throws {ConfigError} when the expression or the zone is invalid.
 */
export function previousRun(
  expression: string,
  before: number,
  timezone = "UTC",
): number | undefined {
  return cronSchedule(expression, timezone).previous(before);
}

/**
 * Fire times in `(startExclusive, endInclusive]`, in order, at most `limit` (@default 10000).
 *
 * @param expression A five- or six-field cron expression.
 * @param startExclusive Window start (exclusive), epoch ms.
 * @param endInclusive Window end (inclusive), epoch ms.
 * @param timezone IANA time zone the fields are read in. @default "UTC"
 * @param limit Most runs returned. @default 10000
 *
 * @throws {ConfigError} when the expression or the zone is invalid.
 */
export function runsBetween(
  expression: string,
  startExclusive: number,
  endInclusive: number,
  timezone = "UTC",
  limit?: number,
): number[] {
  return cronSchedule(expression, timezone).between(startExclusive, endInclusive, limit);
}

/** An instant printed for people: local wall-clock time in a zone, and UTC. */
export interface TimeDescription {
  /** `2026-03-08 03:00:00 EDT`; the zone is its abbreviation when `Intl` has a letter one
   * (`EDT`, `UTC`, `GMT`), else its offset (`2026-03-08 10:00:00 +07:00`). */
  readonly local: string;
  /** The zone's offset from UTC at that instant, `+07:00` / `-04:00`. */
  readonly offset: string;
  /** ISO 8601 in UTC without milliseconds when they are zero: `2026-03-08T07:00:00Z`. */
  readonly utc: string;
}

/**
 * Describes an instant in a zone, for previews such as `workflow next`.
 *
 * @param epochMs The instant, epoch ms.
 * @param timezone IANA time zone of the local time.
 *
 * @throws {ConfigError} when the zone is invalid.
 * @example
 * ```ts
 * describeTime(Date.parse("2026-03-08T07:00:00Z"), "America/New_York").local;
 * // "2026-03-08 03:00:00 EDT"
 * ```
 */
export function describeTime(epochMs: number, timezone = "UTC"): TimeDescription {
  const problem = checkTimezone(timezone);
  if (problem) throw new ConfigError(problem);
  const f = localFields(epochMs, timezone);
  const pad = (n: number) => String(n).padStart(2, "0");
  const offset = formatOffset(zoneOffsetMs(epochMs, timezone), true);
  const zone = /^[A-Z]{2,6}$/.test(f.zoneName) ? f.zoneName : offset;
  const local = `${f.year}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}:${
    pad(f.second)
  } ${zone}`;
  const utc = new Date(epochMs).toISOString().replace(".000Z", "Z");
  return { local, offset, utc };
}
