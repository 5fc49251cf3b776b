import { describe, it } from "node:test";
import { readdirSync } from "node:fs";
import assert from "node:assert/strict";
import { checkLayers, checkSource, LAYERS } from "../scripts/check_layers.ts";

// The fixture tree's own order: `core` above the host layer, below config.
const FIXTURE_LAYERS = ["runtime", "core", "config", "scheduler", "api"];

describe("layer check", () => {
  it("finds no violations in the real src/ tree", () => {
    const violations = checkLayers(new URL("../src", import.meta.url));
    assert.deepEqual(
      violations.map((v) => `src/${v.file}:${v.line}: ${v.message}`),
      [],
    );
  });

  it("reports each violation of the fixture tree by file and line, ignoring comments", () => {
    const found = checkLayers(new URL("./fixtures/layers/src", import.meta.url), {
      layers: FIXTURE_LAYERS,
    }).map((v) => `${v.file}:${v.line} ${v.message.split(" (")[0]}`);
    assert.deepEqual(found, [
      'config/back_edge.ts:2 imports ../scheduler/cron.ts from layer "scheduler", which stands above "config"',
      'config/back_edge.ts:4 imports ../api/app.ts from layer "api", which stands above "config"',
      "core/bad_host.ts:2 imports a node:* module",
      "core/bad_host.ts:5 calls Date.now()",
      "core/bad_host.ts:6 uses process.*",
      "core/bad_packages.ts:2 imports yaml",
      "core/bad_packages.ts:3 imports hono",
    ]);
  });

  it("flags timers, Deno, Bun and argument-less dates in core code", () => {
    const source = [
      "const a = setTimeout(() => {}, 1);",
      "const b = globalThis.Deno.env;",
      "const c = Bun.file('x');",
      "const d = new Date();",
      "const e = performance.now();",
      'const f = await import("croner");',
    ].join("\n");
    assert.deepEqual(checkSource("executor/x.ts", source).map((v) => v.line), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(checkSource("runtime/x.ts", source).map((v) => v.line), [6]);
  });

  it("fails on a folder back-edge planted in the real layer order, type-only imports included", () => {
    const upward = [
      'import type { Engine } from "../engine.ts";',
      'export { runJob } from "../executor/job_runner.ts";',
      'const api = await import("../api/app.ts");',
      'import "../cli/main.ts";',
    ].join("\n");
    assert.deepEqual(
      checkSource("stages/planted.ts", upward).map((v) => `${v.line} ${v.message.split(",")[0]}`),
      [
        '1 imports ../engine.ts from layer "engine.ts"',
        '2 imports ../executor/job_runner.ts from layer "executor"',
        '3 imports ../api/app.ts from layer "api"',
        '4 imports ../cli/main.ts from layer "cli"',
      ],
    );
    // The same imports from the top layer, or a layer's own folder, are fine.
    assert.deepEqual(checkSource("cli/planted.ts", upward), []);
    assert.deepEqual(
      checkSource("executor/x.ts", 'import { stageHandler } from "../stages/kinds.ts";'),
      [],
    );
    assert.deepEqual(checkSource("executor/x.ts", 'import { y } from "./y.ts";'), []);
  });

  it("asks for a place in the order for a folder it does not know, and for imports outside src", () => {
    assert.deepEqual(checkSource("plugins/x.ts", "export const x = 1;").map((v) => v.message), [
      'is in "plugins", which has no place in the layer order ' +
      "(add it to LAYERS in scripts/check_layers.ts)",
    ]);
    assert.deepEqual(
      checkSource("api/x.ts", 'import { VERSION } from "../../mod.ts";').map((v) => v.message),
      ["imports ../../mod.ts from outside src/"],
    );
  });

  it("lists each folder and root file of src/ once in the layer order, and nothing else", () => {
    const entries = readdirSync(new URL("../src", import.meta.url))
      .filter((name) => !name.includes(".") || name.endsWith(".ts"));
    assert.deepEqual([...LAYERS].sort(), entries.sort());
  });

  it("lets only src/api/ui/_graph.ts import @dagrejs/dagre", () => {
    const source = 'import dagre from "@dagrejs/dagre";';
    assert.deepEqual(checkSource("api/ui/_graph.ts", source), []);
    assert.deepEqual(
      checkSource("api/ui/_run_pages.ts", source).map((v) => v.message.split(" (")[0]),
      ["imports @dagrejs/dagre"],
    );
  });
});
