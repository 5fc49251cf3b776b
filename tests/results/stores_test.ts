import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";
import { FileAuditStore } from "../../src/results/file_audit_store.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import { openStores, parseStoreUrl, storesFromEnv } from "../../src/results/stores.ts";
import { Masker } from "../../src/util/mask.ts";
import { audit } from "./audit_contract.ts";
import { runRecords, sqliteSkipReason, tempDir } from "./_helpers.ts";

describe("parseStoreUrl()", () => {
  it("reads folder paths, file:, memory:, sqlite: and the JSON form", () => {
    assert.deepEqual(parseStoreUrl("./logs"), { kind: "file", path: "./logs" });
    assert.deepEqual(parseStoreUrl("/var/log/wf"), { kind: "file", path: "/var/log/wf" });
    assert.deepEqual(parseStoreUrl("file:./logs"), { kind: "file", path: "./logs" });
    assert.deepEqual(parseStoreUrl("file:///var/my%20logs"), {
      kind: "file",
      path: "/var/my logs",
    });
    assert.deepEqual(parseStoreUrl("memory:"), { kind: "memory" });
    assert.deepEqual(parseStoreUrl("sqlite:./workflow.db"), {
      kind: "sqlite",
      path: "./workflow.db",
    });
    assert.deepEqual(parseStoreUrl("sqlite:///abs/workflow.db"), {
      kind: "sqlite",
      path: "/abs/workflow.db",
    });
    assert.deepEqual(parseStoreUrl("sqlite::memory:"), { kind: "sqlite", path: ":memory:" });
    assert.deepEqual(parseStoreUrl('{"type": "file", "path": "./audits"}'), {
      kind: "file",
      path: "./audits",
    });
  });

  it("rejects empty values, unknown schemes and bad JSON with a ConfigError naming the setting", () => {
    assert.throws(() => parseStoreUrl("  ", "WORKFLOW_LOG_TRACE_URL"), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^WORKFLOW_LOG_TRACE_URL: store URL is empty/);
      return true;
    });
    assert.throws(
      () => parseStoreUrl("mysql://app:hunter2@db/x", "auditUrl"),
      (error: unknown) => {
        assert.match(
          String(error),
          /auditUrl: unsupported store URL scheme 'mysql:' in 'mysql:\/\/app:\*\*\*@db\/x'/,
        );
        assert.doesNotMatch(String(error), /hunter2/);
        return true;
      },
    );
    assert.throws(() => parseStoreUrl("sqlite:"), /names no database file/);
    assert.throws(
      () => parseStoreUrl('{"type": "s3"}'),
      /needs "type" of "file", "sqlite" or "memory"/,
    );
    assert.throws(() => parseStoreUrl("{oops"), /is not valid JSON/);
  });
});

describe("storesFromEnv()", () => {
  it("turns nothing on by default", () => {
    assert.deepEqual(storesFromEnv({}), {});
  });

  it("uses the default paths when writing is enabled", () => {
    assert.deepEqual(
      storesFromEnv({
        WORKFLOW_LOG_TRACE_ENABLE_WRITE: "true",
        WORKFLOW_LOG_AUDIT_ENABLE_WRITE: "Yes",
      }),
      { traceUrl: "./logs", auditUrl: "./audits" },
    );
  });

  it("prefers *_URL over *_PATH, and a URL alone turns writing on", () => {
    assert.deepEqual(
      storesFromEnv({
        WORKFLOW_LOG_TRACE_URL: "sqlite:./wf.db",
        WORKFLOW_LOG_TRACE_PATH: "./ignored",
        WORKFLOW_LOG_AUDIT_ENABLE_WRITE: "1",
        WORKFLOW_LOG_AUDIT_PATH: "/data/audits",
      }),
      { traceUrl: "sqlite:./wf.db", auditUrl: "/data/audits" },
    );
    assert.deepEqual(
      storesFromEnv({
        WORKFLOW_LOG_TRACE_URL: "memory:",
        WORKFLOW_LOG_TRACE_ENABLE_WRITE: "false",
      }),
      {},
    );
  });

  it("reads a RuntimeEnv as well as a plain object", () => {
    const { env } = createMemoryRuntime({ env: { WORKFLOW_LOG_AUDIT_URL: "memory:" } });
    assert.deepEqual(storesFromEnv(env), { auditUrl: "memory:" });
  });

  it("rejects a bad boolean or URL with a ConfigError naming the variable", () => {
    assert.throws(
      () => storesFromEnv({ WORKFLOW_LOG_TRACE_ENABLE_WRITE: "maybe" }),
      /^ConfigError: WORKFLOW_LOG_TRACE_ENABLE_WRITE: 'maybe' is not a boolean/,
    );
    assert.throws(
      () => storesFromEnv({ WORKFLOW_LOG_AUDIT_URL: "redis://x" }),
      /WORKFLOW_LOG_AUDIT_URL: unsupported store URL scheme 'redis:'/,
    );
  });
});

