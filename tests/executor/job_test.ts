import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  captureEvents,
  engineFor,
  executeOnFakeClock,
  peakConcurrency,
  withoutInfo,
} from "../_helpers.ts";
import { strategyId } from "../../src/executor/ids.ts";

type Jobs = Record<string, {
  status: string;
  errors?: { name: string; message: string };
  strategies?: Record<
    string,
    {
      matrix: unknown;
      status: string;
      errors?: { message: string };
      stages: Record<string, { status: string; outputs: Record<string, unknown> }>;
    }
  >;
  stages?: Record<string, { status: string; outputs: Record<string, unknown> }>;
}>;

describe("matrix jobs", () => {
  it("records one strategy per combination under its reference id", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  jobs:
    m:
      strategy:
        matrix:
          table: [customer, sales]
          system: [csv]
          partition: [1, 2, 3]
        exclude:
          - {table: customer, system: csv, partition: 1}
          - {table: sales, partition: 3}
        include:
          - {table: customer, system: csv, partition: 4}
      stages:
        - name: Load
          id: load-\${{ matrix.table }}-\${{ matrix.partition }}
          echo: "\${{ matrix.table }} \${{ matrix.partition }}"
`);
    const result = await engine.execute("wf");
    const m = (result.context.jobs as Jobs).m;
    assert.equal(m.status, "SUCCESS");
    assert.deepEqual(withoutInfo(m.strategies!["9696245497"]), {
      matrix: { table: "customer", system: "csv", partition: 2 },
      status: "SUCCESS",
      stages: { "load-customer-2": { status: "SUCCESS", outputs: {} } },
    });
    const matrices = Object.values(m.strategies!).map((s) => JSON.stringify(s.matrix)).sort();
    assert.deepEqual(matrices, [
      '{"table":"customer","system":"csv","partition":2}',
      '{"table":"customer","system":"csv","partition":3}',
      '{"table":"customer","system":"csv","partition":4}',
      '{"table":"sales","system":"csv","partition":1}',
      '{"table":"sales","system":"csv","partition":2}',
    ]);
  });

  it("builds a dynamic matrix from an upstream job's outputs", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  jobs:
    list:
      stages:
        - name: tables
          id: get
          run: "return { tables: ['a', 'b', 'c'] };"
    each:
      needs: [list]
      strategy:
        matrix:
          table: "\${{ jobs.list.stages.get.outputs.tables }}"
      stages:
        - name: use
          id: use
          bash: echo "table=\${{ matrix.table }}"
`);
    const result = await engine.execute("wf");
    await engine.close();
    const each = (result.context.jobs as Jobs).each;
    assert.equal(each.status, "SUCCESS", JSON.stringify(result.context.jobs));
    const outs = Object.values(each.strategies!).map((s) => s.stages.use.outputs.stdout).sort();
    assert.deepEqual(outs, ["table=a", "table=b", "table=c"]);
  });

  it("renders templates inside a static matrix list and include, and hashes the rendered combination", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    a: {type: str, default: sales}
    n: {type: int, default: 7}
  jobs:
    each:
      strategy:
        matrix:
          table: ["\${{ params.a }}", b]
          n: ["\${{ params.n }}"]
        include: [{table: "\${{ params.a }}-extra", n: 1}]
      stages:
        - name: use
          id: use
          echo: "\${{ matrix.table }}"
`);
    const result = await engine.execute("wf", { a: "orders" });
    await engine.close();
    const each = (result.context.jobs as Jobs).each;
    assert.equal(each.status, "SUCCESS", JSON.stringify(result.context.jobs));
    const combos = [{ table: "orders", n: 7 }, { table: "b", n: 7 }, {
      table: "orders-extra",
      n: 1,
    }];
    assert.deepEqual(Object.keys(each.strategies!).sort(), combos.map(strategyId).sort());
    assert.deepEqual(
      Object.values(each.strategies!).map((s) => s.matrix),
      combos,
    );
  });

  it("fails clearly when a dynamic matrix does not render to a list or is too large", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    n: {type: int, default: 3}
  jobs:
    notlist:
      strategy: {matrix: {x: "\${{ params.n }}"}}
      stages: [{name: s, echo: s}]
    huge:
      strategy: {matrix: {a: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17], b: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}}
      stages: [{name: s, echo: s}]
`);
    const jobs = (await engine.execute("wf")).context.jobs as Jobs;
    assert.equal(jobs.notlist.status, "FAILED");
    assert.match(
      jobs.notlist.errors!.message,
      /matrix 'x' must render to a list; '\$\{\{ params.n \}\}' gave number/,
    );
    assert.equal(jobs.huge.status, "FAILED");
    assert.match(
      jobs.huge.errors!.message,
      /matrix expands to 289 combinations, more than the limit of 256/,
    );
  });

  it("bounds running combinations by max-parallel", async () => {
    const capture = captureEvents();
    const peak = peakConcurrency(capture.target, "strategy-start", "strategy-end");
    const { result, events } = await executeOnFakeClock(
      `
wf:
  type: Workflow
  jobs:
    m:
      strategy:
        max-parallel: 3
        matrix: {n: [1, 2, 3, 4, 5, 6, 7, 8, 9]}
      stages: [{name: nap, sleep: 0.02}]
`,
      capture,
    );
    assert.equal(result.status, "SUCCESS");
    assert.equal(peak(), 3);
    // 9 combinations of 20 ms, 3 at a time: three rounds of the fake clock.
    assert.equal(events.find((e) => e.type === "job-end")?.time, 60);
  });

  it("with fail-fast cancels the remaining combinations after the first failure", async () => {
    const { result, events } = await executeOnFakeClock(`
wf:
  type: Workflow
  jobs:
    m:
      strategy:
        max-parallel: 2
        fail-fast: true
        matrix: {n: [1, 2, 3, 4, 5, 6]}
      stages:
        - name: work
          id: work
          if: "matrix.n != 1"
          sleep: 0.5
        - name: maybe-fail
          id: maybe-fail
          if: "matrix.n == 1"
          raise: "combination \${{ matrix.n }} broke"
`);
    const m = (result.context.jobs as Jobs).m;
    const statuses = Object.values(m.strategies!).map((s) =>
      `${(s.matrix as { n: number }).n}:${s.status}`
    ).sort();
    assert.deepEqual(statuses, [
      "1:FAILED",
      "2:CANCEL",
      "3:CANCEL",
      "4:CANCEL",
      "5:CANCEL",
      "6:CANCEL",
    ]);
    assert.equal(m.status, "FAILED");
    assert.match(m.errors!.message, /combination 1 broke/);
    const end = events.find((e) => e.type === "job-end")?.time;
    assert.equal(end, 0, "the running 0.5 s sleep is cut short at the failure, not waited out");
  });

  it("without fail-fast runs every combination and still fails the job", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  jobs:
    m:
      strategy:
        max-parallel: 2
        matrix: {n: [1, 2, 3]}
      stages:
        - name: maybe-fail
          id: maybe-fail
          if: "matrix.n == 2"
          raise: broke
        - name: ok
          id: ok
          echo: fine
`);
    const m = ((await engine.execute("wf")).context.jobs as Jobs).m;
    const statuses = Object.values(m.strategies!).map((s) =>
      `${(s.matrix as { n: number }).n}:${s.status}`
    ).sort();
    assert.deepEqual(statuses, ["1:SUCCESS", "2:FAILED", "3:SUCCESS"]);
    assert.equal(m.status, "FAILED");
  });
});

describe("job settings", () => {
  it("fails a job that exceeds its timeout, naming it, and skips dependants", async () => {
    const { result, events } = await executeOnFakeClock(`
wf:
  type: Workflow
  jobs:
    slow:
      timeout: 0.1
      stages: [{name: nap, id: nap, sleep: 5}]
    after:
      needs: [slow]
      stages: [{name: x, echo: x}]
`);
    const jobs = result.context.jobs as Jobs;
    const slowEnd = events.find((e) => e.type === "job-end" && e.job === "slow");
    assert.equal(slowEnd?.time, 100, "the job ends at its timeout, not after the 5 s sleep");
    assert.equal(jobs.slow.status, "FAILED");
    assert.equal(jobs.slow.stages!.nap.status, "FAILED");
    assert.match(JSON.stringify(jobs.slow), /job 'slow' timed out after 100ms/);
    assert.equal(jobs.after.status, "SKIP");
    assert.equal(result.status, "FAILED");
  });

  it("retries a whole job until it succeeds", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    file: str
  jobs:
    flaky:
      retry: {attempts: 3, delay: 0.01}
      stages:
        - name: count
          id: count
          bash: |
            n=$(cat "\${{ params.file }}" 2>/dev/null || echo 0)
            echo $((n+1)) > "\${{ params.file }}"
            [ "$n" -ge 1 ]
`);
    const file = `/tmp/wf-job-retry-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const { target, events } = captureEvents();
    const result = await engine.execute("wf", { file }, { events: target });
    assert.equal((result.context.jobs as Jobs).flaky.status, "SUCCESS");
    assert.ok(
      events.some((e) => e.type === "log" && /failed \(attempt 1 of 3\)/.test(e.message ?? "")),
    );
  });

  it("fails a job whose runs-on is not local with a clear message", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  jobs:
    remote:
      runs-on: {type: k8s}
      stages: [{name: x, echo: x}]
`);
    const jobs = (await engine.execute("wf")).context.jobs as Jobs;
    assert.equal(jobs.remote.status, "FAILED");
    assert.match(
      jobs.remote.errors!.message,
      /runs-on 'k8s' is not supported yet; only 'local' runs jobs/,
    );
  });

  it("runs a self_hosted job that names labels (and no host) where the run is: on the worker carrying them", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  jobs:
    train:
      runs-on: {type: self_hosted, with: {labels: [gpu]}}
      stages: [{name: x, echo: x}]
    remote:
      runs-on: {type: self_hosted, with: {host: "http://runner:8080"}}
      stages: [{name: x, echo: x}]
`);
    const jobs = (await engine.execute("wf")).context.jobs as Jobs;
    assert.equal(jobs.train.status, "SUCCESS");
    assert.equal(jobs.remote.status, "FAILED");
    assert.match(jobs.remote.errors!.message, /runs-on 'self_hosted' is not supported yet/);
  });

  it("emits start and end events for run, job, strategy and stage with statuses and durations", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  jobs:
    a:
      strategy: {matrix: {n: [1]}}
      stages: [{name: s, id: s, echo: "n=\${{ matrix.n }}"}]
`);
    const { target, events } = captureEvents();
    await engine.execute("wf", {}, { events: target });
    const types = events.map((e) => e.type);
    assert.deepEqual(types, [
      "run-start",
      "job-start",
      "strategy-start",
      "stage-start",
      "log",
      "stage-end",
      "strategy-end",
      "job-end",
      "run-end",
    ]);
    const stageEnd = events.find((e) => e.type === "stage-end")!;
    assert.equal(stageEnd.status, "SUCCESS");
    assert.equal(stageEnd.job, "a");
    assert.equal(stageEnd.strategy, strategyId({ n: 1 }));
    assert.equal(typeof stageEnd.durationMs, "number");
    assert.equal(events.at(-1)!.status, "SUCCESS");
    assert.match(events.find((e) => e.type === "log")!.message!, /n=1/);
  });
});
