import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkLayers, checkSource } from "../scripts/check_layers.ts";

describe("layer check", () => {
  it("finds no violations in the real src/ tree", () => {
    const violations = checkLayers(new URL("../src", import.meta.url));
    assert.deepEqual(
      violations.map((v) => `src/${v.file}:${v.line}: ${v.message}`),
      [],
    );
  });

  it("reports each violation of the fixture tree by file and line, ignoring comments", () => {
    const found = checkLayers(new URL("./fixtures/layers/src", import.meta.url)).map((v) =>
      `${v.file}:${v.line} ${v.message.split(" (")[0]}`
    );
    assert.deepEqual(found, [
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

  it("lets only src/api/ui/_graph.ts import @dagrejs/dagre", () => {
    const source = 'import dagre from "@dagrejs/dagre";';
    assert.deepEqual(checkSource("api/ui/_graph.ts", source), []);
    assert.deepEqual(
      checkSource("api/ui/_run_pages.ts", source).map((v) => v.message.split(" (")[0]),
      ["imports @dagrejs/dagre"],
    );
  });
});
