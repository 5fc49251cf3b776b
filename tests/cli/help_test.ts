import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { runCliCaptured } from "../_helpers.ts";

/**
 * A runtime that records every file, environment, process and worker access, so a test can
 * assert that a command did nothing at all.
 */
function tripwireRuntime(): { runtime: Runtime; touched: string[] } {
  const base = createMemoryRuntime({ cwd: "/project" });
  const touched: string[] = [];
  const record = <T extends object>(area: string, target: T): T =>
    new Proxy(target, {
      get(object, key, receiver) {
        const value = Reflect.get(object, key, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          touched.push(`${area}.${String(key)}(${args.filter((a) => typeof a === "string")})`);
          return value.apply(object, args);
        };
      },
    });
  const runtime: Runtime = {
    name: base.name,
    clock: base.clock,
    cwd: () => base.cwd(),
    fs: record("fs", base.fs),
    env: record("env", base.env),
    spawn: record("spawn", base.spawn),
    workers: record("workers", base.workers),
  };
  return { runtime, touched };
}

/** Every command the top-level help lists. */
async function listedCommands(): Promise<string[]> {
  const { stdout } = await runCliCaptured(["help"], createMemoryRuntime());
  const section = stdout.split("Commands:\n")[1].split("\n\n")[0];
  return section.split("\n").map((line) => line.trim().split(/\s+/)[0]).filter(Boolean);
}

describe("workflow <command> --help", () => {
  it("lists every command in the top-level help", async () => {
    const commands = await listedCommands();
    for (const name of ["run", "init", "runs", "logs", "release", "schedule", "serve"]) {
      assert.ok(commands.includes(name), `${name} is listed in ${commands.join(", ")}`);
    }
  });

  it("prints only that command's usage, exits 0 and touches no file, env, process or worker", async () => {
    for (const command of await listedCommands()) {
      for (const flag of ["--help", "-h"]) {
        const { runtime, touched } = tripwireRuntime();
        const out = await runCliCaptured([command, flag], runtime);
        assert.equal(out.code, 0, `${command} ${flag}: ${out.stderr}`);
        assert.match(
          out.stdout,
          new RegExp(`^Usage: workflow ${command}\\b`),
          `${command} ${flag} prints its own usage`,
        );
        assert.doesNotMatch(out.stdout, /^Commands:/m, `${command} ${flag} is not the global help`);
        assert.equal(out.stderr, "");
        assert.deepEqual(touched, [], `${command} ${flag} touched nothing`);
      }
    }
  });

  it("answers init --help without creating the starter files", async () => {
    const { runtime, touched } = tripwireRuntime();
    const out = await runCliCaptured(["init", "--help"], runtime);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /^Usage: workflow init \[DIR\]/);
    assert.doesNotMatch(out.stdout, /created/);
    assert.equal(await runtime.fs.stat("/project/conf/examples/hello.yml"), null);
    assert.equal(touched.filter((t) => t.startsWith("fs.writeText")).length, 0);
  });

  it("answers --help given after other arguments, and treats --help after -- as an argument", async () => {
    const { runtime, touched } = tripwireRuntime();
    const out = await runCliCaptured(["run", "some-workflow", "-p", "a=1", "--help"], runtime);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /^Usage: workflow run <name>/);
    assert.deepEqual(touched, []);
    const after = await runCliCaptured(["init", "--", "--help"], createMemoryRuntime());
    assert.doesNotMatch(after.stdout, /^Usage:/);
    assert.match(after.stdout, /created {2}--help\/conf\/examples\/hello.yml/);
  });
});
