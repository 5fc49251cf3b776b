import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime } from "../../src/runtime/mod.ts";
import type { Runtime, Spawner } from "../../src/runtime/types.ts";
import { oneJob, runStages } from "./_stage_helpers.ts";
import { engineFor, withoutInfo } from "../_helpers.ts";
import type { LifecycleDetail } from "../../src/executor/events.ts";
import { onLifecycle } from "../../src/executor/events.ts";

/** The host runtime, except that starting any program fails as if it were not installed. */
function runtimeWithoutPrograms(): Runtime {
  const host = detectRuntime();
  const spawn: Spawner = {
    spawn: (command) => Promise.reject(new Error(`program not found: ${command[0]}`)),
    open: (command) => Promise.reject(new Error(`program not found: ${command[0]}`)),
  };
  return Object.assign(Object.create(host) as Runtime, { spawn });
}

describe("run stage (lang: python)", () => {
  it("injects vars and returns assigned top-level values, a function as its name, not modules or classes", async () => {
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
      outputs: {
        double: "double",
        total: 41,
        root: 4,
        names: ["a", "b"],
        kept: 20,
        label: "TOTAL",
      },
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

  it("runs the reference's wf-run-python: a function defined in one stage is called by a later one", async () => {
    // tests/conf/demo/01_00_wf_run.yml of the reference, and the outputs its
    // test_workflow_exec_py expects.
    const run = await runStages(
      `
wf:
  type: Workflow
  params:
    author-run: str
    run-date: datetime
  jobs:
    first-job:
      stages:
        - name: Printing Information
          id: printing
          run: |
            x = '\${{ params.author-run }}'
            print(f'Hello {x}')
        - name: Run Sequence and use var from Above
          id: setting-x
          vars:
            x: \${{ params.author-run }}
          run: |
            print(f'Receive x from above with {x}')
            # Change x value
            x: int = 1
    second-job:
      stages:
        - name: Set variable and function
          id: create-func
          run: |
            var_inside: str = 'Create Function Inside'
            def echo(var: str) -> None:
              print(f"Echo {var}")
            echo(var_inside)
        - name: Call that variable
          id: call-func
          vars:
            echo: \${{ stages.create-func.outputs.echo }}
          run: |
            print("Call function that create from above stage")
            echo("Call Function Outside")
        - name: Final of Next running job
    final-job:
      stages:
        - name: Echo hello world
          bash: |
            echo 'Hello World';
`,
      {
        params: { "author-run": "Local Workflow", "run-date": "2024-01-01" },
        engine: { settings: { runDefaultLang: "python" } },
      },
    );
    assert.equal(run.result.status, "SUCCESS", JSON.stringify(run.result.context.errors));
    const jobs = withoutInfo(run.result.context.jobs) as Record<string, { stages: unknown }>;
    assert.deepEqual(jobs["first-job"].stages, {
      printing: { status: "SUCCESS", outputs: { x: "Local Workflow" } },
      "setting-x": { status: "SUCCESS", outputs: { x: 1 } },
    });
    assert.deepEqual(jobs["second-job"].stages, {
      "create-func": {
        status: "SUCCESS",
        outputs: { var_inside: "Create Function Inside", echo: "echo" },
      },
      "call-func": { status: "SUCCESS", outputs: {} },
      "9150930869": { status: "SUCCESS", outputs: {} },
    });
    assert.ok(
      run.logs.some((m) => m.endsWith("Call that variable | Echo Call Function Outside")),
      run.logs.join("\n"),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(run.result.context.jobs)), run.result.context.jobs);
  });

  it("passes a live object, not only a function, to later stages of the job", async () => {
    const run = await runStages(oneJob(`
      - name: Make
        id: make
        lang: python
        run: |
          class Counter:
              def __init__(self):
                  self.n = 0
              def __repr__(self):
                  return f"Counter({self.n})"
          counter = Counter()
          counter.n = 2
      - name: Use
        id: use
        lang: python
        vars:
          c: \${{ stages.make.outputs.counter }}
        run: |
          c.n += 1
          total = c.n
    `));
    assert.deepEqual(run.stages, {
      make: { status: "SUCCESS", outputs: { counter: "Counter(2)" } },
      use: { status: "SUCCESS", outputs: { total: 3 } },
    });
  });

  it("stops a Python stage that loops forever at its timeout; the job's next stage gets a fresh interpreter and another job still runs", async () => {
    const run = await runStages(`
wf:
  type: Workflow
  jobs:
    a:
      stages:
        - name: Define
          id: define
          lang: python
          run: |
            def shout(text):
                return text.upper()
            import builtins
            builtins.marker = "old interpreter"
        - name: Spin
          id: spin
          lang: python
          timeout: 0.5
          continue-on-error: true
          run: |
            while True:
                pass
        - name: After
          id: after
          lang: python
          continue-on-error: true
          run: |
            import builtins
            seen = getattr(builtins, "marker", None)
        - name: Stale
          id: stale
          lang: python
          vars:
            shout: \${{ stages.define.outputs.shout }}
          run: |
            loud = shout("hi")
    b:
      needs: [a]
      trigger-rule: all_done
      stages:
        - name: Other
          id: other
          lang: python
          run: "y = 2 + 3"
`);
    const jobs = withoutInfo(run.result.context.jobs) as Record<
      string,
      { status: string; stages: Record<string, unknown> }
    >;
    const a = jobs.a.stages;
    assert.deepEqual(a.spin, {
      status: "FAILED",
      outputs: {},
      errors: { name: "StageTimeoutError", message: "stage 'Spin' timed out after 500ms" },
    });
    assert.deepEqual(a.after, { status: "SUCCESS", outputs: { seen: null } });
    const stale = a.stale as { status: string; errors: { message: string } };
    assert.equal(stale.status, "FAILED");
    assert.match(
      stale.errors.message,
      /vars\.shout is the Python object 'shout' of an interpreter that has ended/,
    );
    assert.deepEqual(jobs.b.stages.other, { status: "SUCCESS", outputs: { y: 5 } });
  });

  it("fails a stage clearly when the interpreter dies, and the next stage runs in a new one", async () => {
    const run = await runStages(oneJob(`
      - name: Crash
        id: crash
        lang: python
        continue-on-error: true
        run: |
          import os, sys
          sys.__stderr__.write("about to exit\\n")
          sys.__stderr__.flush()
          os._exit(3)
      - name: Next
        id: next
        lang: python
        run: "ok = True"
    `));
    const crash = run.stages.crash as { status: string; errors: { name: string; message: string } };
    assert.equal(crash.status, "FAILED");
    assert.equal(crash.errors.name, "StageError");
    assert.match(
      crash.errors.message,
      /^the python3 interpreter ended \(exit code 3\) while running the stage:\nabout to exit$/,
    );
    assert.deepEqual(run.stages.next, { status: "SUCCESS", outputs: { ok: true } });
  });

  it("keeps user prints, child processes and stdin reads away from the protocol", async () => {
    const run = await runStages(oneJob(`
      - name: Noisy
        id: noisy
        lang: python
        run: |
          import os, sys, subprocess
          print('{"id": 1, "ok": true}')
          os.write(1, b"raw write\\n")
          subprocess.run(["echo", "from a child"])
          read = sys.stdin.read()
          print("to stderr", file=sys.stderr)
          done = 1
    `));
    assert.deepEqual(run.stages.noisy, { status: "SUCCESS", outputs: { read: "", done: 1 } });
    assert.ok(run.logs.some((m) => m.endsWith('| {"id": 1, "ok": true}')), run.logs.join("\n"));
    assert.ok(run.logs.some((m) => m.endsWith("| to stderr")), run.logs.join("\n"));
  });

  it("masks a secret param in what the code prints and in the outputs the run shows", async () => {
    const run = await runStages(
      oneJob(
        `
        - name: Py
          id: py
          lang: python
          vars:
            token: "\${{ params.token }}"
          run: |
            print(f"using {token}")
            header = "Bearer " + token
        `,
        { params: "token: secret" },
      ),
      { params: { token: "s3cr3t-value" } },
    );
    // What a run shows (its end event, which traces, stores and the API record) is masked.
    const end = run.events.find((e) => e.type === "run-end");
    const shown = withoutInfo(end?.context?.jobs) as Record<string, { stages: unknown }>;
    assert.deepEqual(shown.j.stages, {
      py: { status: "SUCCESS", outputs: { header: "Bearer ***" } },
    });
    assert.ok(run.logs.some((m) => m.endsWith("| using ***")), run.logs.join("\n"));
    assert.ok(!run.logs.some((m) => m.includes("s3cr3t-value")));
  });

  it("never lets a run see what another run, alongside or earlier, left in its interpreter", async () => {
    const engine = await engineFor(`
leave:
  type: Workflow
  jobs:
    j:
      stages:
        - name: Set
          id: set
          lang: python
          run: |
            import builtins
            builtins.leak = "from run A"
        - name: Hold
          id: hold
          lang: python
          run: |
            import time
            time.sleep(30)
look:
  type: Workflow
  jobs:
    j:
      stages:
        - name: Look
          id: look
          lang: python
          run: |
            import builtins
            seen = getattr(builtins, "leak", None)
`);
    const look = async () => {
      const result = await engine.execute("look", {});
      const jobs = withoutInfo(result.context.jobs) as Record<string, { stages: unknown }>;
      return jobs.j.stages;
    };
    try {
      const cancel = new AbortController();
      const events = new EventTarget();
      let setDone = () => {};
      const afterSet = new Promise<void>((resolve) => (setDone = resolve));
      onLifecycle(events, (event: LifecycleDetail) => {
        if (event.type === "stage-end" && event.stage === "set") setDone();
      });
      const runA = engine.execute("leave", {}, { events, signal: cancel.signal });
      await afterSet;
      const duringA = await look();
      cancel.abort(new Error("stop run A"));
      const a = await runA;
      assert.equal(a.status, "CANCEL");
      const afterA = await look();
      const expected = { look: { status: "SUCCESS", outputs: { seen: null } } };
      assert.deepEqual(duringA, expected);
      assert.deepEqual(afterA, expected);
    } finally {
      await engine.close();
    }
  });
});
