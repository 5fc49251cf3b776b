// What the PostgreSQL run store offers workers beyond the RunStore contract (which
// run_store_test.ts runs on it): racing claimers never share a run, a lapsed lease is taken
// over with a new attempt and the old owner's writes are refused, runs go back to the queue,
// cancel requests, and NOTIFY on enqueue.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StaleAttemptError } from "../../src/errors.ts";
import { PostgresRunStore } from "../../src/results/postgres_run_store.ts";
import { openPostgres } from "../../src/runtime/postgres.ts";
import { testDatabase } from "../_postgres.ts";

const T0 = Date.UTC(2026, 0, 1);
const A = { id: "worker-a" };
const B = { id: "worker-b" };

async function withStores(
  body: (stores: PostgresRunStore[]) => Promise<void>,
  count = 1,
): Promise<void> {
  const db = await testDatabase();
  const stores: PostgresRunStore[] = [];
  try {
    for (let i = 0; i < count; i++) {
      stores.push(await PostgresRunStore.open(await openPostgres(db.url, { maxConnections: 4 })));
    }
    await body(stores);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await db.drop();
  }
}

const run = (runId: string, labels: string[] = [], queuedAt = T0) => ({
  runId,
  workflow: "wf",
  params: {},
  labels,
  queuedAt,
});

