/**
 * The public API is what ARCHITECTURE.md lists: each entry point exports exactly the values its
 * row of the "Entry points" table names, so an internal that leaks into an entry, or a listed
 * name that disappears, fails here.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const architecture = readFileSync(new URL("../ARCHITECTURE.md", import.meta.url), "utf8");

/** The names in backticks of the "values" cell of the table row whose entry is `entry`. */
function documentedValues(entry: string): { names: string[]; withCore: boolean } {
  const row = architecture.split("\n").find((line) => line.startsWith(`| \`${entry}\` `));
  assert.ok(row, `ARCHITECTURE.md has no entry-point row for ${entry}`);
  const cell = row.split("|")[3];
  return {
    names: [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((name) => name !== "/core"),
    withCore: cell.includes("everything in `/core`"),
  };
}

const ENTRIES: Record<string, () => Promise<Record<string, unknown>>> = {
  "@ddeutil/workflow/core": () => import("../core.ts"),
  "@ddeutil/workflow": () => import("../mod.ts"),
  "@ddeutil/workflow/events": () => import("../events.ts"),
  "@ddeutil/workflow/stores": () => import("../stores.ts"),
  "@ddeutil/workflow/scheduler": () => import("../scheduler.ts"),
  "@ddeutil/workflow/testing": () => import("../testing.ts"),
};

describe("public API", () => {
  for (const [entry, load] of Object.entries(ENTRIES)) {
    it(`${entry} exports exactly the values ARCHITECTURE.md lists`, async () => {
      const { names, withCore } = documentedValues(entry);
      const expected = new Set(names);
      if (withCore) {
        for (const name of documentedValues("@ddeutil/workflow/core").names) expected.add(name);
      }
      assert.deepEqual(Object.keys(await load()).sort(), [...expected].sort());
    });
  }

  it("keeps the run machinery out of the root", async () => {
    const root = await import("../mod.ts");
    for (
      const name of ["executeWorkflow", "hashId", "newRunId", "readSettings", "render", "runCli"]
    ) {
      assert.ok(!(name in root), `${name} is exported from the root`);
    }
  });

  it("gives each thing one public name", async () => {
    const named = new Map<unknown, string>();
    for (const [entry, load] of Object.entries(ENTRIES)) {
      if (entry === "@ddeutil/workflow") continue; // it re-exports /core under the same names
      for (const [name, value] of Object.entries(await load())) {
        const seen = named.get(value);
        assert.equal(seen, undefined, `${entry} exports ${name}, which is also ${seen}`);
        named.set(value, `${entry}'s ${name}`);
      }
    }
  });
});
