/**
 * Ctrl-C on `workflow run` cancels the run: the running shell stage's process
 * group is killed, the run ends CANCEL, the CLI exits 1 promptly.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { cliCommand, processAlive } from "../_helpers.ts";

const root = new URL("../..", import.meta.url).pathname;
const command = cliCommand();

describe("workflow run and SIGINT", () => {
  it("cancels the run, kills the stage's processes and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-sigint-"));
    const pidFile = join(dir, "sleep.pid");
    writeFileSync(
      join(dir, "wf.yml"),
      `long:
  type: Workflow
  jobs:
    a:
      stages:
        - name: wait
          id: wait
          bash: 'sleep 30 & echo $! > ${pidFile}; echo started; wait'
        - name: after
          echo: never
`,
    );
    try {
      const child = spawn(command[0], [...command.slice(1), "run", "long", "--conf", dir], {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (chunk) => (out += chunk));
      child.stderr.on("data", (chunk) => (out += chunk));
      const started = Date.now();
      while (!out.includes("started") && Date.now() - started < 20_000) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(out, /started/, out);
      const interruptedAt = Date.now();
      process.kill(child.pid!, "SIGINT");
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      const took = Date.now() - interruptedAt;
      assert.equal(code, 1, out);
      assert.ok(took < 5000, `exit took ${took} ms`);
      assert.match(out, /⊘ wait CANCEL .* — interrupted by SIGINT/);
      assert.match(out, /⊘ long CANCEL/);
      assert.doesNotMatch(out, /never/);
      const pid = Number(readFileSync(pidFile, "utf8").trim());
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(processAlive(pid), false, `background sleep ${pid} still running`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
