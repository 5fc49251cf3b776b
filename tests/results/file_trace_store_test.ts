import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";
import {
  parseTraceLines,
  type TraceRecord,
  traceRecordToLine,
} from "../../src/results/trace_store.ts";
import { record, runRecords, tempDir } from "./_helpers.ts";

describe("FileTraceStore layout", () => {
  it("writes trace.jsonl, stdout.txt, stderr.txt and run.jsonl into a run_id=... folder", async () => {
    const runtime = createMemoryRuntime();
    const store = new FileTraceStore(runtime.fs, "/logs");
    const records = runRecords("20240101083000T1", Date.UTC(2024, 0, 1, 8, 30), {
      status: "FAILED",
    });
    await store.write(records);
    const dir = "/logs/run_id=20240101083000T1";
    assert.deepEqual((await runtime.fs.readDir(dir)).map((e) => e.name), [
      "run.jsonl",
      "stderr.txt",
      "stdout.txt",
      "trace.jsonl",
    ]);
    const jsonl = await runtime.fs.readText(`${dir}/trace.jsonl`);
    assert.equal(jsonl.split("\n").length, 4);
    assert.deepEqual(parseTraceLines(jsonl), records);
    const stdout = await runtime.fs.readText(`${dir}/stdout.txt`);
    assert.match(
      stdout,
      /^2024-01-01 08:30:00\.000 INFO +\(20240101083000T1\) \[WORKFLOW\]: Start 'wf'\n/,
    );
    assert.match(stdout, /DEBUG +\(20240101083000T1\) working\n$/);
    assert.equal(
      await runtime.fs.readText(`${dir}/stderr.txt`),
      `2024-01-01 08:30:00.010 ERROR   (20240101083000T1) [WORKFLOW]: End 'wf' FAILED\n`,
    );
    const summaries = (await runtime.fs.readText(`${dir}/run.jsonl`)).split("\n");
    assert.equal(summaries.length, 2, "one batch with start and end appends one summary");
    assert.deepEqual(JSON.parse(summaries[0]), {
      runId: "20240101083000T1",
      workflow: "wf",
      status: "FAILED",
      start: Date.UTC(2024, 0, 1, 8, 30),
      end: Date.UTC(2024, 0, 1, 8, 30) + 10,
      durationMs: 10,
    });
  });

  it("appends a run summary at run start and at run end; the last complete line wins", async () => {
    const dir = tempDir();
    try {
      const { fs } = detectRuntime();
      const store = new FileTraceStore(fs, dir.path);
      const records = runRecords("r", 1);
      await store.write([records[0]]);
      assert.equal((await store.listRuns())[0].status, "WAIT");
      await store.write(records.slice(1));
      const folder = `${dir.path}/run_id=r`;
      assert.deepEqual((await fs.readDir(folder)).map((e) => e.name), [
        "run.jsonl",
        "stdout.txt",
        "trace.jsonl",
      ]);
      const lines = (await fs.readText(`${folder}/run.jsonl`)).trimEnd().split("\n");
      assert.deepEqual(lines.map((line) => JSON.parse(line).status), ["WAIT", "SUCCESS"]);
      // A writer killed mid-append leaves a torn line: readers keep the last complete one.
      await fs.writeText(`${folder}/run.jsonl`, '{"runId":"r","workflow":"wf","sta', {
        append: true,
      });
      const reader = new FileTraceStore(fs, dir.path);
      assert.deepEqual(await reader.listRuns(), [
        { runId: "r", workflow: "wf", status: "SUCCESS", start: 1, end: 11, durationMs: 10 },
      ]);
    } finally {
      dir.remove();
    }
  });

  it("keeps run ids that look like paths inside the trace folder", async () => {
    const runtime = createMemoryRuntime();
    const store = new FileTraceStore(runtime.fs, "/logs");
    await store.write(runRecords("../../etc/x", 1));
    assert.deepEqual((await runtime.fs.readDir("/logs")).map((e) => e.name), [
      "run_id=..%2F..%2Fetc%2Fx",
    ]);
    assert.equal((await store.getTrace("../../etc/x"))?.length, 3);
  });
});

