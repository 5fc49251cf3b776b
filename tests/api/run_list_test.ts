import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiFor, postJson } from "./_fixture.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import { runRecords } from "../results/_helpers.ts";
import type { WorkflowApi } from "../../src/api/mod.ts";

type Page = { runs: { run_id: string; workflow: string; status: string }[]; next_cursor: string };

/** An API whose trace store holds runs r0…r(n-1), started 1 s apart from 2024-01-01. */
async function apiWithStoredRuns(n: number) {
  const traces = new MemoryTraceStore();
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    await traces.write(
      runRecords(`r${i}`, base + i * 1000, {
        workflow: i % 2 ? "odd" : "even",
        status: i % 3 === 0 ? "FAILED" : "SUCCESS",
      }),
    );
  }
  const { api } = await apiFor({ traces });
  return { api, traces, base };
}

async function page(api: WorkflowApi, query: string): Promise<Page> {
  const response = await api.request(`/api/v1/runs${query}`);
  assert.equal(response.status, 200, await response.clone().text());
  return await response.json();
}

const ids = (p: Page) => p.runs.map((r) => r.run_id);

describe("GET /runs filters and cursor", () => {
  it("filters runs by workflow and status", async () => {
    const { api } = await apiWithStoredRuns(6);
    assert.deepEqual(ids(await page(api, "?workflow=odd")), ["r5", "r3", "r1"]);
    assert.deepEqual(ids(await page(api, "?status=FAILED")), ["r3", "r0"]);
    assert.deepEqual(ids(await page(api, "?workflow=even&status=failed")), ["r0"]);
    assert.deepEqual(ids(await page(api, "?workflow=nope")), []);
  });

  it("filters runs by start time: since is inclusive, until exclusive, both ISO 8601", async () => {
    const { api } = await apiWithStoredRuns(6);
    const since = "2024-01-01T00:00:02Z";
    assert.deepEqual(ids(await page(api, `?since=${since}&until=2024-01-01T00:00:04`)), [
      "r3",
      "r2",
    ]);
    assert.deepEqual(ids(await page(api, "?until=2024-01-01")), []);
    assert.deepEqual(ids(await page(api, "?since=2024-01-02")), []);
  });

  it("walks every run once with next_cursor, even when newer runs arrive between pages", async () => {
    const { api, traces, base } = await apiWithStoredRuns(5);
    const first = await page(api, "?limit=2");
    assert.deepEqual(ids(first), ["r4", "r3"]);
    assert.equal(typeof first.next_cursor, "string");
    await traces.write(runRecords("newer", base + 60_000));
    const second = await page(api, `?limit=2&cursor=${first.next_cursor}`);
    assert.deepEqual(ids(second), ["r2", "r1"]);
    const third = await page(api, `?limit=2&cursor=${second.next_cursor}`);
    assert.deepEqual(ids(third), ["r0"]);
    assert.equal(third.next_cursor, null);
  });

  it("keeps the filters when paging with a cursor", async () => {
    const { api } = await apiWithStoredRuns(8);
    const first = await page(api, "?workflow=even&limit=2");
    assert.deepEqual(ids(first), ["r6", "r4"]);
    const second = await page(api, `?workflow=even&limit=2&cursor=${first.next_cursor}`);
    assert.deepEqual(ids(second), ["r2", "r0"]);
    assert.equal(second.next_cursor, null);
  });

  it("still pages with the deprecated offset", async () => {
    const { api } = await apiWithStoredRuns(5);
    assert.deepEqual(ids(await page(api, "?limit=2&offset=2")), ["r2", "r1"]);
  });

  it("lists runs this API started and stored runs in one order, filtered alike", async () => {
    const { api } = await apiWithStoredRuns(2);
    const result = await (await postJson(api, "/api/v1/workflows/broken/execute", {})).json();
    const failed = await page(api, "?status=FAILED");
    assert.deepEqual(ids(failed), [result.run_id, "r0"]);
    assert.deepEqual(ids(await page(api, "?workflow=broken")), [result.run_id]);
    assert.deepEqual(ids(await page(api, "?limit=1&offset=1")), ["r1"]);
  });

  for (
    const [query, field, message] of [
      ["?status=DONE", "status", /must be one of SUCCESS, FAILED, SKIP, CANCEL, WAIT, got 'DONE'/],
      ["?since=yesterday", "since", /must be an ISO 8601 date or date-time.*got 'yesterday'/],
      ["?until=2024-13-45", "until", /got '2024-13-45'/],
      ["?limit=0", "limit", /an integer from 1 to 1000, got '0'/],
      ["?limit=1001", "limit", /an integer from 1 to 1000, got '1001'/],
      ["?limit=ten", "limit", /got 'ten'/],
      ["?cursor=not-a-cursor", "cursor", /not a cursor this API gave/],
      ["?cursor=W10", "cursor", /not a cursor this API gave/], // base64url of []
      ["?offset=-1", "offset", /an integer >= 0/],
    ] as const
  ) {
    it(`answers 400 naming '${field}' for ${query}`, async () => {
      const { api } = await apiWithStoredRuns(1);
      const response = await api.request(`/api/v1/runs${query}`);
      assert.equal(response.status, 400);
      const { error } = await response.json();
      assert.equal(error.name, "BadRequest");
      assert.equal(error.field, field);
      assert.match(error.message, message);
    });
  }

  it("refuses a cursor together with an offset, naming offset", async () => {
    const { api } = await apiWithStoredRuns(3);
    const first = await page(api, "?limit=1");
    const response = await api.request(`/api/v1/runs?cursor=${first.next_cursor}&offset=1`);
    assert.equal(response.status, 400);
    const { error } = await response.json();
    assert.equal(error.field, "offset");
    assert.match(error.message, /cannot be combined with 'cursor'/);
  });
});
