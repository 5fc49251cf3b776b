/**
 * The command line loads the full YAML parser (the `yaml` package) only when a config file
 * needs it. A fresh `workflow` process must still print exactly what the library prints with
 * the full parser loaded: every message, file:line:col and path, for plain and broken folders.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { cliCommand, runCliCaptured } from "../_helpers.ts";
import "../../src/config/yaml_full.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const [command, ...prefix] = cliCommand();

function fresh(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, [...prefix, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the full YAML parser on demand", () => {
  for (
    const folder of [
      "tests/fixtures/config/hostile", // anchors, alias bombs, syntax errors, duplicate keys
      "tests/fixtures/config/valid", // anchors and merge keys, no problems
      "conf", // the plain layout only: never needs the full parser
    ]
  ) {
    it(`workflow validate --conf ${folder} prints the same in a fresh process`, async () => {
      const args = ["validate", "--conf", `${root}/${folder}`];
      const inProcess = await runCliCaptured(args);
      const child = fresh(args);
      assert.equal(child.stderr, inProcess.stderr);
      assert.equal(child.stdout, inProcess.stdout);
      assert.equal(child.code, inProcess.code);
    });
  }

  it("workflow run of a plain folder succeeds; of a broken file, names the YAML problem", async () => {
    const ok = fresh(["run", "demo-hello", "--conf", `${root}/conf`, "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).status, "SUCCESS");
    const args = ["run", "wf-dup-keys", "--conf", `${root}/tests/fixtures/config/hostile`];
    const broken = fresh(args);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /dup_keys\.yml:6:5: duplicate key 'a'/);
    assert.equal(broken.stderr, (await runCliCaptured(args)).stderr);
  });
});
