/**
 * Wall-clock arithmetic in IANA time zones through `Intl`, shared by the `fmt` filter, date
 * stringification and param coercion. One `Intl.DateTimeFormat` is kept per zone.
 *
 * @module
 */

import { TemplateError } from "../errors.ts";

const MAX_CACHED_ZONES = 64;
const partFormatters = new Map<string, Intl.DateTimeFormat>();
const nameFormatters = new Map<string, Intl.DateTimeFormat>();

function isUtc(timezone: string): boolean {
  return timezone === "UTC" || timezone === "Etc/UTC" || timezone === "Z" || timezone === "GMT";
}

function cachedFormatter(
  cache: Map<string, Intl.DateTimeFormat>,
  timezone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let formatter = cache.get(timezone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", { ...options, timeZone: timezone });
    } catch {
      throw new TemplateError(`unknown time zone '${timezone}'`);
    }
    if (cache.size >= MAX_CACHED_ZONES) cache.delete(cache.keys().next().value as string);
    cache.set(timezone, formatter);
  }
  return formatter;
}

/** Throws a `TemplateError` when `timezone` is not a zone `Intl` knows. */
export function assertTimeZone(timezone: string): void {
  if (!isUtc(timezone)) cachedFormatter(partFormatters, timezone, PART_OPTIONS);
}

/** The part of `Temporal` used here (runtimes without it leave it undefined). */
interface TemporalZones {
  readonly ZonedDateTime: new (epochNanoseconds: bigint, timeZone: string) => unknown;
}

const temporal = (globalThis as unknown as { Temporal?: TemporalZones }).Temporal;
/** Zones `Temporal` accepted: asked once each. */
const temporalZones = new Set<string>();

/**
 * Whether `Temporal`, where the runtime has it, knows `timezone`. The first
 * `Intl.DateTimeFormat` of a process loads the locale data (12-20 ms on Deno), which made
 * validating a workflow's `on:` the slowest step of the first lookup; `Temporal` answers in
 * well under a millisecond. Every zone `Temporal` knows, `Intl` knows too (checked for every
 * IANA name and link, `tests/template/zoned_time_test.ts`); a zone it rejects is still asked
 * of `Intl`, which knows a few more (`Factory`, `US/Pacific-New`).
 */
function temporalKnows(timezone: string): boolean {
  if (temporal === undefined) return false;
  if (temporalZones.has(timezone)) return true;
  try {
    new temporal.ZonedDateTime(0n, timezone);
  } catch {
    return false;
  }
  if (temporalZones.size >= MAX_CACHED_ZONES) temporalZones.clear();
  temporalZones.add(timezone);
  return true;
}

/** Whether `timezone` is an IANA zone `Intl` knows (settings, `on:` validation, cron). */
export function isTimeZone(timezone: string): boolean {
  if (typeof timezone !== "string" || timezone.trim() === "") return false;
  if (temporalKnows(timezone)) return true;
  try {
    assertTimeZone(timezone);
    return true;
  } catch {
    return false;
  }
}

const PART_OPTIONS: Intl.DateTimeFormatOptions = {
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
};

/** Epoch ms of a wall-clock time read as UTC (years below 100 are kept, unlike `Date.UTC`). */
export function utcFromFields(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  millisecond = 0,
): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  return date.getTime();
}

/** Offset of `timezone` from UTC at the instant `ms`, in milliseconds (east positive). */
export function zoneOffsetMs(ms: number, timezone: string): number {
  if (isUtc(timezone)) return 0;
  const formatter = cachedFormatter(partFormatters, timezone, PART_OPTIONS);
  let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  for (const part of formatter.formatToParts(new Date(ms))) {
    const value = Number(part.value);
    switch (part.type) {
      case "year":
        year = value;
        break;
      case "month":
        month = value;
        break;
      case "day":
        day = value;
        break;
      case "hour":
        hour = value === 24 ? 0 : value;
        break;
      case "minute":
        minute = value;
        break;
      case "second":
        second = value;
        break;
    }
  }
  const wall = utcFromFields(year, month, day, hour, minute, second);
  const offset = wall - (ms - (((ms % 1000) + 1000) % 1000));
  return Number.isFinite(offset) ? offset : 0;
}

