/**
 * `workflow runs | head -n1` and `workflow logs <id> | head -n1`: when the reader of stdout
 * goes away early, the CLI ends quietly (no EPIPE stack trace) with its usual exit code.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { cliCommand } from "../_helpers.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";
import type { TraceRecord } from "../../src/results/trace_store.ts";

const root = new URL("../..", import.meta.url).pathname;
const command = cliCommand();

/** Far more output than a pipe buffers (64 KiB), so the CLI is still writing when head exits. */
const RUNS = 500;
const WORKFLOW = "a-workflow-with-a-long-name-".repeat(30);

async function writeTraces(dir: string): Promise<string> {
  const store = new FileTraceStore(detectRuntime().fs, dir);
  const records: TraceRecord[] = [];
  for (let i = 0; i < RUNS; i++) {
    const runId = `2026010100000000${String(i).padStart(4, "0")}T0000000001`;
    const time = Date.UTC(2026, 0, 1) + i * 1000;
    records.push(
      { time, level: "info", runId, workflow: WORKFLOW, message: "start", event: "run-start" },
      {
        time: time + 5,
        level: "info",
        runId,
        workflow: WORKFLOW,
        message: "end",
        event: "run-end",
        status: "SUCCESS",
        durationMs: 5,
      },
    );
  }
  const busy = `2025010200000000T0000000002`;
  for (let i = 0; i < 4000; i++) {
    records.push({
      time: Date.UTC(2025, 0, 2) + i,
      level: "info",
      runId: busy,
      workflow: "busy",
      message: `line ${i} ${"x".repeat(60)}`,
    });
  }
  await store.write(records);
  await store.close();
  return busy;
}

/** Runs `workflow <args> | head -n1` through sh; returns head's output, the CLI's stderr and code. */
function pipeIntoHead(
  args: string[],
  dir: string,
): Promise<{ first: string; stderr: string; code: number }> {
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  const cli = [...command, ...args].map(quote).join(" ");
  const script = `{ ${cli} 2>${quote(join(dir, "stderr.txt"))}; echo $? >${
    quote(join(dir, "code.txt"))
  }; } | head -n1`;
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script], {
      cwd: root,
      env: {
        ...process.env,
        WORKFLOW_LOG_TRACE_ENABLE_WRITE: "true",
        WORKFLOW_LOG_TRACE_PATH: join(dir, "logs"),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let first = "";
    child.stdout.on("data", (chunk) => (first += chunk));
    child.on("error", reject);
    child.on("close", () => {
      resolve({
        first,
        stderr: readFileSync(join(dir, "stderr.txt"), "utf8"),
        code: Number(readFileSync(join(dir, "code.txt"), "utf8").trim()),
      });
    });
  });
}

describe("workflow runs/logs piped into head", () => {
  it("ends quietly with exit 0 when head stops reading runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-epipe-"));
    try {
      await writeTraces(join(dir, "logs"));
      const out = await pipeIntoHead(["runs", "-n", String(RUNS)], dir);
      assert.match(out.first, /^2026010100000000\d{4}T0000000001 {2}.*SUCCESS/);
      assert.equal(out.first.trim().split("\n").length, 1);
      assert.equal(out.stderr, "", "no EPIPE, no stack");
      assert.equal(out.code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ends quietly with exit 0 when head stops reading a long trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-epipe-"));
    try {
      const busy = await writeTraces(join(dir, "logs"));
      const out = await pipeIntoHead(["logs", busy], dir);
      assert.match(out.first, /line 0 x+$/m);
      assert.equal(out.stderr, "", "no EPIPE, no stack");
      assert.equal(out.code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
