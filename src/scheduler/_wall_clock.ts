/**
 * A fast matcher for a parsed cron pattern on a wall clock with a fixed UTC offset. Wall-clock
 * times are written as epoch milliseconds read with the UTC getters, so the search is plain
 * arithmetic with no time zone lookups. `cron.ts` uses it only where the zone's offset is known
 * to be steady; around DST transitions it asks croner instead.
 *
 * @module
 */

/** The parsed fields of a cron pattern, as croner's `CronPattern` exposes them. */
export interface PatternFields {
  /** 60 flags, index = second. */
  readonly second: readonly number[];
  /** 60 flags, index = minute. */
  readonly minute: readonly number[];
  /** 24 flags, index = hour. */
  readonly hour: readonly number[];
  /** 31 flags, index = day of month - 1. */
  readonly day: readonly number[];
  /** 12 flags, index = month - 1. */
  readonly month: readonly number[];
  /** 7 flags (non-zero = selected), index = weekday, 0 = Sunday. */
  readonly dayOfWeek: readonly number[];
  /** Day-of-month was `*` (or `?`). */
  readonly starDOM: boolean;
  /** Weekday was `*` (or `?`). */
  readonly starDOW: boolean;
}

/** For each value, the smallest selected value at or above it, or -1. */
function nextTable(flags: readonly number[]): Int8Array {
  const table = new Int8Array(flags.length);
  let next = -1;
  for (let i = flags.length - 1; i >= 0; i--) {
    if (flags[i]) next = i;
    table[i] = next;
  }
  return table;
}

/** Finds matching wall-clock times of one pattern. */
export class WallClockMatcher {
  readonly #seconds: Int8Array;
  readonly #minutes: Int8Array;
  readonly #hours: Int8Array;
  readonly #months: Int8Array;
  readonly #days: Uint8Array;
  readonly #weekdays: Uint8Array;
  readonly #starDay: boolean;
  readonly #starWeekday: boolean;

  /** Compiles the pattern's fields into lookup tables. */
  constructor(fields: PatternFields) {
    this.#seconds = nextTable(fields.second);
    this.#minutes = nextTable(fields.minute);
    this.#hours = nextTable(fields.hour);
    this.#months = nextTable(fields.month);
    this.#days = Uint8Array.from(fields.day, (v) => (v ? 1 : 0));
    this.#weekdays = Uint8Array.from(fields.dayOfWeek.slice(0, 7), (v) => (v ? 1 : 0));
    this.#starDay = fields.starDOM;
    this.#starWeekday = fields.starDOW;
  }

  /** Whether a calendar day matches (day-of-month and weekday combine with OR when both are
   * restricted, as in Vixie cron and croner's default). */
  #dayMatches(dayOfMonth: number, weekday: number): boolean {
    const byDay = this.#days[dayOfMonth - 1] === 1;
    if (this.#starWeekday) return byDay;
    const byWeekday = this.#weekdays[weekday] === 1;
    return this.#starDay ? byWeekday : byDay || byWeekday;
  }

  /**
   * The first matching wall-clock time strictly after `after` and not after `limit` (both
   * wall-clock milliseconds), or undefined when there is none in that stretch.
   */
  nextAfter(after: number, limit: number): number | undefined {
    let t = Math.floor(after / 1000) * 1000 + 1000;
    while (t <= limit) {
      const date = new Date(t);
      const year = date.getUTCFullYear();
      const month = date.getUTCMonth();
      const day = date.getUTCDate();
      const nextMonth = this.#months[month];
      if (nextMonth !== month) {
        t = nextMonth < 0 ? Date.UTC(year + 1, 0, 1) : Date.UTC(year, nextMonth, 1);
        continue;
      }
      if (!this.#dayMatches(day, date.getUTCDay())) {
        t = Date.UTC(year, month, day + 1);
        continue;
      }
      const hour = date.getUTCHours();
      const nextHour = this.#hours[hour];
      if (nextHour !== hour) {
        t = nextHour < 0 ? Date.UTC(year, month, day + 1) : Date.UTC(year, month, day, nextHour);
        continue;
      }
      const minute = date.getUTCMinutes();
      const nextMinute = this.#minutes[minute];
      if (nextMinute !== minute) {
        t = nextMinute < 0
          ? Date.UTC(year, month, day, hour + 1)
          : Date.UTC(year, month, day, hour, nextMinute);
        continue;
      }
      const second = date.getUTCSeconds();
      const nextSecond = this.#seconds[second];
      if (nextSecond < 0) {
        t = Date.UTC(year, month, day, hour, minute + 1);
        continue;
      }
      t += (nextSecond - second) * 1000;
      return t <= limit ? t : undefined;
    }
    return undefined;
  }
}