/** Short zone name (`UTC`, `EST`, `GMT+7`) of `timezone` at `ms`, as `%Z` prints it. */
export function zoneName(ms: number, timezone: string): string {
  if (isUtc(timezone)) return "UTC";
  const formatter = cachedFormatter(nameFormatters, timezone, { timeZoneName: "short" });
  for (const part of formatter.formatToParts(new Date(ms))) {
    if (part.type === "timeZoneName") return part.value;
  }
  return timezone;
}

/** Epoch ms of a wall-clock time (given as if UTC) read in `timezone`. */
export function wallToEpochMs(wallMs: number, timezone: string): number {
  if (isUtc(timezone)) return wallMs;
  const first = zoneOffsetMs(wallMs, timezone);
  const guess = wallMs - first;
  const second = zoneOffsetMs(guess, timezone);
  return second === first ? guess : wallMs - second;
}

function pad(value: number, width: number): string {
  const text = String(Math.abs(value));
  const sign = value < 0 ? "-" : "";
  return sign + (text.length >= width ? text : "0".repeat(width - text.length) + text);
}

/** `+07:00` / `-03:30` / `+00:00` for an offset in ms (`withColon` false → `+0700`). */
export function formatOffset(offsetMs: number, withColon: boolean): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const total = Math.round(Math.abs(offsetMs) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const sep = withColon ? ":" : "";
  let text = sign + pad(hours, 2) + sep + pad(minutes, 2);
  if (seconds !== 0) text += sep + pad(seconds, 2);
  return text;
}

/**
 * ISO-8601 text of `date` in `timezone`: `toISOString()` for UTC, else
 * `2024-01-02T10:00:00.000+07:00`.
 *
 * @throws {TemplateError} for an invalid date or an unknown zone.
 */
export function formatIsoInZone(date: Date, timezone: string): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new TemplateError("cannot render an invalid date");
  if (isUtc(timezone)) return date.toISOString();
  const offset = zoneOffsetMs(ms, timezone);
  const wall = new Date(ms + offset).toISOString();
  return wall.slice(0, wall.length - 1) + formatOffset(offset, true);
}

/** A parsed ISO-8601 date or date-time. */
export interface ParsedIso {
  /** The instant (naive text read in the given zone). */
  readonly date: Date;
  /** The calendar date as written, `YYYY-MM-DD`. */
  readonly day: string;
  /** Whether a time part was present. */
  readonly hasTime: boolean;
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:\s*([Zz]|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?))?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(utcFromFields(year, month + 1, 0)).getUTCDate();
}

/**
 * Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|±HH[:MM]]` (`T` or a space).
 * A text without offset is read in `timezone`. Returns `undefined` when the text is not such
 * a date or names an impossible one (`2024-02-30`).
 */
export function parseIsoDateTime(text: string, timezone: string): ParsedIso | undefined {
  const match = ISO_PATTERN.exec(text.trim());
  if (match === null) return undefined;
  const year = Number(match[1]), month = Number(match[2]), day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const hour = Number(match[4] ?? 0), minute = Number(match[5] ?? 0);
  const second = Number(match[6] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millisecond = match[7] === undefined ? 0 : Math.floor(Number(`0.${match[7]}`) * 1000);
  const wall = utcFromFields(year, month, day, hour, minute, second, millisecond);
  let ms: number;
  const zone = match[8];
  if (zone === undefined) {
    ms = wallToEpochMs(wall, timezone);
  } else if (zone === "Z" || zone === "z") {
    ms = wall;
  } else {
    const digits = zone.slice(1).replaceAll(":", "");
    const offset = (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || 0) * 60 +
      Number(digits.slice(4, 6) || 0)) * 1000;
    ms = zone[0] === "-" ? wall + offset : wall - offset;
  }
  return {
    date: new Date(ms),
    day: `${match[1]}-${match[2]}-${match[3]}`,
    hasTime: match[4] !== undefined,
  };
}

/** `YYYY-MM-DD` of the instant `ms` in `timezone`. */
export function calendarDay(ms: number, timezone: string): string {
  return new Date(ms + zoneOffsetMs(ms, timezone)).toISOString().slice(0, 10);
}
