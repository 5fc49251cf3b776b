import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { oneJob, runStages } from "./_stage_helpers.ts";

/** The command that runs a `.ts` file on the runtime running this test. */
function runtimeCommand(file: string): string[] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno) return [process.execPath, "run", "-A", file];
  if (g.Bun) return [process.execPath, file];
  return [process.execPath, "--import", "tsx", file];
}

describe("run stage (JavaScript)", () => {
  it("passes vars and returns the returned object merged with outputs", async () => {
    const run = await runStages(
      oneJob(
        `
        - name: Sum
          id: sum
          vars:
            a: "\${{ params.a }}"
            b: 2
          run: |
            outputs.product = a * b;
            return { total: a + b, who: context.params.who };
        `,
        { params: "a: int\nwho: str" },
      ),
      { params: { a: 3, who: "ann" } },
    );
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages.sum, {
      status: "SUCCESS",
      outputs: { product: 6, total: 5, who: "ann" },
    });
  });

  it("sees earlier stage outputs in a read-only context", async () => {
    const run = await runStages(oneJob(`
      - name: First
        id: first
        run: "return { n: 41 };"
      - name: Second
        id: second
        run: |
          let frozen = false;
          try { context.stages.first.outputs.n = 0; } catch (e) { frozen = e instanceof TypeError; }
          return { next: context.stages.first.outputs.n + 1, frozen };
    `));
    assert.deepEqual(run.stages.second, {
      status: "SUCCESS",
      outputs: { next: 42, frozen: true },
    });
    assert.deepEqual(run.stages.first, { status: "SUCCESS", outputs: { n: 41 } });
  });

  it("captures console output as trace log lines with their level", async () => {
    const run = await runStages(oneJob(`
      - name: Talk
        id: talk
        run: |
          console.log("hello", { a: 1 });
          console.warn("careful");
    `));
    assert.equal(run.result.status, "SUCCESS");
    const logs = run.events.filter((e) => e.type === "log" && e.stage === "talk");
    const lines = logs.map((e) => [e.level, e.message]);
    assert.deepEqual(lines.filter(([, m]) => m?.includes("| ")), [
      ["info", '[STAGE]: Talk | hello {"a":1}'],
      ["warning", "[STAGE]: Talk | careful"],
    ]);
  });

  it("fails with the user's error message", async () => {
    const run = await runStages(oneJob(`
      - name: Bad
        id: bad
        run: 'throw new RangeError("amount must be positive");'
    `));
    assert.equal(run.result.status, "FAILED");
    assert.deepEqual(run.stages.bad, {
      status: "FAILED",
      outputs: {},
      errors: { name: "StageError", message: "RangeError: amount must be positive" },
    });
  });

  it("fails clearly when the code returns something other than an object", async () => {
    const run = await runStages(oneJob(`
      - name: Bad
        id: bad
        run: "return 42;"
    `));
    const entry = run.stages.bad as { status: string; errors: { message: string } };
    assert.equal(entry.status, "FAILED");
    assert.match(entry.errors.message, /must return an object of outputs/);
  });

  it("skips when if is false", async () => {
    const run = await runStages(oneJob(`
      - name: Never
        id: never
        if: "false"
        run: 'throw new Error("ran")'
    `));
    assert.deepEqual(run.stages, { never: { status: "SKIP", outputs: {}, skipped: true } });
  });

  it("stops while (true) {} at timeout: 1 with a StageTimeoutError", async () => {
    const run = await runStages(oneJob(`
      - name: Spin
        id: spin
        timeout: 1
        run: "while (true) {}"
    `));
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.spin as { status: string; errors: { name: string; message: string } };
    assert.equal(entry.status, "FAILED");
    assert.equal(entry.errors.name, "StageTimeoutError");
    assert.match(entry.errors.message, /1s|1000 ms/);
  });

  it("ends CANCEL when the caller aborts a busy loop", async () => {
    const controller = new AbortController();
    const run = await runStages(
      oneJob(`
        - name: Spin
          id: spin
          run: |
            console.log("spinning");
            while (true) {}
      `),
      {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === "log" && e.message?.endsWith("| spinning")) controller.abort();
        },
      },
    );
    assert.equal(run.result.status, "CANCEL");
    const entry = run.stages.spin as { status: string; errors: { name: string } };
    assert.equal(entry.status, "CANCEL");
    assert.equal(entry.errors.name, "CancelError");
  });

  it("lets the process exit after a busy loop timed out, without closing the engine", () => {
    const file = fileURLToPath(new URL("./fixtures/busy_loop_run.ts", import.meta.url));
    const [command, ...args] = runtimeCommand(file);
    const child = spawnSync(command, args, { encoding: "utf8", timeout: 30_000 });
    assert.equal(child.signal, null, `the process did not exit on its own: ${child.stderr}`);
    assert.equal(child.status, 0, child.stderr);
    const printed = JSON.parse(child.stdout.trim().split("\n").pop()!);
    assert.equal(printed.status, "FAILED");
    assert.equal(printed.errors.name, "StageTimeoutError");
  });
});
