import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TemplateError } from "../../src/errors.ts";
import { parseIsoDateTime, render, strftime } from "../../src/template/mod.ts";

const date = new Date(Date.UTC(2024, 2, 5, 14, 7, 9, 123));

describe("strftime()", () => {
  it("formats every supported directive in UTC", () => {
    assert.equal(
      strftime(date, "%Y|%y|%m|%d|%e|%H|%I|%p|%M|%S|%f|%j|%a|%A|%b|%B|%z|%Z|%%", "UTC"),
      "2024|24|03|05| 5|14|02|PM|07|09|123000|065|Tue|Tuesday|Mar|March|+0000|UTC|%",
    );
  });

  it("formats in the given time zone", () => {
    assert.equal(strftime(date, "%Y-%m-%d %H:%M %z", "Asia/Bangkok"), "2024-03-05 21:07 +0700");
    assert.equal(strftime(date, "%d %H:%M %z %Z", "America/New_York"), "05 09:07 -0500 EST");
    const summer = new Date(Date.UTC(2024, 6, 1, 12));
    assert.equal(strftime(summer, "%H %z", "America/New_York"), "08 -0400");
  });

  it("keeps unknown directives and a trailing % as written", () => {
    assert.equal(strftime(date, "%Q %", "UTC"), "%Q %");
  });

  it("names an unknown time zone", () => {
    assert.throws(() => strftime(date, "%Y", "Mars/Olympus"), /unknown time zone 'Mars\/Olympus'/);
    assert.throws(
      () => render("${{ d | fmt('%Y') }}", { d: date }, { timezone: "Nowhere/Land" }),
      TemplateError,
    );
  });
});

describe("parseIsoDateTime()", () => {
  it("reads naive text in the given zone and keeps explicit offsets", () => {
    assert.equal(
      parseIsoDateTime("2024-01-01", "UTC")?.date.toISOString(),
      "2024-01-01T00:00:00.000Z",
    );
    assert.equal(
      parseIsoDateTime("2024-01-01T07:30:00", "Asia/Bangkok")?.date.toISOString(),
      "2024-01-01T00:30:00.000Z",
    );
    assert.equal(
      parseIsoDateTime("2024-01-01 07:30:00.5+02:00", "Asia/Bangkok")?.date.toISOString(),
      "2024-01-01T05:30:00.500Z",
    );
    assert.equal(parseIsoDateTime("2024-01-01T00:00Z", "Asia/Bangkok")?.day, "2024-01-01");
  });

  it("rejects impossible dates and other text", () => {
    assert.equal(parseIsoDateTime("2024-02-30", "UTC"), undefined);
    assert.equal(parseIsoDateTime("2024", "UTC"), undefined);
    assert.equal(parseIsoDateTime("2024-01-01T25:00", "UTC"), undefined);
  });
});
