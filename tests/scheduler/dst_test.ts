import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nextRuns, previousRun, runsBetween } from "../../src/scheduler/cron.ts";

const at = (iso: string) => Date.parse(iso);
const isoList = (times: number[]) => times.map((t) => new Date(t).toISOString());
const runs = (expression: string, from: string, count: number, timezone: string) =>
  isoList(nextRuns(expression, at(from), count, timezone));

describe("America/New_York, spring forward on 2026-03-08 (02:00 EST -> 03:00 EDT)", () => {
  it("runs a skipped fixed time once, at 03:00 EDT right after the gap", () => {
    assert.deepEqual(runs("30 2 * * *", "2026-03-07T12:00:00Z", 3, "America/New_York"), [
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:30:00.000Z",
      "2026-03-10T06:30:00.000Z",
    ]);
  });

  it("runs a fixed time at the very start of the gap once, at 03:00 EDT", () => {
    assert.deepEqual(runs("0 2 * * *", "2026-03-07T12:00:00Z", 2, "America/New_York"), [
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:00:00.000Z",
    ]);
  });

  it("treats an hour list as fixed times: the skipped 02:30 moves to 03:00, 03:30 still runs", () => {
    assert.deepEqual(runs("30 2,3 * * *", "2026-03-08T05:00:00Z", 3, "America/New_York"), [
      "2026-03-08T07:00:00.000Z",
      "2026-03-08T07:30:00.000Z",
      "2026-03-09T06:30:00.000Z",
    ]);
  });

  it("runs a skipped time and a 03:00 time that land on the same instant only once", () => {
    assert.deepEqual(runs("0 2,3 * * *", "2026-03-08T05:00:00Z", 2, "America/New_York"), [
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:00:00.000Z",
    ]);
  });

  it("skips the missing local times of an interval schedule", () => {
    assert.deepEqual(runs("*/30 * * * *", "2026-03-08T06:15:00Z", 4, "America/New_York"), [
      "2026-03-08T06:30:00.000Z", // 01:30 EST
      "2026-03-08T07:00:00.000Z", // 03:00 EDT
      "2026-03-08T07:30:00.000Z",
      "2026-03-08T08:00:00.000Z",
    ]);
  });

  it("finds the moved run when searching backwards", () => {
    const previous = previousRun("30 2 * * *", at("2026-03-09T06:00:00Z"), "America/New_York");
    assert.equal(new Date(previous!).toISOString(), "2026-03-08T07:00:00.000Z");
  });
});

