import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

describe("run stage (JavaScript): a worker that dies", () => {
  // `timeout: 60` only keeps a regression from hanging the suite; the stage must fail at once.
  it("fails the stage and ends the run when the code calls process.exit(0)", async () => {
    const run = await runStages(oneJob(`
      - name: Quit
        id: quit
        timeout: 60
        run: "process.exit(0);"
      - name: After
        id: after
        echo: never
    `));
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.quit as { status: string; errors: { name: string; message: string } };
    assert.equal(entry.status, "FAILED");
    assert.equal(entry.errors.name, "StageError");
    assert.equal(
      entry.errors.message,
      "the JavaScript worker exited (code 0) before the stage finished",
    );
    assert.equal(run.stages.after, undefined);
  });

  it("names the exit code when the code calls process.exit(3)", async () => {
    const run = await runStages(oneJob(`
      - name: Quit
        id: quit
        timeout: 60
        run: "process.exit(3);"
    `));
    const entry = run.stages.quit as { errors: { message: string } };
    assert.match(entry.errors.message, /^the JavaScript worker exited \(code 3\) before the stage/);
  });

  it("fails the stage with the error when a timer of its code throws", async () => {
    const run = await runStages(oneJob(`
      - name: Late
        id: late
        timeout: 60
        run: |
          setTimeout(() => { throw new Error("late boom"); }, 0);
          await new Promise(() => {});
    `));
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.late as { status: string; errors: { message: string } };
    assert.match(entry.errors.message, /^the JavaScript worker .*late boom/s);
  });

  it("ends the stage at once when its outputs are nested too deep to pass back", async () => {
    const run = await runStages(oneJob(`
      - name: Deep
        id: deep
        timeout: 60
        run: |
          const root = {};
          let node = root;
          for (let i = 0; i < 3000; i++) node = node.x = {};
          return { root };
    `));
    // Bun passes such an object back; Deno and Node cannot, and must say so at once rather
    // than leave the stage waiting for its timeout.
    const entry = run.stages.deep as { status: string; errors?: { message: string } };
    if (entry.status === "SUCCESS") return;
    assert.equal(entry.status, "FAILED");
    assert.doesNotMatch(entry.errors?.message ?? "", /timed out/);
  });

  it("the CLI reports a stage that calls process.exit(0) as failed and exits 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-exit-"));
    writeFileSync(
      join(dir, "wf.yml"),
      `quit:
  type: Workflow
  jobs:
    j:
      stages:
        - name: Quit
          id: quit
          run: "process.exit(0);"
`,
    );
    try {
      const bin = fileURLToPath(new URL("../../src/cli/bin.ts", import.meta.url));
      const [command, ...args] = runtimeCommand(bin);
      const child = spawnSync(command, [...args, "run", "quit", "--conf", dir, "--json"], {
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(child.signal, null, `the CLI hung: ${child.stderr}`);
      assert.equal(child.status, 1, `${child.stdout}\n${child.stderr}`);
      const result = JSON.parse(child.stdout);
      assert.equal(result.status, "FAILED");
      assert.match(
        JSON.stringify(result.context),
        /the JavaScript worker exited \(code 0\) before the stage finished/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
