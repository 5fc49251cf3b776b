/**
 * `workflow worker` processes on one PostgreSQL database: a queued run is run; `runs-on`
 * labels route runs to the workers carrying them; a worker SIGKILLed in the middle of a run is
 * taken over by another once its lease runs out, which resumes after the last finished job;
 * SIGTERM gives running runs back; `workflow enqueue` queues; `workflow runs` of any process
 * sees the runs.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lines, startCli, waitFor } from "../recovery/_process.ts";
import { setupQueue } from "./_queue.ts";
import { Engine } from "../../src/engine.ts";
import { createApi, type WorkflowApi } from "../../src/api/mod.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";

async function ended(
  queue: Awaited<ReturnType<typeof setupQueue>>,
  runId: string,
  ms = 30_000,
): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const record = await queue.store.get(runId);
    if (record?.state === "ended") return record.status ?? "?";
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${runId} did not end in ${ms} ms`);
}

function post(api: WorkflowApi, path: string, body: unknown): Promise<Response> {
  return Promise.resolve(api.fetch(
    new Request(`http://127.0.0.1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  ));
}

describe("workflow worker", () => {
  it("runs a queued run: SUCCESS in the run store, its stages ran once, its trace visible to `workflow runs`", async () => {
    const queue = await setupQueue();
    try {
      const worker = await queue.worker();
      const enqueue = startCli(
        ["enqueue", "three", "-p", "n=1", "--json", "--conf", `${queue.dir}/conf`],
        queue.env,
      );
      assert.equal(await enqueue.exited, 0, enqueue.output());
      const { runId, labels } = JSON.parse(enqueue.output().trim().split("\n").at(-1)!);
      assert.deepEqual(labels, []);
      assert.equal(await ended(queue, runId), "SUCCESS");
      assert.deepEqual(lines(queue.marks), ["1 first", "1 second", "1 third"]);
      const record = (await queue.store.get(runId))!;
      assert.equal(record.attempt, 1);
      assert.deepEqual(Object.keys(record.jobs).sort(), ["first", "second", "third"]);
      await waitFor(
        "the worker's end line",
        () => worker.output().includes(`ended run ${runId} SUCCESS`),
        10_000,
        worker.output,
      );
      const runs = startCli(["runs", "--json"], queue.env);
      assert.equal(await runs.exited, 0, runs.output());
      assert.match(runs.output(), new RegExp(runId));
      worker.child.kill("SIGTERM");
      await worker.exited;
      assert.match(worker.output(), /stopped: 1 run\(s\) started, 0 taken over, 0 failed/);
    } finally {
      await queue.dispose();
    }
  });

  it("routes runs-on labels: a [gpu] run waits for a worker carrying gpu", async () => {
    const queue = await setupQueue();
    try {
      const plain = await queue.worker();
      const enqueue = startCli(
        ["enqueue", "gpu-only", "-p", "n=7", "--conf", `${queue.dir}/conf`],
        queue.env,
      );
      assert.equal(await enqueue.exited, 0, enqueue.output());
      const runId = /queued (\S+) \(gpu-only\) for workers with labels gpu/.exec(enqueue.output())
        ?.[1];
      assert.ok(runId, enqueue.output());
      await queue.enqueue("quick", "plain-run");
      assert.equal(await ended(queue, "plain-run"), "SUCCESS");
      assert.equal((await queue.store.get(runId))?.state, "queued", "the plain worker left it");
      const gpu = await queue.worker(["--labels", "gpu,ssd"]);
      assert.equal(await ended(queue, runId), "SUCCESS");
      assert.match(gpu.output(), new RegExp(`claimed run ${runId}`));
      assert.doesNotMatch(plain.output(), new RegExp(runId));
      assert.deepEqual(lines(queue.marks), ["7 train"]);
    } finally {
      await queue.dispose();
    }
  });

  it("a SIGKILLed worker's run is taken over after its lease and resumes after the last finished job", async () => {
    const queue = await setupQueue();
    try {
      const doomed = await queue.worker(["--lease", "2"]);
      await queue.enqueue("three", "killed-run", { n: "5", pause: "3" });
      await waitFor(
        "the first job",
        () => lines(queue.marks).includes("5 first"),
        20_000,
        doomed.output,
      );
      // The first job's checkpoint is written before the second starts.
      let record = await queue.store.get("killed-run");
      for (let i = 0; i < 50 && !record?.jobs.first; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        record = await queue.store.get("killed-run");
      }
      assert.equal(record?.jobs.first?.status, "SUCCESS");
      doomed.child.kill("SIGKILL");
      await doomed.exited;
      const heir = await queue.worker(["--lease", "2"]);
      assert.equal(await ended(queue, "killed-run"), "SUCCESS");
      const doomedId = /worker (\S+) on/.exec(doomed.output())![1];
      assert.match(
        heir.output(),
        new RegExp(
          `took over run killed-run \\(three\\) attempt 2 from ${doomedId}, keeping first`,
        ),
      );
      const marks = lines(queue.marks);
      assert.deepEqual(marks.filter((l) => l === "5 first"), ["5 first"], "first ran once");
      assert.deepEqual(marks.slice(-2), ["5 second", "5 third"]);
      assert.equal((await queue.store.get("killed-run"))?.attempt, 2);
    } finally {
      await queue.dispose();
    }
  });

  it("renews its lease while a run goes on: a run longer than the lease is not taken over by an idle worker", async () => {
    const queue = await setupQueue();
    try {
      const [a, b] = await Promise.all([
        queue.worker(["--lease", "1", "--poll", "0.3"]),
        queue.worker(["--lease", "1", "--poll", "0.3"]),
      ]);
      await queue.enqueue("three", "long-run", { n: "4", pause: "3" });
      assert.equal(await ended(queue, "long-run"), "SUCCESS");
      const record = (await queue.store.get("long-run"))!;
      assert.equal(record.attempt, 1, a.output() + b.output());
      assert.doesNotMatch(a.output() + b.output(), /took over/);
      assert.deepEqual(lines(queue.marks), ["4 first", "4 second", "4 third"]);
    } finally {
      await queue.dispose();
    }
  });

  it("SIGTERM gives a running run back to the queue; another worker finishes it without redoing the finished job", async () => {
    const queue = await setupQueue();
    try {
      const first = await queue.worker(["--grace", "0"]);
      await queue.enqueue("three", "handed-back", { n: "8", pause: "2" });
      await waitFor(
        "the first job",
        () => lines(queue.marks).includes("8 first"),
        20_000,
        first.output,
      );
      // Hand back only once the first job's checkpoint is written (a fixed pause raced it when
      // the machine was busy), so the next claim can keep it.
      let record = await queue.store.get("handed-back");
      for (let i = 0; i < 100 && !record?.jobs.first; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        record = await queue.store.get("handed-back");
      }
      assert.equal(record?.jobs.first?.status, "SUCCESS");
      first.child.kill("SIGTERM");
      await first.exited;
      assert.match(first.output(), /released run handed-back back to the queue/);
      assert.equal((await queue.store.get("handed-back"))?.state, "queued");
      const second = await queue.worker();
      assert.equal(await ended(queue, "handed-back"), "SUCCESS");
      assert.match(second.output(), /claimed run handed-back \(three\) attempt 2, keeping first/);
      assert.deepEqual(lines(queue.marks).filter((l) => l === "8 first"), ["8 first"]);
    } finally {
      await queue.dispose();
    }
  });

  it("POST /runs/{id}/cancel on an API that did not start the run stops it on the worker holding it", async () => {
    const queue = await setupQueue();
    const engine = await Engine.create({
      runtime: detectRuntime(),
      settings: { storeUrl: queue.db.url, confPath: `${queue.dir}/conf` },
    });
    const api = createApi(engine, { prefix: "/api/v1", token: "" });
    const cancel = (runId: string) => post(api, `/api/v1/runs/${runId}/cancel`, {});
    try {
      // Still queued (no worker yet): it ends CANCEL at once and no worker ever runs it.
      await queue.enqueue("quick", "never-runs");
      const early = await cancel("never-runs");
      assert.equal(early.status, 200);
      assert.deepEqual(await early.json(), {
        run_id: "never-runs",
        status: "CANCEL",
        queued: true,
      });
      const worker = await queue.worker();
      const queued = await post(api, "/api/v1/workflows/gpu-only/execute", {
        queue: true,
        params: { n: "3" },
        run_id: "through-api",
      });
      assert.equal(queued.status, 202);
      assert.deepEqual(await queued.json(), {
        run_id: "through-api",
        workflow: "gpu-only",
        status: "WAIT",
        queued: true,
        labels: ["gpu"],
      });
      await queue.enqueue("three", "stop-me", { n: "9", pause: "20" });
      await waitFor(
        "the first job",
        () => lines(queue.marks).includes("9 first"),
        20_000,
        worker.output,
      );
      const response = await cancel("stop-me");
      assert.equal(response.status, 202);
      assert.deepEqual(await response.json(), {
        run_id: "stop-me",
        status: "WAIT",
        cancel_requested: true,
      });
      assert.equal(await ended(queue, "stop-me", 15_000), "CANCEL");
      assert.match(worker.output(), /cancelling run stop-me: cancel requested/);
      assert.doesNotMatch(worker.output(), /never-runs/);
      assert.ok(!lines(queue.marks).includes("9 third"));
      assert.equal((await queue.store.get("through-api"))?.state, "queued", "needs gpu");
      const again = await cancel("stop-me");
      assert.equal(again.status, 409, "an ended run is not cancelled again");
    } finally {
      await engine.close();
      await queue.dispose();
    }
  });

  it("refuses bad usage: no PostgreSQL store, a bad number, queueing through an API without one", async () => {
    const engine = await Engine.create({
      runtime: detectRuntime(),
      settings: { confPath: "conf" },
    });
    try {
      const api = createApi(engine, { prefix: "/api/v1", token: "" });
      const response = await post(api, "/api/v1/workflows/demo-hello/execute", { queue: true });
      assert.equal(response.status, 409);
      const body = await response.json();
      assert.equal(body.error.name, "NoQueue");
      assert.match(body.error.message, /queue needs a PostgreSQL run store/);
    } finally {
      await engine.close();
    }
    const noStore = startCli(["worker"], { WORKFLOW_STORE_URL: "" });
    assert.equal(await noStore.exited, 2);
    assert.match(noStore.output(), /needs a PostgreSQL store: pass --store postgres:/);
    const bad = startCli(
      ["worker", "--store", "postgres://u@127.0.0.1:1/x", "--concurrency", "0"],
      {},
    );
    assert.equal(await bad.exited, 2);
    assert.match(bad.output(), /--concurrency expects a number ≥ 1, got '0'/);
  });
});