describe("PostgresRunStore", () => {
  it("claimNext() from 3 stores racing over 60 runs: every run claimed exactly once", async () => {
    await withStores(async (stores) => {
      for (let i = 0; i < 60; i++) await stores[0].enqueue(run(`r${String(i).padStart(2, "0")}`));
      const claimed: string[] = [];
      await Promise.all(stores.map(async (store, n) => {
        for (;;) {
          const record = await store.claimNext({ id: `w${n}` }, { now: T0, leaseMs: 1000 });
          if (!record) return;
          assert.equal(record.attempt, 1);
          claimed.push(record.runId);
        }
      }));
      assert.equal(claimed.length, 60);
      assert.equal(new Set(claimed).size, 60);
      assert.deepEqual(await stores[0].list({ states: ["queued"] }), []);
    }, 3);
  });

  it("claimNext() takes the oldest run whose labels the claimer carries", async () => {
    await withStores(async ([store]) => {
      await store.enqueue(run("gpu", ["gpu"], T0));
      await store.enqueue(run("gpu-ssd", ["gpu", "ssd"], T0 + 1));
      await store.enqueue(run("any", [], T0 + 2));
      const opts = { now: T0, leaseMs: 1000 };
      assert.equal((await store.claimNext(A, opts))?.runId, "any");
      assert.equal(await store.claimNext(A, opts), null, "no labels: nothing else");
      assert.equal((await store.claimNext(B, { ...opts, labels: ["gpu"] }))?.runId, "gpu");
      assert.equal(await store.claimNext(B, { ...opts, labels: ["gpu"] }), null);
      assert.equal(
        (await store.claimNext(B, { ...opts, labels: ["ssd", "gpu", "x"] }))?.runId,
        "gpu-ssd",
      );
    });
  });

  it("claimExpired() takes over a lapsed lease with a new attempt; the old owner's writes are refused and change nothing", async () => {
    await withStores(async ([store]) => {
      await store.enqueue(run("r1"));
      const mine = (await store.claimNext(A, { now: T0, leaseMs: 1000 }))!;
      await store.checkpoint("r1", mine.attempt, "first", { status: "SUCCESS" }, T0 + 10);
      assert.equal(await store.claimExpired(B, { now: T0 + 999, leaseMs: 1000 }), null);
      assert.equal(
        await store.claimExpired(A, { now: T0 + 1001, leaseMs: 1000, except: ["r1"] }),
        null,
        "a claimer's own runs are excepted",
      );
      const taken = (await store.claimExpired(B, { now: T0 + 1001, leaseMs: 1000 }))!;
      assert.equal(taken.attempt, 2);
      assert.equal(taken.owner?.id, "worker-b");
      assert.equal(taken.previousOwner?.id, "worker-a");
      assert.deepEqual(taken.jobs, { first: { status: "SUCCESS" } });
      for (
        const write of [
          () => store.checkpoint("r1", 1, "second", { status: "SUCCESS" }, T0 + 1100),
          () => store.renew("r1", 1, T0 + 5000),
          () => store.finish("r1", 1, { status: "FAILED", now: T0 + 1200 }),
          () => store.release("r1", 1, T0 + 1200),
        ]
      ) {
        await assert.rejects(write, (error: unknown) => {
          assert.ok(error instanceof StaleAttemptError);
          assert.match(error.message, /attempt 2 \(owner worker-b\) has taken it over/);
          return true;
        });
      }
      const after = (await store.get("r1"))!;
      assert.equal(after.state, "running");
      assert.equal(after.attempt, 2);
      assert.deepEqual(Object.keys(after.jobs), ["first"]);
      assert.equal(after.leaseUntil, T0 + 2001);
    });
  });

  it("release() puts a run back in the queue with its checkpoints; the next claim resumes it", async () => {
    await withStores(async ([store]) => {
      await store.enqueue(run("r1"));
      const mine = (await store.claimNext(A, { now: T0, leaseMs: 1000 }))!;
      await store.checkpoint("r1", mine.attempt, "first", { status: "SUCCESS" }, T0 + 1);
      await store.release("r1", mine.attempt, T0 + 2);
      const back = (await store.get("r1"))!;
      assert.equal(back.state, "queued");
      assert.equal(back.owner, undefined);
      const next = (await store.claimNext(B, { now: T0 + 3, leaseMs: 1000 }))!;
      assert.equal(next.attempt, 2);
      assert.deepEqual(Object.keys(next.jobs), ["first"]);
      assert.equal(next.startedAt, T0, "the first start is kept");
    });
  });

  it("requestCancel(): a queued run ends CANCEL at once; a running one is flagged and announced", async () => {
    await withStores(async ([store]) => {
      await store.enqueue(run("queued"));
      await store.enqueue(run("running", [], T0 + 1));
      assert.equal(await store.requestCancel("queued", T0 + 5), "cancelled");
      const ended = (await store.get("queued"))!;
      assert.equal(ended.state, "ended");
      assert.equal(ended.status, "CANCEL");
      const claimed = (await store.claimNext(A, { now: T0, leaseMs: 1000 }))!;
      assert.equal(claimed.runId, "running", "a cancelled run is never claimed");
      const heard: string[] = [];
      const subscription = await store.onCancel((runId) => heard.push(runId));
      try {
        assert.deepEqual(await store.cancelRequested(["running"]), []);
        assert.equal(await store.requestCancel("running", T0 + 6), "requested");
        assert.deepEqual(
          await store.cancelRequested(["running", "queued", "nope"]).then((l) => l.sort()),
          ["queued", "running"],
        );
        for (let i = 0; i < 100 && heard.length === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.deepEqual(heard, ["running"]);
        assert.equal(await store.requestCancel("nope", T0), null);
        assert.equal(await store.requestCancel("queued", T0), null, "already ended");
      } finally {
        await subscription.close();
      }
    });
  });

  it("enqueue() notifies listeners of queued runs only, and a taken run id writes nothing", async () => {
    await withStores(async ([store]) => {
      const heard: string[] = [];
      const subscription = await store.onQueued((runId) => heard.push(runId));
      try {
        await store.enqueue(run("q1"));
        await store.enqueue(run("owned"), { owner: A, now: T0 });
        await assert.rejects(store.enqueue({ ...run("q1"), workflow: "other" }), /is taken/);
        for (let i = 0; i < 100 && heard.length === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(heard, ["q1"]);
        assert.equal((await store.get("q1"))?.workflow, "wf");
      } finally {
        await subscription.close();
      }
    });
  });
});
