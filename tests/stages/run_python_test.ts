import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime } from "../../src/runtime/mod.ts";
import type { Runtime, Spawner } from "../../src/runtime/types.ts";
import { oneJob, runStages } from "./_stage_helpers.ts";

/** The host runtime, except that starting any program fails as if it were not installed. */
function runtimeWithoutPrograms(): Runtime {
  const host = detectRuntime();
  const spawn: Spawner = {
    spawn: (command) => Promise.reject(new Error(`program not found: ${command[0]}`)),
  };
  return Object.assign(Object.create(host) as Runtime, { spawn });
}

describe("run stage (lang: python)", () => {
  it("injects vars and returns assigned top-level values, not modules, functions or classes", async () => {
    const run = await runStages(
      oneJob(
        `
        - name: Py
          id: py
          lang: python
          vars:
            base: "\${{ params.base }}"
            label: total
          run: |
            import math
            def double(x):
                return x * 2
            class Box:
                pass
            total = double(base) + 1
            root = math.sqrt(16)
            names = ["a", "b"]
            kept = base
            label = label.upper()
            print("computed", total)
        `,
        { params: "base: int" },
      ),
      { params: { base: 20 } },
    );
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages.py, {
      status: "SUCCESS",
      outputs: { total: 41, root: 4, names: ["a", "b"], kept: 20, label: "TOTAL" },
    });
    assert.ok(run.logs.some((m) => m.endsWith("| computed 41")), run.logs.join("\n"));
  });

  it("reads the run context as the dict `context`", async () => {
    const run = await runStages(oneJob(`
      - name: First
        id: first
        echo: hi
      - name: Py
        id: py
        lang: python
        run: |
          status = context["stages"]["first"]["status"]
    `));
    assert.deepEqual(run.stages.py, { status: "SUCCESS", outputs: { status: "SUCCESS" } });
  });

  it("fails with the tail of the Python error", async () => {
    const run = await runStages(oneJob(`
      - name: Py
        id: py
        lang: python
        run: |
          x = 1
          y = x / 0
    `));
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.py as { status: string; errors: { name: string; message: string } };
    assert.equal(entry.status, "FAILED");
    assert.equal(entry.errors.name, "StageError");
    assert.match(entry.errors.message, /^python code failed:/);
    assert.match(entry.errors.message, /ZeroDivisionError: division by zero$/);
  });

  it("stops a sleeping Python process at the stage timeout", async () => {
    const run = await runStages(oneJob(`
      - name: Py
        id: py
        lang: python
        timeout: 0.5
        run: |
          import time
          time.sleep(30)
    `));
    assert.deepEqual(run.stages.py, {
      status: "FAILED",
      outputs: {},
      errors: { name: "StageTimeoutError", message: "stage 'Py' timed out after 500ms" },
    });
  });

  it("uses python when WORKFLOW_CORE_RUN_DEFAULT_LANG says so", async () => {
    const run = await runStages(
      oneJob(`
        - name: Py
          id: py
          run: "x = 6 * 7"
      `),
      { engine: { settings: { runDefaultLang: "python" } } },
    );
    assert.deepEqual(run.stages.py, { status: "SUCCESS", outputs: { x: 42 } });
  });

  it("explains that python3 is missing when it cannot be started", async () => {
    const run = await runStages(
      oneJob(`
        - name: Py
          id: py
          lang: python
          run: "x = 1"
      `),
      { engine: { runtime: runtimeWithoutPrograms() } },
    );
    assert.equal(run.result.status, "FAILED");
    const entry = run.stages.py as { errors: { name: string; message: string } };
    assert.equal(entry.errors.name, "UnsupportedError");
    assert.match(entry.errors.message, /needs python3 for lang: python/);
    assert.match(entry.errors.message, /program not found: python3/);
  });
});
