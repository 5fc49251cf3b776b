import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { runCli } from "../../src/cli/run_cli.ts";
import type { CliHost } from "../../src/cli/_shared.ts";
import { cliCommand } from "../../src/cli/_host.ts";

const runtime = detectRuntime();

async function init(host: CliHost): Promise<{ dir: string; stdout: string; code: number }> {
  const dir = `/tmp/wf-init-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  let stdout = "";
  const code = await runCli(["init", dir], {
    runtime,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stdout += t),
    host,
  });
  return { dir, stdout, code };
}

describe("workflow init on the host that runs it", () => {
  it("writes a JavaScript task module in a module scope where TypeScript cannot load", async () => {
    const { dir, stdout, code } = await init({
      command: "npx @ddeutil/workflow",
      canImportTypeScript: () => false,
      needsModuleScope: true,
    });
    try {
      assert.equal(code, 0);
      assert.match(stdout, /created {2}.*\/tasks\/mod\.js\n/);
      assert.doesNotMatch(stdout, /mod\.ts/);
      assert.deepEqual(JSON.parse(await runtime.fs.readText(`${dir}/tasks/package.json`)), {
        type: "module",
      });
      assert.match(
        await runtime.fs.readText(`${dir}/tasks/mod.js`),
        /this folder's tasks\/mod\.js/,
      );
      assert.match(
        stdout,
        new RegExp(
          `^next: npx @ddeutil/workflow validate --conf ${dir}/conf && ` +
            `npx @ddeutil/workflow run hello --conf ${dir}/conf$`,
          "m",
        ),
      );
    } finally {
      await runtime.fs.remove(dir);
    }
  });

  it("writes a TypeScript task module without a package.json where both load (Deno)", async () => {
    const { dir, stdout } = await init({
      command: "deno run -A jsr:@ddeutil/workflow",
      canImportTypeScript: () => true,
      needsModuleScope: false,
    });
    try {
      assert.match(stdout, /created {2}.*\/tasks\/mod\.ts\n/);
      assert.equal(await runtime.fs.stat(`${dir}/tasks/package.json`), null);
      assert.match(stdout, /^next: deno run -A jsr:@ddeutil\/workflow validate --conf /m);
    } finally {
      await runtime.fs.remove(dir);
    }
  });

  it("names the command that started this process, relative to the working folder", () => {
    const command = cliCommand("/nowhere");
    const host = runtime.name;
    assert.ok(command.startsWith(host === "deno" ? "deno run -A " : `${host} `), command);
  });
});
