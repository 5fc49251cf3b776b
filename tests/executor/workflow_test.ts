import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  captureEvents,
  engineFor,
  executeOnFakeClock,
  peakConcurrency,
  processAlive,
  withoutInfo,
} from "../_helpers.ts";
import { onLifecycle } from "../../src/executor/events.ts";
import { ParamError } from "../../src/errors.ts";

describe("workflow execution", () => {
  it("runs jobs in needs order and resolves params and stage outputs", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    name: str
  jobs:
    first:
      stages:
        - name: Say
          id: say
          bash: echo "hi \${{ params.name }}"
    second:
      needs: [first]
      stages:
        - name: Echo
          id: echo
          echo: "got \${{ jobs.first.stages.say.outputs.stdout }}"
        - name: Sleep
          sleep: 0
`);
    const result = await engine.execute("wf", { name: "ann" });
    assert.equal(result.status, "SUCCESS");
    assert.match(result.runId, /^\d{20}T\d{10}$/);
    assert.deepEqual(withoutInfo(result.context), {
      params: { name: "ann" },
      jobs: {
        first: {
          status: "SUCCESS",
          stages: {
            say: { status: "SUCCESS", outputs: { return_code: 0, stdout: "hi ann", stderr: null } },
          },
        },
        second: {
          status: "SUCCESS",
          stages: {
            echo: { status: "SUCCESS", outputs: {} },
            "7972360640": { status: "SUCCESS", outputs: {} },
          },
        },
      },
      status: "SUCCESS",
    });
    const info = result.context.info as { start: string; duration_ms: number };
    assert.match(info.start, /^\d{4}-\d\d-\d\dT/);
    assert.equal(typeof info.duration_ms, "number");
  });

  it("coerces params and rejects a bad one before running anything", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    count: int
  jobs:
    a:
      stages:
        - name: x
          echo: "\${{ params.count }}"
`);
    const { target, events } = captureEvents();
    await assert.rejects(
      engine.execute("wf", { count: "abc" }, { events: target }),
      (e: unknown) => e instanceof ParamError && /count/.test(e.message) && /abc/.test(e.message),
    );
    assert.equal(events.length, 0);
    const ok = await engine.execute("wf", { count: "12" });
    assert.deepEqual(ok.context.params, { count: 12 });
  });

  it("keeps an independent sibling running when a job fails and skips the dependant", async () => {
    const { result, events } = await executeOnFakeClock(`
wf:
  type: Workflow
  jobs:
    bad:
      stages:
        - name: boom
          raise: "broken on purpose"
        - name: never
          echo: "not reached"
    slow:
      stages:
        - name: nap
          sleep: 0.3
    after-bad:
      needs: [bad]
      stages:
        - name: x
          echo: x
`);
    const jobs = result.context.jobs;
    assert.equal(result.status, "FAILED");
    assert.equal(jobs.bad.status, "FAILED");
    assert.equal(
      Object.keys(jobs.bad.stages ?? {}).length,
      1,
      "the stage after the failure did not run",
    );
    assert.deepEqual(jobs.bad.errors, {
      name: "StageError",
      message: `stage '${Object.keys(jobs.bad.stages as object)[0]}' failed: broken on purpose`,
    });
    assert.equal(jobs.slow.status, "SUCCESS");
    assert.equal(jobs["after-bad"].status, "SKIP");
    assert.equal(jobs["after-bad"].skipped, true);
    assert.deepEqual(result.context.errors, { name: "WorkflowError", message: "job 'bad' failed" });
    const endOf = (job: string) => events.find((e) => e.type === "job-end" && e.job === job)?.time;
    assert.equal(endOf("bad"), 0, "the failing job ends at once");
    assert.equal(endOf("slow"), 300, "the sibling finishes its sleep after the failure");
  });

  it("runs a job with continue-on-error past a failed stage", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  jobs:
    a:
      stages:
        - name: fails
          id: fails
          continue-on-error: true
          raise: nope
        - name: then
          id: then
          echo: still here
`);
    const result = await engine.execute("wf");
    const a = (result.context.jobs as Record<
      string,
      { status: string; stages: Record<string, { status: string }> }
    >).a;
    assert.equal(a.stages.fails.status, "FAILED");
    assert.equal(a.stages.then.status, "SUCCESS");
    assert.equal(a.status, "SUCCESS");
    assert.equal(result.status, "SUCCESS");
  });

  it("runs a diamond DAG: the join waits for both branches", async () => {
    const { result, events } = await executeOnFakeClock(`
wf:
  type: Workflow
  jobs:
    start: {stages: [{name: s, id: s, echo: s}]}
    left: {needs: [start], stages: [{name: l, id: l, sleep: 0.05}]}
    right: {needs: [start], stages: [{name: r, id: r, sleep: 0.01}]}
    join: {needs: [left, right], stages: [{name: j, id: j, echo: j}]}
`);
    assert.equal(result.status, "SUCCESS");
    const ends = events.filter((e) => e.type === "job-end").map((e) => `${e.job}@${e.time}`);
    // Both branches run at once; the join starts only when the longer one is done.
    assert.deepEqual(ends, ["start@0", "right@10", "left@50", "join@50"]);
  });

  it("skips a job whose if is false and a stage whose if is false", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    mode: {type: str, default: full}
  jobs:
    never:
      if: params.mode == 'none'
      stages: [{name: x, echo: x}]
    some:
      stages:
        - name: only-full
          id: only-full
          if: "params.mode == 'full'"
          echo: yes
        - name: only-none
          id: only-none
          if: "params.mode == 'none'"
          echo: no
`);
    const result = await engine.execute("wf");
    const jobs = result.context.jobs as Record<
      string,
      { status: string; stages?: Record<string, unknown> }
    >;
    assert.equal(jobs.never.status, "SKIP");
    assert.deepEqual(withoutInfo(jobs.some.stages), {
      "only-full": { status: "SUCCESS", outputs: {} },
      "only-none": { status: "SKIP", outputs: {}, skipped: true },
    });
    assert.equal(result.status, "SUCCESS");
  });

  it("ends SKIP when every job skipped", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  jobs:
    a: {if: "false", stages: [{name: x, echo: x}]}
`);
    assert.equal((await engine.execute("wf")).status, "SKIP");
  });

  it("validates and runs a workflow without jobs to SUCCESS, as the reference does", async () => {
    const engine = await engineFor(`
wf-without-jobs:
  type: Workflow
  params:
    name: str
`);
    assert.deepEqual(engine.config.validate(), []);
    const result = await engine.execute("wf-without-jobs", { name: "foo" });
    assert.equal(result.status, "SUCCESS");
    assert.deepEqual(result.context.jobs, {});
    assert.deepEqual(result.context.params, { name: "foo" });
  });

  it("applies every trigger rule to real upstream outcomes", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  jobs:
    ok: {stages: [{name: ok, echo: ok}]}
    bad: {stages: [{name: bad, raise: bad}]}
    skipped: {if: "false", stages: [{name: s, echo: s}]}
    all-success: {needs: [ok, bad], stages: [{name: x, echo: x}]}
    all-failed: {needs: [bad], trigger-rule: all_failed, stages: [{name: x, echo: x}]}
    all-done: {needs: [ok, bad, skipped], trigger-rule: all_done, stages: [{name: x, echo: x}]}
    one-failed: {needs: [ok, bad], trigger-rule: one_failed, stages: [{name: x, echo: x}]}
    one-success: {needs: [ok, bad], trigger-rule: one_success, stages: [{name: x, echo: x}]}
    none-failed: {needs: [ok, skipped], trigger-rule: none_failed, stages: [{name: x, echo: x}]}
    none-failed-no: {needs: [ok, bad], trigger-rule: none_failed, stages: [{name: x, echo: x}]}
    none-skipped: {needs: [ok, skipped], trigger-rule: none_skipped, stages: [{name: x, echo: x}]}
`);
    const result = await engine.execute("wf");
    const status = (id: string) =>
      (result.context.jobs as Record<string, { status: string }>)[id].status;
    assert.equal(status("all-success"), "SKIP");
    assert.equal(status("all-failed"), "SUCCESS");
    assert.equal(status("all-done"), "SUCCESS");
    assert.equal(status("one-failed"), "SUCCESS");
    assert.equal(status("one-success"), "SUCCESS");
    assert.equal(status("none-failed"), "SUCCESS");
    assert.equal(status("none-failed-no"), "SKIP");
    assert.equal(status("none-skipped"), "SKIP");
    assert.equal(result.status, "FAILED");
  });

  it("bounds concurrently running jobs by max-job-parallel", async () => {
    const jobsYaml = Array.from(
      { length: 6 },
      (_, i) => `    j${i}: {stages: [{name: n, sleep: 0.03}]}`,
    ).join("\n");
    const capture = captureEvents();
    const peak = peakConcurrency(capture.target, "job-start", "job-end");
    const { result, events } = await executeOnFakeClock(
      `
wf:
  type: Workflow
  max-job-parallel: 2
  jobs:
${jobsYaml}
`,
      capture,
    );
    assert.equal(result.status, "SUCCESS");
    assert.equal(peak(), 2);
    // 6 jobs of 30 ms, 2 at a time: three rounds of the fake clock.
    assert.equal(events.find((e) => e.type === "run-end")?.time, 90);
    assert.equal(events.filter((e) => e.type === "job-end").length, 6);
  });
});

