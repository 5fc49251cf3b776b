/**
 * Cron-side time zone helpers: a validation message for a zone name, and an instant split into
 * local wall-clock fields with the zone's short name. Offsets and offset text come from
 * `src/template/zoned_time.ts`, shared with `fmt` and param coercion.
 *
 * @module
 */

import { isTimeZone } from "../template/zoned_time.ts";

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A `DateTimeFormat` printing numeric wall-clock fields in `timezone` (cached per zone). */
function fieldFormatter(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "short",
    });
    if (formatters.size >= 256) formatters.clear();
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** Returns undefined when `timezone` is a zone `Intl` knows, else a message saying so. */
export function checkTimezone(timezone: string): string | undefined {
  if (typeof timezone !== "string" || timezone.trim() === "") {
    return 'time zone is empty; use an IANA name such as "UTC" or "Asia/Bangkok"';
  }
  if (isTimeZone(timezone)) return undefined;
  return `unknown time zone "${timezone}"; use an IANA name such as "UTC", "Asia/Bangkok" or ` +
    '"America/New_York"';
}

/** Local wall-clock fields of an instant in a zone, with the zone's short name there. */
export interface LocalFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** The zone's short name at that instant as `Intl` prints it (`EDT`, `GMT+7`, `UTC`). */
  readonly zoneName: string;
}

/** Splits an instant (whole seconds) into wall-clock fields in `timezone`. */
export function localFields(epochMs: number, timezone: string): LocalFields {
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, zoneName: "" };
  for (const part of fieldFormatter(timezone).formatToParts(epochMs)) {
    switch (part.type) {
      case "year":
      case "month":
      case "day":
      case "hour":
      case "minute":
      case "second":
        fields[part.type] = Number(part.value);
        break;
      case "timeZoneName":
        fields.zoneName = part.value;
    }
  }
  return fields;
}
