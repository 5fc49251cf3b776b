import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";
import { FileAuditStore, formatReleaseKey } from "../../src/results/file_audit_store.ts";
import { audit } from "./audit_contract.ts";

describe("FileAuditStore layout", () => {
  it("formatReleaseKey() names the release folder YYYYmmddHHMMSS in UTC", () => {
    assert.equal(formatReleaseKey(Date.UTC(2024, 1, 29, 23, 5, 9, 999)), "20240229230509");
  });

  it("writes workflow=NAME/release=TIME/RUN_ID.json as pretty JSON with snake_case keys", async () => {
    const runtime = createMemoryRuntime();
    const store = new FileAuditStore(runtime.fs, "/audits");
    await store.write(audit({ runId: "r-1", release: Date.UTC(2024, 0, 1, 8, 30) }));
    assert.deepEqual(await runtime.fs.listFiles("/audits"), [
      "/audits/workflow=wf-daily/release=20240101083000/r-1.json",
    ]);
    const text = await runtime.fs.readText(
      "/audits/workflow=wf-daily/release=20240101083000/r-1.json",
    );
    const data = JSON.parse(text);
    assert.equal(data.release, "2024-01-01T08:30:00.000Z");
    assert.equal(data.run_id, "r-1");
    assert.equal(data.parent_run_id, null);
    assert.equal(data.duration_ms, 125);
    assert.ok(text.startsWith(`{\n  "workflow": "wf-daily",\n`), "pretty JSON, workflow first");
  });

  it("leaves no temporary file behind and ignores stray temporary files when reading", async () => {
    const runtime = createMemoryRuntime();
    const store = new FileAuditStore(runtime.fs, "/audits");
    await store.write(audit());
    await store.write(audit({ status: "FAILED" }));
    const dir = "/audits/workflow=wf-daily/release=20240101083000";
    assert.deepEqual((await runtime.fs.readDir(dir)).map((e) => e.name), ["run-1.json"]);
    await runtime.fs.writeText(`${dir}/.run-2.json.abc.tmp`, '{"workflow": "wf-da');
    assert.equal((await store.list()).length, 1);
    assert.equal((await store.find("wf-daily", audit().release))?.status, "FAILED");
  });

  it("cleanup() removes release and workflow folders it empties", async () => {
    const runtime = createMemoryRuntime();
    const store = new FileAuditStore(runtime.fs, "/audits");
    await store.write(audit({ createdAt: 1 }));
    await store.write(audit({ workflow: "kept", createdAt: 10_000 }));
    assert.equal(await store.cleanup({ olderThan: 5_000 }), 1);
    assert.deepEqual((await runtime.fs.readDir("/audits")).map((e) => e.name), ["workflow=kept"]);
  });

  it("reads nothing from an audit folder that does not exist yet", async () => {
    const store = new FileAuditStore(createMemoryRuntime().fs, "/nowhere");
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await store.listWorkflows(), []);
    assert.equal(await store.exists("wf", 0), false);
    assert.equal(await store.cleanup({ olderThan: 1e15 }), 0);
  });
});
