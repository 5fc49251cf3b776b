import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemoryRuntime, detectRuntime } from "../../src/runtime/mod.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { createJsRunner } from "../../src/worker/pool.ts";

/** The detected runtime, with a counter of the workers it starts. */
function countingRuntime(): { runtime: Runtime; created: () => number } {
  const base = detectRuntime();
  let count = 0;
  const runtime: Runtime = {
    ...base,
    cwd: () => base.cwd(),
    workers: {
      create(url, options) {
        count++;
        return base.workers.create(url, options);
      },
    },
  };
  return { runtime, created: () => count };
}

describe("createJsRunner(): running user JavaScript", () => {
  const runner = createJsRunner(detectRuntime(), { size: 2 });
  after(() => runner.close());

  it("passes vars as variables and merges the returned object over outputs", async () => {
    const outputs = await runner.run({
      code: "outputs.sum = a + b; outputs.keep = 1; return { keep: 2, word: name.toUpperCase() };",
      vars: { a: 2, b: 3, name: "ok" },
      context: {},
    });
    assert.deepEqual(outputs, { sum: 5, keep: 2, word: "OK" });
  });

  it("lets code await and read context, but not change it", async () => {
    const outputs = await runner.run({
      code: "await null; return { first: context.params.items[0] };",
      vars: {},
      context: { params: { items: ["a", "b"] } },
    });
    assert.deepEqual(outputs, { first: "a" });
    await assert.rejects(
      runner.run({
        code: "context.params.items.push('c');",
        vars: {},
        context: { params: { items: [] } },
      }),
      { name: "StageError", message: /not extensible|read.?only|frozen/i },
    );
    await assert.rejects(
      runner.run({ code: "context.x = 1;", vars: {}, context: { x: 0 } }),
      { name: "StageError", message: /read.?only/i },
    );
  });

  it("returns an empty object when the code returns nothing", async () => {
    assert.deepEqual(await runner.run({ code: "const x = 1;", vars: {}, context: null }), {});
  });

  it("captures console lines with their level", async () => {
    const lines: string[] = [];
    await runner.run(
      {
        code: "console.log('hello', 42, { a: 1 }); console.warn('careful'); console.error('bad');" +
          " console.info('fyi'); console.debug('detail');",
        vars: {},
        context: {},
      },
      { onLog: (level, message) => lines.push(`${level}: ${message}`) },
    );
    assert.deepEqual(lines, [
      'info: hello 42 {"a":1}',
      "warning: careful",
      "error: bad",
      "info: fyi",
      "debug: detail",
    ]);
  });

  it("rejects with a StageError carrying the message the code threw", async () => {
    await assert.rejects(
      runner.run({ code: "throw new Error('the API said no');", vars: {}, context: {} }),
      { name: "StageError", message: "the API said no" },
    );
    await assert.rejects(
      runner.run({ code: "return missingVariable + 1;", vars: {}, context: {} }),
      { name: "StageError", message: /ReferenceError: .*missingVariable/ },
    );
  });

  it("rejects code that does not parse with a message saying so", async () => {
    await assert.rejects(
      runner.run({ code: "return {;", vars: {}, context: {} }),
      { name: "StageError", message: /run code does not parse/ },
    );
  });

  it("rejects outputs that cannot leave the worker, naming the output", async () => {
    await assert.rejects(
      runner.run({ code: "return { ok: 1, fn: () => 1 };", vars: {}, context: {} }),
      { name: "StageError", message: /output "fn" cannot be passed out of the worker/ },
    );
    await assert.rejects(
      runner.run({ code: "return 42;", vars: {}, context: {} }),
      { name: "StageError", message: /must return an object of outputs .*got number/ },
    );
  });

  it("rejects vars whose names are not JavaScript identifiers", async () => {
    await assert.rejects(
      runner.run({ code: "return {};", vars: { "run-date": "x" }, context: {} }),
      { name: "StageError", message: /"run-date" is not a valid JavaScript variable name/ },
    );
  });

  it("runs the same code again in a session's worker with that job's vars", async () => {
    const session = runner.session();
    try {
      const code = "return { seen: typeof a === 'undefined' ? 'no a' : a };";
      assert.deepEqual(await session.run({ code, vars: { a: 1 }, context: {} }), { seen: 1 });
      assert.deepEqual(await session.run({ code, vars: { a: 2 }, context: {} }), { seen: 2 });
      assert.deepEqual(await session.run({ code, vars: {}, context: {} }), { seen: "no a" });
    } finally {
      await session.close();
    }
  });

  it("keeps structured-cloneable values such as dates in outputs", async () => {
    const outputs = await runner.run({
      code: "return { when: new Date(0), list: [1, [2]], nothing: null };",
      vars: {},
      context: {},
    });
    assert.deepEqual(outputs, { when: new Date(0), list: [1, [2]], nothing: null });
  });
});

