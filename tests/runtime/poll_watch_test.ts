import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pollWatch } from "../../src/runtime/_poll_watch.ts";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";

describe("pollWatch()", () => {
  it("reports files added, changed and removed between two looks, then stops on abort", async () => {
    const { fs } = createMemoryRuntime({ cwd: "/app", files: { "conf/a.yml": "a: 1" } });
    const stop = new AbortController();
    const seen = new Set<string>();
    let wake = () => {};
    const watching = pollWatch(fs, "/app/conf", (path) => {
      seen.add(path);
      wake();
    }, { signal: stop.signal, pollMs: 10 });
    const until = async (done: () => boolean) => {
      while (!done()) await new Promise<void>((resolve) => wake = resolve);
    };
    // The first look happens before the edits (it is taken synchronously up to its first await).
    await new Promise((resolve) => setTimeout(resolve, 30));
    await fs.writeText("/app/conf/a.yml", "a: 22");
    await fs.writeText("/app/conf/b.yml", "b: 1");
    await until(() => seen.has("/app/conf/a.yml") && seen.has("/app/conf/b.yml"));
    await fs.remove("/app/conf/b.yml");
    seen.clear();
    await until(() => seen.has("/app/conf/b.yml"));
    stop.abort();
    await watching;
    assert.deepEqual([...seen], ["/app/conf/b.yml"]);
  });
});