describe("FileTraceStore reading damaged files", () => {
  it("skips a torn last line left by a writer that died mid-write", async () => {
    const runtime = createMemoryRuntime();
    const store = new FileTraceStore(runtime.fs, "/logs");
    const records = [record({ time: 1, runId: "r" }), record({ time: 2, runId: "r" })];
    await store.write(records);
    const torn = traceRecordToLine(record({ time: 3, runId: "r" })).slice(0, 25);
    await runtime.fs.writeText("/logs/run_id=r/trace.jsonl", torn, { append: true });
    assert.deepEqual(await store.getTrace("r"), records);
  });

  it("reads records appended after a torn line, glued onto it or not", async () => {
    const runtime = createMemoryRuntime();
    const path = "/logs/run_id=r/trace.jsonl";
    const first = record({ time: 1, runId: "r", message: 'has {"time": inside' });
    await runtime.fs.writeText(path, traceRecordToLine(first) + '{"time":2,"lev', {
      createDirs: true,
    });
    const later = [record({ time: 3, runId: "r" }), record({ time: 4, runId: "r" })];
    await new FileTraceStore(runtime.fs, "/logs").write(later);
    assert.deepEqual(await new FileTraceStore(runtime.fs, "/logs").getTrace("r"), [
      first,
      ...later,
    ]);
  });

  it("ignores lines that are not trace records", () => {
    const good = record({ time: 1, runId: "r" });
    const text = "not json\n" + '{"other":true}\n' + traceRecordToLine(good) + "\n";
    assert.deepEqual(parseTraceLines(text), [good]);
  });
});

function childCommand(script: string): string[] {
  const host = globalThis as { Deno?: unknown; Bun?: unknown };
  if (host.Deno !== undefined) return [process.execPath, "run", "-A", script];
  if (host.Bun !== undefined) return [process.execPath, script];
  return [process.execPath, "--import", "tsx", script];
}

describe("FileTraceStore with a writer killed mid-write", () => {
  it("reads back every complete record after the writing process is SIGKILLed", async () => {
    const dir = tempDir();
    try {
      const script = fileURLToPath(new URL("./_trace_appender.ts", import.meta.url));
      const [program, ...args] = childCommand(script);
      const child = spawn(program, args, {
        env: { ...process.env, TRACE_DIR: dir.path },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => stderr += chunk);
      const exited = new Promise<string | null>((resolve) =>
        child.on("exit", (_code, signal) => resolve(signal))
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk) => String(chunk).includes("ready") && resolve());
        child.on("exit", () => reject(new Error(`appender exited early: ${stderr}`)));
      });
      // Let it write a while longer so the kill lands in the middle of its loop.
      await new Promise((resolve) => setTimeout(resolve, 150));
      child.kill("SIGKILL");
      assert.equal(await exited, "SIGKILL");

      const { fs } = detectRuntime();
      const store = new FileTraceStore(fs, dir.path);
      const trace = (await store.getTrace("killed")) ?? [];
      assert.ok(trace.length >= 50, `at least the first batch is there (got ${trace.length})`);
      trace.forEach((r, i) => assert.equal(r.message.split(" ").slice(0, 2).join(" "), `seq ${i}`));

      // A new writer appends after whatever the killed one left; nothing is lost.
      const more: TraceRecord[] = [
        record({ time: 1e9, runId: "killed", message: "after the crash" }),
      ];
      await store.write(more);
      const again = (await store.getTrace("killed")) ?? [];
      assert.equal(again.length, trace.length + 1);
      assert.equal(again.at(-1)?.message, "after the crash");
    } finally {
      dir.remove();
    }
  });
});

describe("FileTraceStore with concurrent writers", () => {
  it("two stores appending to the same run at once never interleave records", async () => {
    const dir = tempDir();
    try {
      const { fs } = detectRuntime();
      const stores = [new FileTraceStore(fs, dir.path), new FileTraceStore(fs, dir.path)];
      const long = "y".repeat(5_000);
      await Promise.all(
        stores.flatMap((store, s) =>
          Array.from(
            { length: 20 },
            (_, b) =>
              store.write(Array.from({ length: 5 }, (_, i) =>
                record({
                  time: i,
                  runId: "shared",
                  message: `store ${s} batch ${b} item ${i} ${long}`,
                }))),
          )
        ),
      );
      const text = await fs.readText(`${dir.path}/run_id=shared/trace.jsonl`);
      const lines = text.split("\n").filter((line) => line !== "");
      assert.equal(lines.length, 200);
      for (const line of lines) assert.equal(JSON.parse(line).runId, "shared");
      assert.equal((await stores[0].getTrace("shared"))?.length, 200);
    } finally {
      dir.remove();
    }
  });
});

describe("FileTraceStore cleanup next to writes", () => {
  it("a write issued right after cleanup() waits for it instead of deadlocking", async () => {
    const runtime = createMemoryRuntime();
    const store = new FileTraceStore(runtime.fs, "/logs");
    await store.write(runRecords("old", 1));
    await store.write([runRecords("busy", 2, { end: false })[0]]);
    // Same tick: the cleanup is queued first, then more records of a run that has a queue.
    const cleaned = store.cleanup({ olderThan: 100 });
    const written = store.write([runRecords("busy", 2, { end: false })[1]]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("cleanup and write wait on each other")), 2_000);
    });
    try {
      await Promise.race([Promise.all([cleaned, written]), deadline]);
    } finally {
      clearTimeout(timer);
    }
    assert.equal(await cleaned, 2);
    assert.equal(await store.getTrace("old"), null);
    assert.deepEqual((await store.getTrace("busy"))?.map((r) => r.message), ["working"]);
  });
});

