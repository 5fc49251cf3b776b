import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseOn } from "../../src/models/on.ts";
import { isTimeZone as isValidTimezone } from "../../src/template/zoned_time.ts";
import type { CronSchedule } from "../../src/models/types.ts";
import { collect } from "./_helpers.ts";

const templates: Record<string, CronSchedule> = {
  every_minute: { cronjob: "* * * * *", timezone: "UTC" },
  daily_bkk: { cronjob: "0 0 * * *", timezone: "Asia/Bangkok" },
};
const options = {
  lookupOn: (name: string) => templates[name],
  onNames: Object.keys(templates),
};
const crons = (list: readonly CronSchedule[]) => list.map((c) => `${c.cronjob} ${c.timezone}`);

describe("parseOn()", () => {
  it("accepts a template name, a mixed list, and {schedule: [...]}", () => {
    assert.deepEqual(crons(collect((i) => parseOn("every_minute", ["on"], i, options)).value), [
      "* * * * * UTC",
    ]);
    const mixed = collect((i) =>
      parseOn(["daily_bkk", { cronjob: "*/5 * * * *", tz: "Europe/Paris" }], ["on"], i, options)
    );
    assert.deepEqual(mixed.issues, []);
    assert.deepEqual(crons(mixed.value), ["0 0 * * * Asia/Bangkok", "*/5 * * * * Europe/Paris"]);
    const later = collect((i) => parseOn({ schedule: [{ cronjob: "0 1 * * *" }] }, ["on"], i));
    assert.deepEqual(crons(later.value), ["0 1 * * * UTC"]);
  });

  it("uses the default time zone when none is given", () => {
    const { value } = collect((i) =>
      parseOn([{ cronjob: "0 1 * * *" }], ["on"], i, { defaultTimezone: "Asia/Tokyo" })
    );
    assert.deepEqual(crons(value), ["0 1 * * * Asia/Tokyo"]);
  });

  it("reports unknown templates, unknown zones and duplicates", () => {
    const { issues } = collect((i) =>
      parseOn(
        [
          "every_minut",
          { cronjob: "0 1 * * *", timezone: "Mars/Olympus" },
          { cronjob: "0  0 * * *", timezone: "Asia/Bangkok" },
          "daily_bkk",
        ],
        ["on"],
        i,
        options,
      )
    );
    assert.deepEqual(issues, [
      "on[0]: unknown On template 'every_minut'; did you mean 'every_minute'?",
      "on[1].timezone: unknown time zone 'Mars/Olympus'; use an IANA name such as 'UTC' or 'Asia/Bangkok'",
      "on[3]: duplicate schedule '0 0 * * *' (Asia/Bangkok), same as on[2]",
    ]);
  });

  it("limits the number of schedules", () => {
    const list = Array.from({ length: 3 }, (_, n) => ({ cronjob: `${n} * * * *` }));
    const { issues } = collect((i) => parseOn(list, ["on"], i, { maxCronPerWorkflow: 2 }));
    assert.deepEqual(issues, ["on: too many schedules: 3 (at most 2 are allowed)"]);
  });

  it("passes each cron to the validateCron hook", () => {
    const { issues } = collect((i) =>
      parseOn([{ cronjob: "61 * * * *" }], ["on"], i, {
        validateCron: (expr) => expr.startsWith("61") ? "minute 61 is out of range" : undefined,
      })
    );
    assert.deepEqual(issues, [
      "on[0].cronjob: invalid cron '61 * * * *': minute 61 is out of range",
    ]);
  });

  it("rejects values of the wrong shape", () => {
    const { issues } = collect((i) => parseOn(5, ["on"], i));
    assert.deepEqual(issues, [
      "on: expected an On template name, a list of names and/or {cronjob, timezone}, or {schedule: [...]}, got a number (5)",
    ]);
  });
});

describe("isValidTimezone()", () => {
  it("knows IANA zones and rejects made-up ones", () => {
    assert.equal(isValidTimezone("Asia/Bangkok"), true);
    assert.equal(isValidTimezone("UTC"), true);
    assert.equal(isValidTimezone("Nowhere/Land"), false);
  });
});
