import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isTimeZone } from "../../src/template/zoned_time.ts";

/** What `Intl` itself answers (the zones the cron and the `fmt` filter compute in), plus the
 * names always read as UTC. */
function intlKnows(timezone: string): boolean {
  if (["UTC", "Etc/UTC", "Z", "GMT"].includes(timezone)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

// Links and odd spellings beyond the canonical names: old names, case, offsets, legacy zones
// `Intl` keeps and `Temporal` drops, and near misses.
const ODD_NAMES = [
  "UTC",
  "utc",
  "Z",
  "GMT",
  "Etc/UTC",
  "etc/utc",
  "UCT",
  "Universal",
  "Zulu",
  "Greenwich",
  "GMT0",
  "GMT-0",
  "Etc/GMT+5",
  "Etc/GMT-14",
  "Etc/GMT+15",
  "Etc/GMT-15",
  "etc/gmt+5",
  "+07:00",
  "-05:30",
  "+00:00",
  "-00:00",
  "+0700",
  "+07",
  "+24:00",
  "+07:00:00",
  "UTC+7",
  "EST",
  "MST",
  "HST",
  "EST5EDT",
  "CST6CDT",
  "US/Eastern",
  "US/Pacific-New",
  "Asia/Calcutta",
  "asia/bangkok",
  "ASIA/BANGKOK",
  "europe/paris",
  "Europe/Kiev",
  "Europe/Kyiv",
  "America/Godthab",
  "America/Nuuk",
  "America/Ciudad_Juarez",
  "Asia/Rangoon",
  "Asia/Saigon",
  "Factory",
  "SystemV/AST4",
  "Canada/East-Saskatchewan",
  "ROC",
  "Navajo",
  "Local",
  "localtime",
  "posixrules",
  "Asia",
  "Asia/",
  "/Asia/Bangkok",
  "Asia/Bangkok ",
  " Asia/Bangkok",
  "Asia\\Bangkok",
  "Asia/Bangkok[u-ca=iso8601]",
  "2020-01-01",
  "Mars/Olympus",
  "Etc/Unknown",
];

describe("isTimeZone()", () => {
  it("answers as Intl does for every zone name, link and odd spelling", () => {
    const names = [...Intl.supportedValuesOf("timeZone"), ...ODD_NAMES];
    const differ = names.filter((name) => isTimeZone(name) !== intlKnows(name));
    assert.deepEqual(differ, []);
    // Asked twice (the second answer may come from a cache), the answers stay the same.
    assert.deepEqual(names.filter((name) => isTimeZone(name) !== intlKnows(name)), []);
  });

  it("accepts a zone in any case and rejects blanks and non-strings", () => {
    assert.equal(isTimeZone("Asia/Bangkok"), true);
    assert.equal(isTimeZone("asia/bangkok"), true);
    assert.equal(isTimeZone("Nowhere/Land"), false);
    assert.equal(isTimeZone(""), false);
    assert.equal(isTimeZone("  "), false);
    assert.equal(isTimeZone(7 as unknown as string), false);
  });
});
