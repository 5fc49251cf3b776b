import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { indexConfig } from "../../src/config/loader.ts";
import { formatIssue } from "../../src/errors.ts";
import { nextRuns, validateCron } from "../../src/scheduler/cron.ts";

/** A config of one file, validated with the engine's cron check. */
function config(yaml: string) {
  return indexConfig([{ path: "on.yml", text: yaml }], { validateCron });
}

const iso = (times: number[]) => times.map((t) => new Date(t).toISOString());

describe("reference On template forms", () => {
  it("runs a type: YearOn template with a year field only in that year", () => {
    // The reference's CronJobYear shape: minute hour day month weekday year.
    const index = config(`
every_day_in_2027:
  type: YearOn
  cronjob: "30 1 * * * 2027"
  timezone: "Asia/Bangkok"
wf:
  type: Workflow
  on: every_day_in_2027
`);
    assert.deepEqual(index.validate().map(formatIssue), []);
    const [on] = index.workflow("wf").on;
    assert.equal(on.timezone, "Asia/Bangkok");
    assert.deepEqual(
      iso(nextRuns(on.cronjob, Date.parse("2026-06-01T00:00:00Z"), 2, on.timezone)),
      [
        "2026-12-31T18:30:00.000Z", // 2027-01-01 01:30 in Bangkok: nothing fires in 2026
        "2027-01-01T18:30:00.000Z",
      ],
    );
    assert.deepEqual(nextRuns(on.cronjob, Date.parse("2028-01-01T00:00:00Z"), 1, on.timezone), []);
  });

  it("rejects a YearOn cronjob without its year field, naming the 6 fields", () => {
    const index = config(`
no_year:
  type: YearOn
  cronjob: "30 1 * * *"
`);
    assert.deepEqual(index.validate().map(formatIssue), [
      "on.yml:4:12 cronjob: a YearOn cronjob has 6 fields (minute hour day-of-month month weekday year), got 5: '30 1 * * *'",
    ]);
  });

  it("converts type: On with interval, day and time into the right cron (hour and minute not swapped)", () => {
    const index = config(`
every_day_at_0130:
  type: On
  interval: daily
  time: "01:30"
every_monday:
  type: On
  interval: weekly
  day: monday
  time: "13:05"
every_week:
  type: On
  interval: weekly
monthly_on_15:
  type: On
  interval: monthly
  day: 15
  time: "23:59"
  timezone: Asia/Bangkok
monthly:
  type: On
  interval: monthly
`);
    assert.deepEqual(index.validate().map(formatIssue), []);
    const cron = (name: string) => `${index.on(name).cronjob} ${index.on(name).timezone}`;
    assert.equal(cron("every_day_at_0130"), "30 1 * * * UTC");
    assert.equal(cron("every_monday"), "5 13 * * 1 UTC");
    assert.equal(cron("every_week"), "0 0 * * 1 UTC");
    assert.equal(cron("monthly_on_15"), "59 23 15 * * Asia/Bangkok");
    assert.equal(cron("monthly"), "0 0 1 * * UTC");
  });

  it("explains a bad interval form and shows the equivalent cronjob where it helps", () => {
    const index = config(`
bad_time:
  type: On
  interval: daily
  time: "25:00"
bad_interval:
  type: On
  interval: hourly
monthly_by_weekday:
  type: On
  interval: monthly
  day: monday
  time: "01:30"
both:
  type: On
  interval: daily
  cronjob: "0 1 * * *"
`);
    assert.deepEqual(index.validate().map(formatIssue), [
      `on.yml:5:9 time: time '25:00' is not a time of day; write "HH:MM" (24-hour), e.g. time: "01:30"`,
      "on.yml:8:13 interval: unknown interval 'hourly'; use daily, weekly or monthly (with day and time), or write a cronjob",
      `on.yml:12:8 day: day 'monday' is not a day of the month; interval monthly takes a number 1-31; or write the schedule as cronjob: "30 1 1 * *"`,
      "on.yml:15:3: use either 'cronjob' or 'interval' (with day and time), not both",
    ]);
  });

  it("accepts the interval form inline in a workflow's on", () => {
    const index = config(`
wf:
  type: Workflow
  on:
    schedule:
      - {interval: weekly, day: fri, time: "18:00"}
`);
    assert.deepEqual(index.validate().map(formatIssue), []);
    assert.deepEqual(index.workflow("wf").on.map((on) => on.cronjob), ["0 18 * * 5"]);
  });
});