describe("openStores()", () => {
  it("opens file stores for paths and memory stores for memory:", async () => {
    const runtime = createMemoryRuntime({ cwd: "/app" });
    const files = await openStores(runtime, { traceUrl: "./logs", auditUrl: "./audits" });
    assert.ok(files.trace instanceof FileTraceStore);
    assert.ok(files.audit instanceof FileAuditStore);
    await files.trace.write(runRecords("r1", 1));
    assert.deepEqual(await runtime.fs.listFiles("/app/logs/run_id=r1"), [
      "/app/logs/run_id=r1/run.jsonl",
      "/app/logs/run_id=r1/stdout.txt",
      "/app/logs/run_id=r1/trace.jsonl",
    ]);
    await files.close();
    const memory = await openStores(runtime, { traceUrl: "memory:", auditUrl: "memory:" });
    assert.ok(memory.trace instanceof MemoryTraceStore);
    assert.ok(memory.audit instanceof MemoryAuditStore);
    await memory.close();
  });

  it("opens no store for a URL that is not given", async () => {
    const stores = await openStores(createMemoryRuntime());
    assert.equal(stores.trace, null);
    assert.equal(stores.audit, null);
    await stores.close();
  });

  it("masks trace messages and audit contexts when given a masker", async () => {
    const masker = new Masker();
    const stores = await openStores(createMemoryRuntime(), {
      traceUrl: "memory:",
      auditUrl: "memory:",
      masker,
    });
    masker.add("pa55word");
    await stores.trace?.write([{ ...runRecords("r", 1)[0], message: "login pa55word" }]);
    await stores.audit?.write(
      audit({ context: { params: { pw: "pa55word", note: "x-pa55word-y" } } }),
    );
    assert.equal((await stores.trace?.getTrace("r"))?.[0].message, "login ***");
    assert.deepEqual((await stores.audit?.list())?.[0].context, {
      params: { pw: "***", note: "x-***-y" },
    });
    await stores.close();
  });

  it("opens SQLite stores for sqlite: URLs relative to the working folder", {
    skip: sqliteSkipReason ?? false,
  }, async () => {
    const dir = tempDir();
    try {
      const runtime = { ...createMemoryRuntime(), cwd: () => dir.path };
      const stores = await openStores(runtime, {
        traceUrl: "sqlite:./wf.db",
        auditUrl: "sqlite:./wf.db",
      });
      await stores.trace?.write(runRecords("r", 1));
      await stores.audit?.write(audit());
      assert.equal((await stores.trace?.listRuns())?.[0].status, "SUCCESS");
      assert.equal(await stores.audit?.exists("wf-daily", audit().release), true);
      await stores.close();
      const { statSync } = await import("node:fs");
      assert.ok(statSync(`${dir.path}/wf.db`).isFile());
    } finally {
      dir.remove();
    }
  });

  it(
    "rejects a sqlite: URL with an UnsupportedError naming the alternatives where SQLite is missing",
    { skip: sqliteSkipReason === null ? "this runtime has SQLite" : false },
    async () => {
      await assert.rejects(
        openStores(createMemoryRuntime(), { auditUrl: "sqlite:./wf.db" }),
        (error: Error) =>
          error.name === "UnsupportedError" && /file store .* or "memory:"/.test(error.message),
      );
    },
  );
});