describe("cancellation and timeouts", () => {
  it("cancels a running workflow from the caller's signal, killing its subprocess", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-cancel-"));
    const pidFile = join(dir, "pid");
    const engine = await engineFor(`
wf:
  type: Workflow
  jobs:
    long:
      stages:
        - name: wait
          id: wait
          bash: |
            sleep 30 &
            echo $$! > ${pidFile}
            echo started
            wait
        - name: after
          id: after
          echo: never
    later:
      needs: [long]
      stages: [{name: x, echo: x}]
`);
    const controller = new AbortController();
    const { target } = captureEvents();
    // Cancel once the subprocess is running (it has printed), not after a fixed wait.
    onLifecycle(target, (e) => {
      if (e.type === "log" && e.message?.endsWith("| started")) controller.abort();
    });
    try {
      const result = await engine.execute("wf", {}, { signal: controller.signal, events: target });
      const jobs = result.context.jobs as Record<
        string,
        { status: string; stages?: Record<string, { status: string }> }
      >;
      assert.equal(result.status, "CANCEL");
      assert.equal(jobs.long.status, "CANCEL");
      assert.equal(jobs.long.stages?.wait.status, "CANCEL");
      assert.equal(jobs.long.stages?.after, undefined);
      assert.equal(jobs.later.status, "SKIP");
      const pid = Number((await readFile(pidFile, "utf8")).trim());
      assert.ok(pid > 0);
      for (let i = 0; i < 40 && processAlive(pid); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(processAlive(pid), false, `the stage's sleep ${pid} is still running`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("ends CANCEL with what finished kept when the workflow times out", async () => {
    const { result, events } = await executeOnFakeClock(`
wf:
  type: Workflow
  timeout: 0.2
  jobs:
    quick: {stages: [{name: q, id: q, echo: done}]}
    slow: {needs: [quick], stages: [{name: s, id: s, sleep: 10}]}
`);
    const end = events.find((e) => e.type === "run-end");
    assert.equal(end?.time, 200, "the run ends at its timeout, not after the 10 s sleep");
    const jobs = result.context.jobs as Record<string, { status: string }>;
    assert.equal(result.status, "CANCEL");
    assert.equal(jobs.quick.status, "SUCCESS");
    assert.equal(jobs.slow.status, "CANCEL");
    assert.match(
      (result.context.errors as { message: string }).message,
      /workflow .wf. timed out after 200ms/,
    );
  });

  it("fails a stage that exceeds its timeout and says so", async () => {
    const { result, events } = await executeOnFakeClock(`
wf:
  type: Workflow
  jobs:
    a:
      stages:
        - name: slow
          id: slow
          timeout: 0.1
          sleep: 5
`);
    const end = events.find((e) => e.type === "stage-end" && e.stage === "slow");
    assert.equal(end?.time, 100, "the stage ends at its timeout, not after its 5 s sleep");
    const stage = (result.context.jobs as Record<
      string,
      { stages: Record<string, { status: string; errors: { name: string; message: string } }> }
    >).a.stages.slow;
    assert.equal(stage.status, "FAILED");
    assert.equal(stage.errors.name, "StageTimeoutError");
    assert.match(stage.errors.message, /stage 'slow' timed out after 100ms/);
    assert.equal(result.status, "FAILED");
  });

  it("retries a failing stage with backoff until it succeeds", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    file: str
  jobs:
    a:
      stages:
        - name: flaky
          id: flaky
          retry: {attempts: 3, delay: 0.01}
          bash: |
            f="$TMP_FLAKY"
            n=$(cat "$f" 2>/dev/null || echo 0)
            echo $((n+1)) > "$f"
            [ "$n" -ge 2 ]
          env:
            TMP_FLAKY: "\${{ params.file }}"
`);
    const file = `${
      (globalThis as { Deno?: { makeTempDirSync(): string } }).Deno?.makeTempDirSync() ?? "/tmp"
    }/flaky-${Math.random()}`;
    const wf = engine.workflow("wf");
    const result = await engine.execute(wf, { file });
    const stage =
      (result.context.jobs as Record<string, { stages: Record<string, { status: string }> }>).a
        .stages.flaky;
    assert.equal(stage.status, "SUCCESS");
  });
});

describe("timeouts keep the run alive", () => {
  it("times out a task that only waits for its signal, instead of letting the process exit", async () => {
    const { Registry, tag } = await import("../../src/stages/registry.ts");
    const waitForever = tag("v1", { alias: "wait-for-abort" })(
      (_args, { signal }) =>
        new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
    );
    const registry = new Registry().register("tasks", [waitForever]);
    const engine = await engineFor(
      `
wf:
  type: Workflow
  jobs:
    a:
      stages:
        - name: wait
          id: wait
          timeout: 0.2
          uses: tasks/wait-for-abort@v1
`,
      { registry },
    );
    const result = await engine.execute("wf");
    const stage = (result.context.jobs as Record<
      string,
      { stages: Record<string, { status: string; errors: { name: string } }> }
    >).a.stages.wait;
    assert.equal(stage.status, "FAILED");
    assert.equal(stage.errors.name, "StageTimeoutError");
  });
});

describe("resuming a run", () => {
  it("keeps the jobs that succeeded and runs the failed job and its dependants again", async () => {
    const dir = `/tmp/wf-resume-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    dir: str
  jobs:
    extract:
      stages:
        - name: count
          id: count
          bash: 'mkdir -p \${{ params.dir }} && echo x >> \${{ params.dir }}/extract.log && echo 42'
    flaky:
      needs: [extract]
      stages:
        - name: check
          id: check
          bash: 'test -f \${{ params.dir }}/ready && echo "rows=\${{ jobs.extract.stages.count.outputs.stdout }}"'
    report:
      needs: [flaky]
      stages:
        - name: done
          id: done
          echo: "\${{ jobs.flaky.stages.check.outputs.stdout }}"
`);
    const first = await engine.execute("wf", { dir });
    type Jobs = Record<
      string,
      {
        status: string;
        resumed_from?: string;
        stages?: Record<string, { outputs: { stdout?: string } }>;
      }
    >;
    assert.equal(first.status, "FAILED");
    assert.equal((first.context.jobs as Jobs).report.status, "SKIP");

    const detector = await import("node:fs");
    detector.writeFileSync(`${dir}/ready`, "");
    const { target, events } = captureEvents();
    const second = await engine.execute("wf", { dir }, {
      events: target,
      resume: { runId: first.runId, context: first.context },
    });
    const jobs = second.context.jobs as Jobs;
    assert.equal(second.status, "SUCCESS");
    assert.equal(jobs.extract.resumed_from, first.runId);
    assert.equal(jobs.flaky.stages!.check.outputs.stdout, "rows=42");
    assert.equal(jobs.report.status, "SUCCESS");
    assert.equal(detector.readFileSync(`${dir}/extract.log`, "utf8"), "x\n", "extract ran once");
    assert.ok(
      events.some((e) =>
        e.type === "log" && /Keep 'extract': it succeeded in run/.test(e.message ?? "")
      ),
    );
    detector.rmSync(dir, { recursive: true, force: true });
  });
});

describe("engine options", () => {
  it("knows custom filters during validation of a config built elsewhere", async () => {
    const engine = await engineFor(
      `
wf:
  type: Workflow
  params:
    x: str
  jobs:
    a:
      stages:
        - name: s
          id: s
          echo: "\${{ params.x | slug }}"
        - name: js
          id: js
          run: "const n = 2; return { text: \`n=\${n} x=\${{ params.x | slug }}\` };"
`,
      { filters: { slug: (value) => String(value).toLowerCase().replace(/\s+/g, "-") } },
    );
    const result = await engine.execute("wf", { x: "Hello World" });
    await engine.close();
    assert.equal(result.status, "SUCCESS", JSON.stringify(result.context.jobs));
    const stages = (result.context.jobs as Record<
      string,
      { stages: Record<string, { outputs: Record<string, unknown> }> }
    >).a.stages;
    assert.deepEqual(stages.js.outputs, { text: "n=2 x=hello-world" });
  });
});
