// The one contract every TraceStore passes. Imported by trace_store_test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TraceRecord, TraceStore } from "../../src/results/trace_store.ts";
import {
  type ContractOptions,
  record,
  runRecords,
  type StoreHandle,
  withStoreFrom,
} from "./_helpers.ts";

/** A store under test; `reopen` (persistent stores) opens a second store on the same data. */
export type TraceStoreHandle = StoreHandle<TraceStore>;

/** Runs the TraceStore contract against stores made by `factory`. */
export function traceStoreContract(
  name: string,
  factory: () => Promise<TraceStoreHandle>,
  options: ContractOptions = {},
): void {
  const skip = options.skip ?? false;
  const withStore = withStoreFrom(factory);

  describe(`TraceStore contract: ${name}`, () => {
    it(
      "getTrace() returns every record of a run in write order, optional fields intact",
      { skip },
      withStore(async ({ store }) => {
        const records = runRecords("run-1", 1_000, { parentRunId: "parent-1" });
        const extra = record({
          time: 1_005,
          runId: "run-1",
          parentRunId: "parent-1",
          strategy: "abc123",
          level: "warning",
          message: 'ünïcode ✓ and "quotes"\nsecond line',
        });
        await store.write(records.slice(0, 2));
        await store.write([extra, records[2]]);
        await store.flush();
        assert.deepEqual(await store.getTrace("run-1"), [
          records[0],
          records[1],
          extra,
          records[2],
        ]);
      }),
    );

    it(
      "applies overlapping write() calls in call order for each run",
      { skip },
      withStore(async ({ store }) => {
        const one = runRecords("run-a", 1_000);
        const two = runRecords("run-b", 2_000);
        // Not awaited one by one: a writer hands batches over as they fill.
        await Promise.all([
          store.write([one[0], two[0]]),
          store.write([one[1]]),
          store.write([two[1], one[2], two[2]]),
        ]);
        assert.deepEqual(await store.getTrace("run-a"), one.slice(0, 3));
        assert.deepEqual(await store.getTrace("run-b"), two.slice(0, 3));
      }),
    );

    it(
      "getTrace() returns null for a run it never saw",
      { skip },
      withStore(async ({ store }) => {
        await store.write(runRecords("known", 1));
        assert.equal(await store.getTrace("unknown"), null);
      }),
    );

    it(
      "write() keeps records of different runs in one batch apart",
      { skip },
      withStore(async ({ store }) => {
        const a = runRecords("run-a", 100);
        const b = runRecords("run-b", 200);
        await store.write([a[0], b[0], a[1], b[1], b[2], a[2]]);
        assert.deepEqual(await store.getTrace("run-a"), a);
        assert.deepEqual(await store.getTrace("run-b"), b);
      }),
    );

    it(
      "listRuns() lists runs newest first with status, times and duration from run-start/run-end",
      { skip },
      withStore(async ({ store }) => {
        await store.write(runRecords("old", 1_000, { end: 1_250, status: "FAILED" }));
        await store.write(runRecords("new", 5_000, { end: false, parentRunId: "p" }));
        await store.write(runRecords("mid", 3_000, { workflow: "other" }));
        assert.deepEqual(await store.listRuns(), [
          { runId: "new", parentRunId: "p", workflow: "wf", status: "WAIT", start: 5_000 },
          {
            runId: "mid",
            workflow: "other",
            status: "SUCCESS",
            start: 3_000,
            end: 3_010,
            durationMs: 10,
          },
          {
            runId: "old",
            workflow: "wf",
            status: "FAILED",
            start: 1_000,
            end: 1_250,
            durationMs: 250,
          },
        ]);
      }),
    );

    it(
      "listRuns() pages with limit and offset",
      { skip },
      withStore(async ({ store }) => {
        for (let i = 0; i < 5; i++) await store.write(runRecords(`run-${i}`, 1_000 * (i + 1)));
        const ids = (runs: { runId: string }[]) => runs.map((run) => run.runId);
        assert.deepEqual(ids(await store.listRuns({ limit: 2 })), ["run-4", "run-3"]);
        assert.deepEqual(ids(await store.listRuns({ limit: 2, offset: 2 })), ["run-2", "run-1"]);
        assert.deepEqual(ids(await store.listRuns({ offset: 4 })), ["run-0"]);
        assert.deepEqual(ids(await store.listRuns({ limit: 0 })), []);
      }),
    );

    it(
      "listRuns() filters by workflow, status and start time, together",
      { skip },
      withStore(async ({ store }) => {
        await store.write(runRecords("a1", 1_000, { workflow: "a" }));
        await store.write(runRecords("a2", 2_000, { workflow: "a", status: "FAILED" }));
        await store.write(runRecords("b3", 3_000, { workflow: "b", status: "FAILED" }));
        await store.write(runRecords("a4", 4_000, { workflow: "a", end: false }));
        const ids = (runs: { runId: string }[]) => runs.map((run) => run.runId);
        assert.deepEqual(ids(await store.listRuns({ workflow: "a" })), ["a4", "a2", "a1"]);
        assert.deepEqual(ids(await store.listRuns({ status: "FAILED" })), ["b3", "a2"]);
        assert.deepEqual(ids(await store.listRuns({ status: "WAIT" })), ["a4"]);
        assert.deepEqual(ids(await store.listRuns({ since: 2_000, until: 4_000 })), ["b3", "a2"]);
        assert.deepEqual(
          ids(await store.listRuns({ workflow: "a", status: "FAILED", since: 2_001 })),
          [],
        );
        assert.deepEqual(ids(await store.listRuns({ workflow: "a", limit: 1, offset: 1 })), ["a2"]);
      }),
    );

    it(
      "listRuns() pages by key after a given run, unmoved by runs that start later",
      { skip },
      withStore(async ({ store }) => {
        // Two runs share a start: the run id breaks the tie, so neither is skipped or repeated.
        for (const [id, start] of [["r1", 1_000], ["r2", 2_000], ["r3a", 3_000], ["r3b", 3_000]]) {
          await store.write(runRecords(id as string, start as number));
        }
        const ids = (runs: { runId: string }[]) => runs.map((run) => run.runId);
        const first = await store.listRuns({ limit: 2 });
        assert.deepEqual(ids(first), ["r3b", "r3a"]);
        await store.write(runRecords("r9", 9_000));
        const last = first[first.length - 1];
        assert.deepEqual(ids(await store.listRuns({ limit: 2, after: last })), ["r2", "r1"]);
        assert.deepEqual(ids(await store.listRuns({ after: { start: 3_000, runId: "r3b" } })), [
          "r3a",
          "r2",
          "r1",
        ]);
        assert.deepEqual(
          ids(await store.listRuns({ after: { start: 1_000, runId: "r1" } })),
          [],
        );
      }),
    );

    it(
      "keeps the run a re-run repeats on its run-start record and in its summary",
      { skip },
      withStore(async ({ store }) => {
        const [start, ...rest] = runRecords("again", 2_000);
        await store.write([{ ...start, rerunOf: "first" }, ...rest]);
        assert.equal((await store.getTrace("again"))?.[0].rerunOf, "first");
        const [summary] = await store.listRuns();
        assert.equal(summary.rerunOf, "first");
      }),
    );

    it(
      "listRuns() shows a run that ended in a later write than it started",
      { skip },
      withStore(async ({ store }) => {
        const records = runRecords("split", 10_000, { end: 10_040, status: "CANCEL" });
        await store.write([records[0]]);
        assert.equal((await store.listRuns())[0].status, "WAIT");
        await store.write(records.slice(1));
        assert.deepEqual(await store.listRuns(), [
          {
            runId: "split",
            workflow: "wf",
            status: "CANCEL",
            start: 10_000,
            end: 10_040,
            durationMs: 40,
          },
        ]);
      }),
    );

    it(
      "cleanup() removes runs that ended (or, never ended, started) before olderThan",
      { skip },
      withStore(async ({ store }) => {
        await store.write(runRecords("ended-old", 1_000, { end: 2_000 }));
        await store.write(runRecords("started-old-ended-new", 1_000, { end: 9_000 }));
        await store.write(runRecords("stuck-old", 1_500, { end: false }));
        await store.write(runRecords("new", 8_000));
        assert.equal(await store.cleanup({ olderThan: 5_000 }), 2);
        assert.equal(await store.getTrace("ended-old"), null);
        assert.equal(await store.getTrace("stuck-old"), null);
        assert.deepEqual((await store.listRuns()).map((run) => run.runId), [
          "new",
          "started-old-ended-new",
        ]);
        assert.equal(await store.cleanup({ olderThan: 5_000 }), 0);
      }),
    );

    it(
      "concurrent write() calls keep every record, and each call's records in order",
      { skip },
      withStore(async ({ store }) => {
        const batches: TraceRecord[][] = [];
        for (let w = 0; w < 20; w++) {
          batches.push(Array.from({ length: 10 }, (_, i) =>
            record({
              time: 1_000 + w * 100 + i,
              runId: "shared",
              message: `writer ${w} line ${i}`,
            })));
        }
        await Promise.all(batches.map((batch) => store.write(batch)));
        const trace = (await store.getTrace("shared")) ?? [];
        assert.equal(trace.length, 200);
        for (let w = 0; w < 20; w++) {
          const mine = trace.filter((r) => r.message.startsWith(`writer ${w} `)).map((r) =>
            r.message
          );
          assert.deepEqual(mine, batches[w].map((r) => r.message));
        }
      }),
    );

    if (!options.persistent) return;
    it(
      "records written before close() can be read by a store reopened on the same data",
      { skip },
      withStore(async ({ store, reopen }) => {
        assert.ok(reopen, "a persistent store's factory gives reopen()");
        const records = runRecords("durable", 42);
        await store.write(records);
        await store.close();
        const again = await reopen();
        try {
          assert.deepEqual(await again.getTrace("durable"), records);
          assert.equal((await again.listRuns())[0].status, "SUCCESS");
        } finally {
          await again.close();
        }
      }),
    );
  });
}