describe("FileTraceStore listing runs written by another process", () => {
  const statusOf = (runs: { runId: string; status: string }[]) =>
    Object.fromEntries(runs.map((run) => [run.runId, run.status]));
  const t0 = Date.UTC(2024, 0, 1, 8, 30);

  it("the next listRuns shows new runs and changed summaries from a second store", async () => {
    const dir = tempDir();
    try {
      const { fs, clock } = detectRuntime();
      const reader = new FileTraceStore(fs, dir.path, { clock });
      const writer = new FileTraceStore(fs, dir.path, { clock });
      await reader.write(runRecords("r1", t0));
      await writer.write(runRecords("r2", t0 + 1000, { end: false }));
      // Old enough for the reader to reuse its folder listing while nothing changes there.
      await clock.sleep(150);
      assert.deepEqual(statusOf(await reader.listRuns()), { r2: "WAIT", r1: "SUCCESS" });
      assert.deepEqual(statusOf(await reader.listRuns()), { r2: "WAIT", r1: "SUCCESS" });

      await writer.write(runRecords("r3", t0 + 2000, { end: false }));
      await writer.write([
        record({ runId: "r2", time: t0 + 1500, event: "run-end", status: "FAILED" }),
      ]);
      const runs = await reader.listRuns();
      assert.deepEqual(runs.map((run) => run.runId), ["r3", "r2", "r1"]);
      assert.deepEqual(statusOf(runs), { r3: "WAIT", r2: "FAILED", r1: "SUCCESS" });
      assert.equal(runs[1].end, t0 + 1500);

      // The folder listing is reused now; a run ending elsewhere still shows.
      await clock.sleep(150);
      assert.deepEqual(statusOf(await reader.listRuns({ status: "WAIT" })), { r3: "WAIT" });
      await writer.write([
        record({ runId: "r3", time: t0 + 2500, event: "run-end", status: "SUCCESS" }),
      ]);
      assert.deepEqual(await reader.listRuns({ status: "WAIT" }), []);
      assert.deepEqual(statusOf(await reader.listRuns({ workflow: "wf", limit: 1, offset: 1 })), {
        r2: "FAILED",
      });

      // A cleanup elsewhere removes run folders: they leave the listing.
      assert.equal(await writer.cleanup({ olderThan: t0 + 1600 }), 2);
      assert.deepEqual(statusOf(await reader.listRuns()), { r3: "SUCCESS" });
      assert.deepEqual(await reader.getTrace("r1"), null);

      // One run folder gone and another come between two listings: as many folders as before.
      await clock.sleep(150);
      assert.deepEqual(statusOf(await reader.listRuns()), { r3: "SUCCESS" });
      await fs.remove(writer.runPath("r3"));
      await writer.write(runRecords("r4", t0 + 3000));
      assert.deepEqual(statusOf(await reader.listRuns()), { r4: "SUCCESS" });
    } finally {
      dir.remove();
    }
  });

  it("sees a run folder appear on a file system without folder times (in memory)", async () => {
    const runtime = createMemoryRuntime({ now: t0 + 60_000 });
    const reader = new FileTraceStore(runtime.fs, "/logs", { clock: runtime.clock });
    const writer = new FileTraceStore(runtime.fs, "/logs", { clock: runtime.clock });
    await writer.write(runRecords("r1", t0));
    assert.deepEqual(statusOf(await reader.listRuns()), { r1: "SUCCESS" });
    runtime.clock.advance(10_000);
    await writer.write(runRecords("r2", t0 + 1000));
    assert.deepEqual(statusOf(await reader.listRuns()), { r2: "SUCCESS", r1: "SUCCESS" });
  });

  it("shows the new status of a run whose summary holds non-ASCII text", async () => {
    const dir = tempDir();
    try {
      const { fs, clock } = detectRuntime();
      const reader = new FileTraceStore(fs, dir.path, { clock });
      const writer = new FileTraceStore(fs, dir.path, { clock });
      await writer.write(runRecords("ünïcode-☃-𝄞", t0, { end: false, workflow: "wf-☃" }));
      assert.deepEqual(statusOf(await reader.listRuns()), { "ünïcode-☃-𝄞": "WAIT" });
      await writer.write([
        record({ runId: "ünïcode-☃-𝄞", workflow: "wf-☃", time: t0 + 5, event: "run-end" }),
      ]);
      assert.deepEqual(statusOf(await reader.listRuns({ workflow: "wf-☃" })), {
        "ünïcode-☃-𝄞": "SUCCESS",
      });
    } finally {
      dir.remove();
    }
  });
});
