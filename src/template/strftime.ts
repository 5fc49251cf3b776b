/**
 * `strftime` for the `fmt` filter: Python's directives in the C locale, evaluated in an IANA
 * time zone.
 *
 * @module
 */

import { TemplateError } from "../errors.ts";
import { formatOffset, zoneName, zoneOffsetMs } from "./zoned_time.ts";
import { DAY_NAMES, MONTH_NAMES } from "../util/calendar.ts";

function pad(value: number, width: number, fill = "0"): string {
  const text = String(value);
  return text.length >= width ? text : fill.repeat(width - text.length) + text;
}

/**
 * Formats `date` with strftime directives, read in `timezone`.
 *
 * Supported: `%Y %y %m %d %e %H %I %p %M %S %f %j %a %A %b %B %z %Z %%`. Any other `%x` is kept
 * as written.
 *
 * @example
 * ```ts
 * strftime(new Date(Date.UTC(2024, 0, 2)), "%Y%m%d", "UTC"); // "20240102"
 * ```
 * @throws {TemplateError} for an invalid date or an unknown time zone.
 */
export function strftime(date: Date, format: string, timezone: string): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new TemplateError("cannot format an invalid date");
  const offset = zoneOffsetMs(ms, timezone);
  const wall = new Date(ms + offset);
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const char = format[i];
    if (char !== "%" || i + 1 >= format.length) {
      out += char;
      continue;
    }
    const directive = format[++i];
    switch (directive) {
      case "Y":
        out += pad(wall.getUTCFullYear(), 4);
        break;
      case "y":
        out += pad(((wall.getUTCFullYear() % 100) + 100) % 100, 2);
        break;
      case "m":
        out += pad(wall.getUTCMonth() + 1, 2);
        break;
      case "d":
        out += pad(wall.getUTCDate(), 2);
        break;
      case "e":
        out += pad(wall.getUTCDate(), 2, " ");
        break;
      case "H":
        out += pad(wall.getUTCHours(), 2);
        break;
      case "I":
        out += pad(((wall.getUTCHours() + 11) % 12) + 1, 2);
        break;
      case "p":
        out += wall.getUTCHours() < 12 ? "AM" : "PM";
        break;
      case "M":
        out += pad(wall.getUTCMinutes(), 2);
        break;
      case "S":
        out += pad(wall.getUTCSeconds(), 2);
        break;
      case "f":
        out += pad(wall.getUTCMilliseconds() * 1000, 6);
        break;
      case "j": {
        const startOfYear = new Date(0);
        startOfYear.setUTCFullYear(wall.getUTCFullYear(), 0, 1);
        out += pad(Math.floor((wall.getTime() - startOfYear.getTime()) / 86_400_000) + 1, 3);
        break;
      }
      case "a":
        out += DAY_NAMES[wall.getUTCDay()].slice(0, 3);
        break;
      case "A":
        out += DAY_NAMES[wall.getUTCDay()];
        break;
      case "b":
        out += MONTH_NAMES[wall.getUTCMonth()].slice(0, 3);
        break;
      case "B":
        out += MONTH_NAMES[wall.getUTCMonth()];
        break;
      case "z":
        out += formatOffset(offset, false);
        break;
      case "Z":
        out += zoneName(ms, timezone);
        break;
      case "%":
        out += "%";
        break;
      default:
        out += "%" + directive;
    }
  }
  return out;
}
