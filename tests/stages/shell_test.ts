import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { oneJob, runStages } from "./_stage_helpers.ts";
import { processAlive } from "../_helpers.ts";

const alive = processAlive;

async function waitDead(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe("shell stage (bash:, sh:)", () => {
  it("runs bash with env and records return code, stdout and stderr", async () => {
    const run = await runStages(
      oneJob(
        `
        - name: Say
          id: say
          env:
            GREETING: "hi \${{ params.who }}"
          bash: |
            echo "$$GREETING"
            echo oops >&2
        `,
        { params: "who: str" },
      ),
      { params: { who: "ann" } },
    );
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages.say, {
      status: "SUCCESS",
      outputs: { return_code: 0, stdout: "hi ann", stderr: "oops" },
    });
    assert.ok(run.logs.some((m) => m.endsWith("| hi ann")), run.logs.join("\n"));
  });

  it("leaves bash parameter expansion such as \${P:0:3} and \${UNSET:-x} to bash", async () => {
    const run = await runStages(oneJob(`
        - name: Slice
          id: slice
          env: { P: abcdef }
          bash: |
            echo "\${P:0:3} \${WF_TEST_SURELY_UNSET:-dflt} \${P: -2}"
    `));
    assert.equal(run.result.status, "SUCCESS");
    assert.equal(
      (run.stages.slice as { outputs: { stdout: string } }).outputs.stdout,
      "abc dflt ef",
    );
  });

  it("runs sh: in the given cwd", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-shell-"));
    try {
      const run = await runStages(oneJob(`
        - name: Where
          id: where
          cwd: ${JSON.stringify(dir)}
          sh: pwd
      `));
      const entry = run.stages.where as { outputs: { stdout: string } };
      assert.equal(run.result.status, "SUCCESS");
      assert.equal(entry.outputs.stdout.replace(/^\/private/, ""), dir.replace(/^\/private/, ""));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("records null for empty output streams", async () => {
    const run = await runStages(oneJob(`
      - name: Quiet
        id: quiet
        sh: "true"
    `));
    assert.deepEqual(run.stages.quiet, {
      status: "SUCCESS",
      outputs: { return_code: 0, stdout: null, stderr: null },
    });
  });

  it("fails on a non-zero exit with the tail of stderr in the message", async () => {
    const run = await runStages(oneJob(`
      - name: Broken
        id: broken
        bash: |
          echo "first line" >&2
          echo "the real reason" >&2
          exit 3
      - name: After
        id: after
        echo: never
    `));
    assert.equal(run.result.status, "FAILED");
    assert.deepEqual(run.stages, {
      broken: {
        status: "FAILED",
        outputs: {},
        errors: {
          name: "StageError",
          message: "bash exited with code 3: first line\nthe real reason",
        },
      },
    });
  });

  it("bounds captured output and counts what it dropped", async () => {
    const run = await runStages(oneJob(`
      - name: Loud
        id: loud
        sh: head -c 1100000 /dev/zero | tr '\\\\0' a
    `));
    const entry = run.stages.loud as {
      status: string;
      outputs: { stdout: string; stdout_dropped_bytes: number };
    };
    assert.equal(entry.status, "SUCCESS");
    assert.equal(entry.outputs.stdout.length, 1024 * 1024);
    assert.equal(entry.outputs.stdout_dropped_bytes, 1100000 - 1024 * 1024);
  });

  it("skips when if is false without running the script", async () => {
    const run = await runStages(oneJob(`
      - name: Never
        id: never
        if: "false"
        bash: exit 1
    `));
    assert.equal(run.result.status, "SKIP");
    assert.deepEqual(run.stages, { never: { status: "SKIP", outputs: {}, skipped: true } });
  });

  it("kills the whole process tree at the timeout and leaves no orphan", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-shell-"));
    const pidFile = join(dir, "pid");
    try {
      const run = await runStages(oneJob(`
        - name: Hang
          id: hang
          timeout: 0.5
          bash: |
            sleep 30 &
            echo $$! > ${pidFile}
            sleep 30; wait
      `));
      assert.equal(run.result.status, "FAILED");
      assert.deepEqual(run.stages.hang, {
        status: "FAILED",
        outputs: {},
        errors: { name: "StageTimeoutError", message: "stage 'Hang' timed out after 500ms" },
      });
      const pid = Number(readFileSync(pidFile, "utf8").trim());
      assert.ok(pid > 0);
      assert.ok(await waitDead(pid), `background sleep ${pid} is still running`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("kills the process tree when the caller cancels", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-shell-"));
    const pidFile = join(dir, "pid");
    const controller = new AbortController();
    try {
      const run = await runStages(
        oneJob(`
          - name: Hang
            id: hang
            bash: |
              sleep 30 &
              echo $$! > ${pidFile}
              echo started
              sleep 30; wait
        `),
        {
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === "log" && e.message?.endsWith("| started")) controller.abort();
          },
        },
      );
      assert.equal(run.result.status, "CANCEL");
      const entry = run.stages.hang as { status: string; errors: { name: string } };
      assert.equal(entry.status, "CANCEL");
      assert.equal(entry.errors.name, "CancelError");
      const pid = Number(readFileSync(pidFile, "utf8").trim());
      assert.ok(await waitDead(pid), `background sleep ${pid} is still running`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
