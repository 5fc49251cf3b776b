// The one contract every RunStore passes. Imported by run_store_test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NewRun, RunOwner, RunStore } from "../../src/results/run_store.ts";
import { RunIdError, StaleAttemptError } from "../../src/errors.ts";

import { type ContractOptions, type StoreHandle, withStoreFrom } from "./_helpers.ts";
/** A store under test; `reopen` (persistent stores) opens a second store on the same data. */
export type RunStoreHandle = StoreHandle<RunStore>;

const T0 = Date.UTC(2026, 0, 1, 8, 0);
const LEASE = 30_000;
const ALICE: RunOwner = { id: "host-a:100", process: { host: "host-a", pid: 100, startTime: "7" } };
const BOB: RunOwner = { id: "host-a:200", process: { host: "host-a", pid: 200, startTime: "9" } };

/** A new run with sensible defaults. */
export function newRun(fields: Partial<NewRun> = {}): NewRun {
  return {
    runId: "run-1",
    workflow: "wf-etl",
    params: { name: "x", "run-date": "2026-01-01", nested: { list: [1, "a", null] } },
    labels: [],
    queuedAt: T0,
    ...fields,
  };
}

const jobEntry = (n: number) => ({
  status: "SUCCESS",
  stages: { load: { status: "SUCCESS", outputs: { rows: n } } },
  info: { start: T0, end: T0 + 5, duration_ms: 5 },
});

