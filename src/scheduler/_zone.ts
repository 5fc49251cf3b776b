/**
 * IANA time zone helpers built on `Intl`: validate a zone name, read the UTC offset of a zone at
 * an instant, and split an instant into local wall-clock fields.
 *
 * @module
 */

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
  try {
    fieldFormatter(timezone);
    return undefined;
  } catch {
    return `unknown time zone "${timezone}"; use an IANA name such as "UTC", "Asia/Bangkok" or ` +
      '"America/New_York"';
  }
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

/** The zone's offset from UTC at an instant, in milliseconds (local = utc + offset). */
export function offsetAt(epochMs: number, timezone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const f = localFields(whole, timezone);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - whole;
}

/** Formats an offset in milliseconds as `+07:00` / `-04:00`. */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}
