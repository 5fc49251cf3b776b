/**
 * `core.ts` is the edge entry: its static import graph reaches no host API, and a workflow
 * runs through it with an in-memory runtime, a config built from text and the Hono app.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createApi, Engine, indexConfig } from "../core.ts";
import { createMemoryRuntime } from "../testing.ts";

const root = new URL("..", import.meta.url).pathname;

/** Every module reachable from `entry` through static imports and re-exports. */
function staticGraph(entry: string): { files: Set<string>; hosts: string[] } {
  const files = new Set<string>();
  const hosts: string[] = [];
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"/gms)) {
      const spec = match[1];
      if (spec.startsWith(".")) visit(join(dirname(file), spec));
      else if (/^(node|bun):/.test(spec)) hosts.push(`${file.slice(root.length)} imports ${spec}`);
    }
  };
  visit(join(root, entry));
  return { files, hosts };
}

describe("core entry", () => {
  it("reaches no node:/bun: module and no host adapter through static imports", () => {
    const { files, hosts } = staticGraph("core.ts");
    assert.deepEqual(hosts, []);
    const adapters = [...files].filter((f) =>
      /src\/runtime\/(node|deno|bun|_node_\w+)\.ts$/.test(f)
    );
    assert.deepEqual(adapters, []);
    assert.ok(files.size > 50, `graph has ${files.size} modules`);
  });

  for (const entry of ["events.ts", "stores.ts", "scheduler.ts", "testing.ts"]) {
    it(`the ${entry.replace(".ts", "")} subpath reaches no node:/bun: module either`, () => {
      const { files, hosts } = staticGraph(entry);
      assert.deepEqual(hosts, []);
      assert.deepEqual([...files].filter((f) => /src\/runtime\/(node|deno|bun)\.ts$/.test(f)), []);
    });
  }

  it("mod.ts does reach the host adapters (so the check above can fail)", () => {
    const { hosts } = staticGraph("mod.ts");
    assert.ok(hosts.some((h) => h.includes("node:")));
  });

  it("runs a workflow from text on an in-memory runtime behind the Hono app", async () => {
    const config = indexConfig([{
      path: "edge.yml",
      text: `
edge:
  type: Workflow
  params:
    who: str
  jobs:
    greet:
      stages:
        - name: Greet
          id: greet
          echo: "hello \${{ params.who | upper }}"
        - name: Pause
          id: pause
          sleep: 0
`,
    }]);
    const runtime = createMemoryRuntime();
    const engine = await Engine.create({ runtime, config, traces: null, audits: null });
    const api = createApi(engine);
    const running = api.request("/api/v1/workflows/edge/execute", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ params: { who: "edge" } }),
    });
    // The in-memory clock only moves when told to; let the zero-second sleep fire.
    await runtime.clock.runUntilIdle();
    const response = await running;
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.status, "SUCCESS");
    assert.deepEqual(Object.keys(body.context.jobs.greet.stages), ["greet", "pause"]);
    await engine.close();
  });
});