/** Runs the RunStore contract against stores made by `factory`. */
export function runStoreContract(
  name: string,
  factory: () => Promise<RunStoreHandle>,
  options: ContractOptions = {},
): void {
  const skip = options.skip ?? false;
  const withStore = withStoreFrom(factory);

  describe(`RunStore contract: ${name}`, () => {
    it(
      "enqueue() stores a queued record at attempt 0 that get() returns",
      { skip },
      withStore(async ({ store }) => {
        const run = newRun({
          parentRunId: "sched-1",
          labels: ["gpu"],
          release: {
            name: "daily",
            logicalDate: T0,
            type: "normal",
            timezone: "UTC",
            executeDate: T0 + 1,
          },
        });
        const stored = await store.enqueue(run);
        const expected = { ...run, state: "queued", attempt: 0, jobs: {}, updatedAt: T0 };
        assert.deepEqual(stored, expected);
        assert.deepEqual(await store.get("run-1"), expected);
        assert.equal(await store.get("run-2"), null);
      }),
    );

    it(
      "enqueue() refuses a run id the store holds and keeps the first record",
      { skip },
      withStore(async ({ store }) => {
        await store.enqueue(newRun());
        await assert.rejects(
          store.enqueue(newRun({ workflow: "other" })),
          (error: unknown) =>
            error instanceof RunIdError && error.reason === "taken" && /run-1/.test(error.message),
        );
        assert.equal((await store.get("run-1"))?.workflow, "wf-etl");
      }),
    );

    it(
      "enqueue() with an owner starts the run at attempt 1 with a lease",
      { skip },
      withStore(async ({ store }) => {
        const record = await store.enqueue(newRun(), { owner: ALICE, leaseMs: 5_000, now: T0 + 2 });
        assert.equal(record.state, "running");
        assert.equal(record.attempt, 1);
        assert.deepEqual(record.owner, ALICE);
        assert.equal(record.leaseUntil, T0 + 5_002);
        assert.equal(record.startedAt, T0 + 2);
        assert.deepEqual(await store.get("run-1"), record);
        // Nobody can claim it as if it were queued.
        assert.equal(await store.claim("run-1", BOB, { now: T0, leaseMs: LEASE }), null);
      }),
    );

    it(
      "a record goes queued -> running -> ended with its checkpoints",
      { skip },
      withStore(async ({ store }) => {
        await store.enqueue(newRun());
        const claimed = await store.claim("run-1", ALICE, { now: T0 + 10, leaseMs: LEASE });
        assert.equal(claimed?.state, "running");
        assert.equal(claimed?.attempt, 1);
        assert.deepEqual(claimed?.owner, ALICE);
        assert.equal(claimed?.leaseUntil, T0 + 10 + LEASE);
        await store.renew("run-1", 1, T0 + 99_000);
        await store.checkpoint("run-1", 1, "extract", jobEntry(3), T0 + 20);
        await store.checkpoint("run-1", 1, "load", jobEntry(4), T0 + 30);
        await store.checkpoint("run-1", 1, "extract", jobEntry(5), T0 + 40);
        await store.finish("run-1", 1, { status: "SUCCESS", now: T0 + 50 });
        const ended = await store.get("run-1");
        assert.equal(ended?.state, "ended");
        assert.equal(ended?.status, "SUCCESS");
        assert.equal(ended?.endedAt, T0 + 50);
        assert.equal(ended?.leaseUntil, T0 + 99_000);
        assert.deepEqual(ended?.jobs, { extract: jobEntry(5), load: jobEntry(4) });
        assert.deepEqual(ended?.params, newRun().params);
      }),
    );

    it(
      "claim() of a queued run has one winner; an ended or unknown run cannot be claimed",
      { skip },
      withStore(async ({ store }) => {
        await store.enqueue(newRun());
        const results = await Promise.all([
          store.claim("run-1", ALICE, { now: T0, leaseMs: LEASE }),
          store.claim("run-1", BOB, { now: T0, leaseMs: LEASE }),
        ]);
        assert.equal(results.filter((r) => r !== null).length, 1);
        const winner = results.find((r) => r !== null)!;
        await store.finish("run-1", 1, {
          status: "FAILED",
          reason: "owner process ended",
          now: T0,
        });
        assert.equal(
          await store.claim("run-1", BOB, { now: T0, leaseMs: LEASE, takeOver: 1 }),
          null,
        );
        assert.equal(await store.claim("nope", BOB, { now: T0, leaseMs: LEASE }), null);
        const ended = await store.get("run-1");
        assert.equal(ended?.reason, "owner process ended");
        assert.deepEqual(ended?.owner, winner.owner);
      }),
    );

    it(
      "a takeover raises the attempt once, and the stale owner's writes are refused unwritten",
      { skip },
      withStore(async ({ store }) => {
        await store.enqueue(newRun(), { owner: ALICE, leaseMs: LEASE, now: T0 });
        await store.checkpoint("run-1", 1, "extract", jobEntry(1), T0 + 1);
        // Two recoverers race to take over attempt 1: exactly one wins.
        const takeovers = await Promise.all([
          store.claim("run-1", BOB, { now: T0 + 5, leaseMs: LEASE, takeOver: 1 }),
          store.claim("run-1", BOB, { now: T0 + 5, leaseMs: LEASE, takeOver: 1 }),
        ]);
        assert.equal(takeovers.filter((r) => r !== null).length, 1);
        const current = takeovers.find((r) => r !== null)!;
        assert.equal(current.attempt, 2);
        assert.deepEqual(current.owner, BOB);
        assert.deepEqual(current.jobs, { extract: jobEntry(1) }, "checkpoints carry over");
        const isStale = (error: unknown) =>
          error instanceof StaleAttemptError && error.attempt === 1 && error.current === 2 &&
          /attempt 2 \(owner host-a:200\) has taken it over/.test(error.message);
        await assert.rejects(store.checkpoint("run-1", 1, "load", jobEntry(9), T0 + 6), isStale);
        await assert.rejects(store.renew("run-1", 1, T0 + 1e9), isStale);
        await assert.rejects(store.finish("run-1", 1, { status: "SUCCESS", now: T0 + 7 }), isStale);
        const after = await store.get("run-1");
        assert.equal(after?.state, "running");
        assert.equal(after?.attempt, 2);
        assert.equal(after?.leaseUntil, T0 + 5 + LEASE);
        assert.deepEqual(after?.jobs, { extract: jobEntry(1) });
        // The new owner writes fine; a takeover of the old attempt number no longer works.
        await store.checkpoint("run-1", 2, "load", jobEntry(2), T0 + 8);
        assert.equal(
          await store.claim("run-1", ALICE, { now: T0, leaseMs: LEASE, takeOver: 1 }),
          null,
        );
        await store.finish("run-1", 2, { status: "SUCCESS", now: T0 + 9 });
        await assert.rejects(
          store.checkpoint("run-1", 2, "late", jobEntry(0), T0 + 10),
          (error: unknown) => error instanceof StaleAttemptError && /has ended/.test(error.message),
        );
        assert.deepEqual(Object.keys((await store.get("run-1"))!.jobs).sort(), ["extract", "load"]);
      }),
    );

    it(
      "writes to a run that is unknown or still queued are refused",
      { skip },
      withStore(async ({ store }) => {
        await assert.rejects(
          store.checkpoint("ghost", 1, "a", jobEntry(1), T0),
          (error: unknown) =>
            error instanceof StaleAttemptError && /no such run/.test(error.message),
        );
        await store.enqueue(newRun());
        await assert.rejects(
          store.finish("run-1", 0, { status: "SUCCESS", now: T0 }),
          (error: unknown) =>
            error instanceof StaleAttemptError && /not claimed/.test(error.message),
        );
        assert.equal((await store.get("run-1"))?.state, "queued");
      }),
    );

    it(
      "claimNext() takes the oldest queued run whose labels the claimer carries",
      { skip },
      withStore(async ({ store }) => {
        await store.enqueue(newRun({ runId: "gpu-run", labels: ["gpu"], queuedAt: T0 }));
        await store.enqueue(newRun({ runId: "late", queuedAt: T0 + 2 }));
        await store.enqueue(newRun({ runId: "early", queuedAt: T0 + 1 }));
        const opts = { now: T0, leaseMs: LEASE };
        assert.equal((await store.claimNext(ALICE, opts))?.runId, "early");
        assert.equal((await store.claimNext(ALICE, opts))?.runId, "late");
        assert.equal(await store.claimNext(ALICE, opts), null);
        assert.equal(
          (await store.claimNext(BOB, { ...opts, labels: ["gpu", "x"] }))?.runId,
          "gpu-run",
        );
      }),
    );

    it(
      "list() filters by state and workflow, oldest first, and cleanup() drops old ended runs",
      { skip },
      withStore(async ({ store }) => {
        await store.enqueue(newRun({ runId: "b", queuedAt: T0 + 1 }), { owner: ALICE, now: T0 });
        await store.enqueue(newRun({ runId: "a", queuedAt: T0 + 1 }));
        await store.enqueue(newRun({ runId: "c", queuedAt: T0, workflow: "other" }), {
          owner: ALICE,
          now: T0,
        });
        await store.finish("c", 1, { status: "SUCCESS", now: T0 + 100 });
        assert.deepEqual((await store.list()).map((r) => r.runId), ["c", "a", "b"]);
        assert.deepEqual(
          (await store.list({ states: ["running", "queued"] })).map((r) => r.runId),
          ["a", "b"],
        );
        assert.deepEqual((await store.list({ workflow: "other" })).map((r) => r.runId), ["c"]);
        assert.deepEqual((await store.list({ limit: 1 })).map((r) => r.runId), ["c"]);
        assert.equal(await store.cleanup({ olderThan: T0 + 100 }), 0);
        assert.equal(await store.cleanup({ olderThan: T0 + 101 }), 1);
        assert.deepEqual((await store.list()).map((r) => r.runId), ["a", "b"]);
      }),
    );

    if (options.persistent) {
      it(
        "a second store on the same data sees the records, and a takeover through it fences the first",
        { skip },
        withStore(async ({ store, reopen }) => {
          await store.enqueue(newRun(), { owner: ALICE, now: T0 });
          await store.checkpoint("run-1", 1, "extract", jobEntry(1), T0 + 1);
          const other = await reopen!();
          try {
            assert.deepEqual((await other.get("run-1"))?.jobs, { extract: jobEntry(1) });
            const taken = await other.claim("run-1", BOB, {
              now: T0 + 2,
              leaseMs: LEASE,
              takeOver: 1,
            });
            assert.equal(taken?.attempt, 2);
            await assert.rejects(
              store.checkpoint("run-1", 1, "load", jobEntry(2), T0 + 3),
              StaleAttemptError,
            );
            await other.finish("run-1", 2, { status: "SUCCESS", now: T0 + 4 });
          } finally {
            await other.close();
          }
          const ended = await store.get("run-1");
          assert.equal(ended?.status, "SUCCESS");
          assert.deepEqual(ended?.jobs, { extract: jobEntry(1) });
        }),
      );
    }
  });
}