describe("createJsRunner(): stopping runaway code", () => {
  it("stops `while (true) {}` at timeoutMs with a StageTimeoutError and keeps serving", async () => {
    const runner = createJsRunner(detectRuntime(), { size: 1 });
    await assert.rejects(
      runner.run({ code: "while (true) {}", vars: {}, context: {} }, { timeoutMs: 500 }),
      { name: "StageTimeoutError", message: /did not finish within 500 ms/ },
    );
    assert.deepEqual(
      await runner.run({ code: "return { after: true };", vars: {}, context: {} }),
      { after: true },
    );
    // Deliberately not closed: an idle pool must not keep the test process alive.
  });

  it("stops busy code when the signal aborts and rejects with a CancelError", async () => {
    const runner = createJsRunner(detectRuntime(), { size: 1 });
    try {
      const controller = new AbortController();
      const lines: string[] = [];
      const running = runner.run(
        { code: "console.log('spinning'); while (true) {}", vars: {}, context: {} },
        {
          signal: controller.signal,
          onLog: (_level, message) => {
            lines.push(message);
            controller.abort(new Error("user pressed stop"));
          },
        },
      );
      await assert.rejects(running, { name: "CancelError", message: /user pressed stop/ });
      assert.deepEqual(lines, ["spinning"]);
    } finally {
      await runner.close();
    }
  });

  it("stops each busy job at its own timeoutMs, a shorter one first though it started later", async () => {
    const runner = createJsRunner(detectRuntime(), { size: 2 });
    const session = runner.session();
    try {
      // Both workers ready, so each job starts (and its time runs) as soon as it is queued.
      const warm = { code: "return {};", vars: {}, context: {} };
      await Promise.all([session.run(warm), session.run(warm)]);
      const ended: string[] = [];
      const spin = (ms: number) =>
        session.run({ code: "while (true) {}", vars: {}, context: {} }, { timeoutMs: ms })
          .catch((error: Error) => {
            ended.push(`${ms}: ${error.name}: ${error.message}`);
          });
      const long = spin(2000);
      const short = spin(100);
      await Promise.all([long, short]);
      assert.deepEqual(ended, [
        "100: StageTimeoutError: run code did not finish within 100 ms",
        "2000: StageTimeoutError: run code did not finish within 2000 ms",
      ]);
      assert.deepEqual(await session.run({ code: "return { after: 1 };", vars: {}, context: {} }), {
        after: 1,
      });
    } finally {
      await session.close();
      await runner.close();
    }
  });

  it("rejects at once with a CancelError when the signal is already aborted", async () => {
    const runner = createJsRunner(detectRuntime());
    const controller = new AbortController();
    controller.abort(new Error("never mind"));
    await assert.rejects(
      runner.run({ code: "return {};", vars: {}, context: {} }, { signal: controller.signal }),
      { name: "CancelError" },
    );
    await runner.close();
  });
});

describe("createJsRunner(): pooling", () => {
  it("reuses a session's workers: 20 sequential jobs start no more workers than the pool size", async () => {
    const { runtime, created } = countingRuntime();
    const runner = createJsRunner(runtime, { size: 2 });
    const session = runner.session();
    try {
      for (let i = 0; i < 20; i++) {
        const outputs = await session.run({
          code: "return { i: i * 2 };",
          vars: { i },
          context: {},
        });
        assert.deepEqual(outputs, { i: i * 2 });
      }
      assert.ok(created() >= 1 && created() <= 2, `started ${created()} workers`);
    } finally {
      await session.close();
      await runner.close();
    }
  });

  it("runs more concurrent jobs than workers by queueing them", async () => {
    const { runtime, created } = countingRuntime();
    const runner = createJsRunner(runtime, { size: 2 });
    const session = runner.session();
    try {
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          session.run({ code: "await null; return { n };", vars: { n }, context: {} })
        ),
      );
      assert.deepEqual(results.map((r) => r.n), [1, 2, 3, 4, 5]);
      assert.ok(created() <= 2, `started ${created()} workers`);
    } finally {
      await session.close();
      await runner.close();
    }
  });

  it("close() makes later runs reject with a CancelError", async () => {
    const runner = createJsRunner(detectRuntime(), { size: 1 });
    await runner.close();
    await assert.rejects(
      runner.run({ code: "return {};", vars: {}, context: {} }),
      { name: "CancelError", message: /closed/ },
    );
  });

  it("rejects with an UnsupportedError on a runtime without workers", async () => {
    const runner = createJsRunner(createMemoryRuntime());
    await assert.rejects(
      runner.run({ code: "return {};", vars: {}, context: {} }),
      { name: "UnsupportedError" },
    );
  });
});
