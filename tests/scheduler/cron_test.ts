import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  Cron,
  describeTime,
  nextRun,
  nextRuns,
  previousRun,
  runsBetween,
  validateCron,
  validateTimezone,
} from "../../src/scheduler/cron.ts";
import { ConfigError } from "../../src/errors.ts";

const at = (iso: string) => Date.parse(iso);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
const runs = (expression: string, from: string, count: number, timezone = "UTC") =>
  nextRuns(expression, at(from), count, timezone).map((t) => iso(t));

describe("validateCron()", () => {
  it("accepts 5-field, 6-field, names, ranges, steps, lists, ? and aliases", () => {
    for (
      const expression of [
        "* * * * *",
        "*/5 * * * *",
        "5/10 * * * *",
        "10-30/5 9-17 * * MON-FRI",
        "0 0 1,15 JAN,jul *",
        "0 0 ? * SUN",
        "0 0 * * 7",
        "0 0 29 2 *",
        "*/20 * * * * *",
        "  0   12 * * *  ",
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@HOURLY",
      ]
    ) {
      assert.equal(validateCron(expression), undefined, expression);
    }
  });

  it("names the field count it expected", () => {
    assert.equal(
      validateCron("* * *"),
      'invalid cron expression "* * *": it has 3 fields; expected 5 ' +
        "(minute hour day-of-month month weekday), 6 (second minute hour day-of-month month " +
        "weekday) or 7 (second minute hour day-of-month month weekday year)",
    );
    // Six fields are read as seconds first, so a trailing year lands in the weekday field.
    assert.match(validateCron("0 0 1 1 * 2027")!, /weekday value 2027 is out of range 0-7/);
    assert.match(validateCron("1 2 3 4 5 6 7 8")!, /it has 8 fields/);
    assert.equal(validateCron("   "), 'invalid cron expression "   ": it is empty');
  });

  it("names the field and range of an out-of-range value", () => {
    assert.equal(
      validateCron("61 * * * *"),
      'invalid cron expression "61 * * * *": minute value 61 is out of range 0-59',
    );
    assert.match(validateCron("* 24 * * *")!, /hour value 24 is out of range 0-23/);
    assert.match(validateCron("* * 0 * *")!, /day-of-month value 0 is out of range 1-31/);
    assert.match(validateCron("* * * 13 *")!, /month value 13 is out of range 1-12/);
    assert.match(validateCron("* * * * 8")!, /weekday value 8 is out of range 0-7/);
    assert.match(validateCron("60 * * * * *")!, /second value 60 is out of range 0-59/);
  });

  it("lists the names a month or weekday field accepts", () => {
    assert.equal(
      validateCron("0 0 * * FOO"),
      'invalid cron expression "0 0 * * FOO": weekday value "FOO" is not a number 0-7 or a name ' +
        "(SUN, MON, TUE, WED, THU, FRI, SAT)",
    );
    assert.match(validateCron("0 0 1 JANUARY *")!, /month value "JANUARY" is not a number 1-12/);
    assert.match(validateCron("MON * * * *")!, /minute value "MON" is not a number 0-59/);
  });

  it("explains bad ranges, steps and lists", () => {
    assert.match(validateCron("5-1 * * * *")!, /minute range "5-1" runs backwards/);
    assert.match(validateCron("*/0 * * * *")!, /step "0"; a step must be a whole number/);
    assert.match(validateCron("*/61 * * * *")!, /step 61, larger than the field's 60 values/);
    assert.match(validateCron("/10 * * * *")!, /step without a start; write \*\/10 or 0\/10/);
    assert.match(validateCron("1/2/3 * * * *")!, /more than one "\/"/);
    assert.match(validateCron("1-2-3 * * * *")!, /"1-2-3" is not a number, a range a-b/);
    assert.match(validateCron("1,,2 * * * *")!, /has an empty list item/);
    assert.match(
      validateCron("? * * * *")!,
      /"\?" is only allowed in the day-of-month and weekday/,
    );
  });

  it("rejects croner-only extensions that standard cron does not know", () => {
    assert.match(validateCron("0 0 L * *")!, /day-of-month value "L" is not a number/);
    assert.match(validateCron("0 0 * * 5#2")!, /weekday value "5#2"/);
    assert.match(validateCron("0 0 * * +MON")!, /weekday value "\+MON"/);
  });

  it("rejects unknown aliases and @reboot with the list of aliases", () => {
    assert.equal(
      validateCron("@fortnightly"),
      'invalid cron expression "@fortnightly": unknown alias @fortnightly; use one of @yearly, ' +
        "@annually, @monthly, @weekly, @daily, @midnight, @hourly",
    );
    assert.match(validateCron("@reboot")!, /@reboot is not supported/);
  });

  it("rejects a day that never exists in the chosen months", () => {
    assert.equal(
      validateCron("0 0 30 2 *"),
      'invalid cron expression "0 0 30 2 *": it never fires: day 30 does not exist in February',
    );
    assert.match(validateCron("0 0 31 4,6 *")!, /day 31 does not exist in April, June/);
    assert.equal(validateCron("0 0 31 4,6 MON"), undefined, "a weekday makes it fire");
  });

  it("rejects an unknown time zone", () => {
    assert.equal(
      validateCron("* * * * *", { timezone: "Mars/Olympus" }),
      'unknown time zone "Mars/Olympus"; use an IANA name such as "UTC", "Asia/Bangkok" or ' +
        '"America/New_York"',
    );
    assert.equal(validateCron("* * * * *", { timezone: "Asia/Bangkok" }), undefined);
    assert.equal(validateTimezone("America/New_York"), undefined);
    assert.match(validateTimezone("")!, /time zone is empty/);
  });
});

describe("nextRuns() fields", () => {
  it("runs */15 on the quarter hours, strictly after the start", () => {
    assert.deepEqual(runs("*/15 * * * *", "2026-01-01T00:00:00Z", 3), [
      "2026-01-01T00:15:00.000Z",
      "2026-01-01T00:30:00.000Z",
      "2026-01-01T00:45:00.000Z",
    ]);
  });

  it("reads 5/10 as every 10 minutes from minute 5", () => {
    assert.deepEqual(runs("5/10 * * * *", "2026-01-01T00:50:00Z", 3), [
      "2026-01-01T00:55:00.000Z",
      "2026-01-01T01:05:00.000Z",
      "2026-01-01T01:15:00.000Z",
    ]);
  });

  it("steps inside a range with 10-30/5", () => {
    assert.deepEqual(runs("10-30/5 * * * *", "2026-01-01T00:26:00Z", 3), [
      "2026-01-01T00:30:00.000Z",
      "2026-01-01T01:10:00.000Z",
      "2026-01-01T01:15:00.000Z",
    ]);
  });

  it("runs a list of hours on weekdays named MON-FRI", () => {
    // 2026-01-02 is a Friday.
    assert.deepEqual(runs("0 9,17 * * MON-FRI", "2026-01-02T10:00:00Z", 3), [
      "2026-01-02T17:00:00.000Z",
      "2026-01-05T09:00:00.000Z",
      "2026-01-05T17:00:00.000Z",
    ]);
  });

  it("reads month names and weekday 7 as Sunday", () => {
    assert.deepEqual(runs("0 0 1 JAN,jul *", "2026-01-01T00:00:00Z", 2), [
      "2026-07-01T00:00:00.000Z",
      "2027-01-01T00:00:00.000Z",
    ]);
    assert.deepEqual(runs("0 0 * * 7", "2026-01-01T00:00:00Z", 1), ["2026-01-04T00:00:00.000Z"]);
  });

  it("combines day-of-month and weekday with OR when both are restricted", () => {
    assert.deepEqual(runs("0 0 1 * MON", "2026-01-25T00:00:00Z", 3), [
      "2026-01-26T00:00:00.000Z", // a Monday
      "2026-02-01T00:00:00.000Z", // the 1st, a Sunday
      "2026-02-02T00:00:00.000Z",
    ]);
  });

  it("uses only the weekday when day-of-month is ? or *", () => {
    assert.deepEqual(runs("0 0 ? * MON", "2026-01-01T00:00:00Z", 2), [
      "2026-01-05T00:00:00.000Z",
      "2026-01-12T00:00:00.000Z",
    ]);
  });

  it("expands the aliases", () => {
    const from = "2026-05-15T10:30:00Z";
    assert.deepEqual(runs("@hourly", from, 1), ["2026-05-15T11:00:00.000Z"]);
    assert.deepEqual(runs("@daily", from, 1), ["2026-05-16T00:00:00.000Z"]);
    assert.deepEqual(runs("@midnight", from, 1), ["2026-05-16T00:00:00.000Z"]);
    assert.deepEqual(runs("@weekly", from, 1), ["2026-05-17T00:00:00.000Z"]);
    assert.deepEqual(runs("@monthly", from, 1), ["2026-06-01T00:00:00.000Z"]);
    assert.deepEqual(runs("@yearly", from, 1), ["2027-01-01T00:00:00.000Z"]);
    assert.deepEqual(runs("@annually", from, 1), ["2027-01-01T00:00:00.000Z"]);
  });

  it("reads a 6-field expression as seconds first", () => {
    assert.deepEqual(runs("*/20 * * * * *", "2026-01-01T00:00:00.500Z", 3), [
      "2026-01-01T00:00:20.000Z",
      "2026-01-01T00:00:40.000Z",
      "2026-01-01T00:01:00.000Z",
    ]);
    assert.deepEqual(runs("30 15 10 * * *", "2026-01-01T00:00:00Z", 1), [
      "2026-01-01T10:15:30.000Z",
    ]);
  });

  it("reads a 7-field expression as seconds first and a year last (YearOn)", () => {
    assert.equal(validateCron("0 30 1 * * * 2027"), undefined);
    assert.match(validateCron("0 30 1 * * * 1800")!, /year value 1800 is out of range 1990-2100/);
    assert.deepEqual(runs("0 30 1 * * * 2027", "2026-06-01T00:00:00Z", 2, "Asia/Bangkok"), [
      "2026-12-31T18:30:00.000Z", // 2027-01-01 01:30 in Bangkok
      "2027-01-01T18:30:00.000Z",
    ]);
    assert.deepEqual(runs("0 0 0 1 1 * 2025-2026", "2024-06-01T00:00:00Z", 3), [
      "2025-01-01T00:00:00.000Z",
      "2026-01-01T00:00:00.000Z",
    ]);
    assert.equal(nextRun("0 0 0 1 1 * 2024", at("2024-06-01T00:00:00Z")), undefined);
    assert.equal(
      iso(previousRun("0 30 1 * * * 2024", at("2026-01-01T00:00:00Z"))),
      "2024-12-31T01:30:00.000Z",
    );
  });

  it("finds the next leap day two years ahead", () => {
    assert.deepEqual(runs("0 0 29 2 *", "2026-03-01T00:00:00Z", 2), [
      "2028-02-29T00:00:00.000Z",
      "2032-02-29T00:00:00.000Z",
    ]);
  });

  it("rolls into the next year to the right month (the reference returned 2025-01-01)", () => {
    assert.deepEqual(runs("0 0 1 3 *", "2024-11-01T00:00:00Z", 2), [
      "2025-03-01T00:00:00.000Z",
      "2026-03-01T00:00:00.000Z",
    ]);
  });

  it("matches the reference's runner anchors in Asia/Bangkok", () => {
    assert.deepEqual(runs("*/30 */12 23 */3 *", "2024-01-01T05:00:00Z", 4, "Asia/Bangkok"), [
      "2024-01-22T17:00:00.000Z", // 2024-01-23 00:00 +07
      "2024-01-22T17:30:00.000Z",
      "2024-01-23T05:00:00.000Z",
      "2024-01-23T05:30:00.000Z",
    ]);
  });

  it("never returns the start itself", () => {
    assert.equal(iso(nextRun("0 * * * *", at("2026-01-01T05:00:00Z"))), "2026-01-01T06:00:00.000Z");
  });
});

describe("previousRun() and runsBetween()", () => {
  it("returns the last run strictly before the instant", () => {
    assert.equal(
      iso(previousRun("0 * * * *", at("2026-01-01T05:00:00Z"))),
      "2026-01-01T04:00:00.000Z",
    );
    assert.equal(
      iso(previousRun("0 * * * *", at("2026-01-01T05:00:00.001Z"))),
      "2026-01-01T05:00:00.000Z",
    );
    assert.equal(
      iso(previousRun("*/30 */12 23 */3 *", at("2023-12-31T17:00:00Z"), "Asia/Bangkok")),
      "2023-10-23T05:30:00.000Z", // 2023-10-23 12:30 +07
    );
  });

  it("returns runs in (start, end] and stops at the limit", () => {
    const times = runsBetween("0 * * * *", at("2026-01-01T00:00:00Z"), at("2026-01-01T03:00:00Z"));
    assert.deepEqual(times.map((t) => iso(t)), [
      "2026-01-01T01:00:00.000Z",
      "2026-01-01T02:00:00.000Z",
      "2026-01-01T03:00:00.000Z",
    ]);
    assert.equal(runsBetween("* * * * *", 0, at("2026-01-01T00:00:00Z"), "UTC", 5).length, 5);
  });
});

describe("Cron", () => {
  it("throws a ConfigError carrying the validation message", () => {
    assert.throws(() => new Cron("61 * * * *", "UTC"), {
      name: "ConfigError",
      message: 'invalid cron expression "61 * * * *": minute value 61 is out of range 0-59',
    });
    assert.throws(() => nextRuns("* * * * *", 0, 1, "Nowhere/City"), ConfigError);
  });

  it("tells whether an instant is a fire time, to the second", () => {
    const schedule = new Cron("30 2 * * *", "America/New_York");
    assert.equal(schedule.matches(at("2026-03-09T06:30:00Z")), true);
    assert.equal(schedule.matches(at("2026-03-09T06:30:00.750Z")), true);
    assert.equal(schedule.matches(at("2026-03-09T06:31:00Z")), false);
    assert.equal(
      schedule.matches(at("2026-03-08T07:00:00Z")),
      true,
      "the run moved out of the gap",
    );
  });

  it("rejects a search start that is not a number of milliseconds", () => {
    assert.throws(() => nextRun("* * * * *", Number.NaN), {
      name: "RangeError",
      message: "cron search start must be epoch milliseconds, got NaN",
    });
  });

  it("agrees with a minute-by-minute search on random schedules (UTC and Asia/Bangkok)", () => {
    const value = (min: number, max: number) => fc.integer({ min, max });
    const field = (min: number, max: number) =>
      fc.oneof(
        fc.constant("*"),
        value(1, 7).map((s) => `*/${s}`),
        value(min, max).map(String),
        fc.tuple(value(min, max), value(min, max)).map(([a, b]) =>
          `${Math.min(a, b)}-${Math.max(a, b)}`
        ),
        fc.tuple(value(min, max), value(min, max)).map(([a, b]) => `${a},${b}`),
        fc.tuple(value(min, max), value(1, 5)).map(([a, s]) => `${a}/${s}`),
      );
    const expression = fc.tuple(
      field(0, 59),
      field(0, 23),
      fc.oneof(fc.constant("*"), field(1, 28)),
      fc.constant("*"),
      fc.oneof(fc.constant("*"), field(0, 6)),
    ).map((parts) => parts.join(" "));
    const start = fc.integer({ min: at("2025-01-01T00:00:00Z"), max: at("2030-01-01T00:00:00Z") });
    const zone = fc.constantFrom(["UTC", 0] as const, ["Asia/Bangkok", 7 * 3600_000] as const);
    fc.assert(
      fc.property(expression, start, zone, (expr, from, [timezone, offset]) => {
        const found = nextRun(expr, from, timezone);
        assert.notEqual(found, undefined);
        const expected = bruteForceNext(expr, from + offset) - offset;
        assert.equal(iso(found), iso(expected), `${expr} in ${timezone} after ${iso(from)}`);
      }),
      { numRuns: 60 },
    );
  });
});

describe("describeTime()", () => {
  it("prints local time with the zone abbreviation, or the offset when there is none", () => {
    assert.deepEqual(describeTime(at("2026-03-08T07:00:00Z"), "America/New_York"), {
      local: "2026-03-08 03:00:00 EDT",
      offset: "-04:00",
      utc: "2026-03-08T07:00:00Z",
    });
    assert.deepEqual(describeTime(at("2026-03-08T07:00:00Z"), "Asia/Bangkok"), {
      local: "2026-03-08 14:00:00 +07:00",
      offset: "+07:00",
      utc: "2026-03-08T07:00:00Z",
    });
    assert.equal(describeTime(at("2026-01-01T23:59:59Z"), "UTC").local, "2026-01-01 23:59:59 UTC");
  });

  it("throws a ConfigError for an unknown zone", () => {
    assert.throws(() => describeTime(0, "Mars/Olympus"), { name: "ConfigError" });
  });
});

/** Reference search: every minute, checked field by field with standard cron rules. */
function bruteForceNext(expression: string, afterLocal: number): number {
  const [minute, hour, day, , weekday] = expression.split(" ").map((part, i) =>
    expand(part, [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]][i] as [number, number])
  );
  const [, , dayText, , weekdayText] = expression.split(" ");
  let t = Math.floor(afterLocal / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 200 * 24 * 60; i++, t += 60_000) {
    const d = new Date(t);
    if (!minute.has(d.getUTCMinutes()) || !hour.has(d.getUTCHours())) continue;
    const byDay = day.has(d.getUTCDate());
    const byWeekday = weekday.has(d.getUTCDay());
    const dayOk = weekdayText === "*" ? byDay : dayText === "*" ? byWeekday : byDay || byWeekday;
    if (dayOk) return t;
  }
  throw new Error(`no run of ${expression} within 200 days`);
}

function expand(part: string, [min, max]: [number, number]): Set<number> {
  const out = new Set<number>();
  for (const item of part.split(",")) {
    const [range, stepText] = item.split("/");
    const step = stepText ? Number(stepText) : 1;
    let [low, high] = range === "*" ? [min, max] : range.split("-").map(Number);
    if (high === undefined) high = stepText ? max : low;
    for (let v = low; v <= high; v += step) out.add(v);
  }
  return out;
}