describe("America/New_York, fall back on 2026-11-01 (02:00 EDT -> 01:00 EST)", () => {
  it("runs a repeated fixed time once, on its first (EDT) occurrence", () => {
    assert.deepEqual(runs("30 1 * * *", "2026-10-31T12:00:00Z", 2, "America/New_York"), [
      "2026-11-01T05:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("runs each time of an hour list once", () => {
    assert.deepEqual(runs("0 1,2 * * *", "2026-10-31T12:00:00Z", 3, "America/New_York"), [
      "2026-11-01T05:00:00.000Z", // 01:00 EDT
      "2026-11-01T07:00:00.000Z", // 02:00 EST
      "2026-11-02T06:00:00.000Z",
    ]);
  });

  it("runs an interval schedule in both passes of the repeated hour", () => {
    assert.deepEqual(runs("*/30 * * * *", "2026-11-01T04:45:00Z", 6, "America/New_York"), [
      "2026-11-01T05:00:00.000Z", // 01:00 EDT
      "2026-11-01T05:30:00.000Z", // 01:30 EDT
      "2026-11-01T06:00:00.000Z", // 01:00 EST
      "2026-11-01T06:30:00.000Z", // 01:30 EST
      "2026-11-01T07:00:00.000Z", // 02:00 EST
      "2026-11-01T07:30:00.000Z",
    ]);
  });

  it("runs an hourly schedule every real hour through the change", () => {
    assert.deepEqual(runs("0 * * * *", "2026-11-01T04:30:00Z", 3, "America/New_York"), [
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T07:00:00.000Z",
    ]);
  });

  it("counts 50 half-hour runs in the 25-hour local day", () => {
    const times = runsBetween(
      "*/30 * * * *",
      at("2026-11-01T03:59:59Z"),
      at("2026-11-02T04:59:59Z"),
      "America/New_York",
    );
    assert.equal(times.length, 50);
    assert.equal(new Date(times[0]).toISOString(), "2026-11-01T04:00:00.000Z");
    assert.equal(new Date(times[49]).toISOString(), "2026-11-02T04:30:00.000Z");
  });

  it("does not return the second pass of a repeated fixed time when searching backwards", () => {
    const previous = previousRun("30 1 * * *", at("2026-11-02T00:00:00Z"), "America/New_York");
    assert.equal(new Date(previous!).toISOString(), "2026-11-01T05:30:00.000Z");
  });

  it("continues from inside the second pass without repeating a fixed time", () => {
    assert.deepEqual(runs("30 1 * * *", "2026-11-01T06:15:00Z", 1, "America/New_York"), [
      "2026-11-02T06:30:00.000Z",
    ]);
  });
});

describe("Europe/London, 2026-03-29 (01:00 GMT -> 02:00 BST) and 2026-10-25 (02:00 BST -> 01:00 GMT)", () => {
  it("runs a skipped 01:30 once at 02:00 BST", () => {
    assert.deepEqual(runs("30 1 * * *", "2026-03-28T12:00:00Z", 2, "Europe/London"), [
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T00:30:00.000Z",
    ]);
  });

  it("runs 02:00 normally on the spring-forward day, since 02:00 BST exists", () => {
    assert.deepEqual(runs("0 2 * * *", "2026-03-28T12:00:00Z", 1, "Europe/London"), [
      "2026-03-29T01:00:00.000Z",
    ]);
  });

  it("runs a repeated 01:30 once, at 01:30 BST", () => {
    assert.deepEqual(runs("30 1 * * *", "2026-10-24T12:00:00Z", 2, "Europe/London"), [
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  it("runs an interval schedule in both passes of the repeated hour", () => {
    assert.deepEqual(runs("*/30 * * * *", "2026-10-24T23:45:00Z", 5, "Europe/London"), [
      "2026-10-25T00:00:00.000Z", // 01:00 BST
      "2026-10-25T00:30:00.000Z", // 01:30 BST
      "2026-10-25T01:00:00.000Z", // 01:00 GMT
      "2026-10-25T01:30:00.000Z", // 01:30 GMT
      "2026-10-25T02:00:00.000Z", // 02:00 GMT
    ]);
  });
});

describe("Australia/Sydney, 2026-04-05 back (03:00 AEDT -> 02:00 AEST) and 2026-10-04 forward (02:00 AEST -> 03:00 AEDT)", () => {
  it("runs a repeated 02:30 once, on its first (AEDT) occurrence", () => {
    assert.deepEqual(runs("30 2 * * *", "2026-04-04T00:00:00Z", 2, "Australia/Sydney"), [
      "2026-04-04T15:30:00.000Z",
      "2026-04-05T16:30:00.000Z",
    ]);
  });

  it("runs an interval schedule in both passes of the repeated hour", () => {
    assert.deepEqual(runs("*/30 * * * *", "2026-04-04T15:15:00Z", 4, "Australia/Sydney"), [
      "2026-04-04T15:30:00.000Z", // 02:30 AEDT
      "2026-04-04T16:00:00.000Z", // 02:00 AEST
      "2026-04-04T16:30:00.000Z", // 02:30 AEST
      "2026-04-04T17:00:00.000Z", // 03:00 AEST
    ]);
  });

  it("runs a skipped 02:30 once at 03:00 AEDT", () => {
    assert.deepEqual(runs("30 2 * * *", "2026-10-03T00:00:00Z", 2, "Australia/Sydney"), [
      "2026-10-03T16:00:00.000Z",
      "2026-10-04T15:30:00.000Z",
    ]);
  });

  it("skips the missing local times of an interval schedule", () => {
    assert.deepEqual(runs("*/30 * * * *", "2026-10-03T15:15:00Z", 3, "Australia/Sydney"), [
      "2026-10-03T15:30:00.000Z", // 01:30 AEST
      "2026-10-03T16:00:00.000Z", // 03:00 AEDT
      "2026-10-03T16:30:00.000Z",
    ]);
  });
});

describe("Asia/Bangkok, which has no DST (UTC+07:00 all year)", () => {
  it("runs 02:30 local at 19:30Z the day before, every day of March", () => {
    assert.deepEqual(runs("30 2 * * *", "2026-03-07T12:00:00Z", 3, "Asia/Bangkok"), [
      "2026-03-07T19:30:00.000Z",
      "2026-03-08T19:30:00.000Z",
      "2026-03-09T19:30:00.000Z",
    ]);
  });

  it("runs every five minutes with no gap or repeat on the New York change days", () => {
    const times = runsBetween(
      "*/5 * * * *",
      at("2026-11-01T00:00:00Z"),
      at("2026-11-02T00:00:00Z"),
      "Asia/Bangkok",
    );
    assert.equal(times.length, 288);
    for (let i = 1; i < times.length; i++) assert.equal(times[i] - times[i - 1], 300_000);
  });
});
