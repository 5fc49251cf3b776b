/**
 * The commands' option parser reads arguments the way `node:util` `parseArgs` (strict, with
 * positionals) does, and says what is wrong, in its own words, where `parseArgs` throws.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { type OptionSpec, parseCommandArgs } from "../../src/cli/_args.ts";
import { UsageError } from "../../src/cli/_shared.ts";
import { runCliCaptured } from "../_helpers.ts";

const SPEC: OptionSpec = {
  param: { type: "string", short: "p", multiple: true },
  params: { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  limit: { type: "string", short: "n" },
};

/** What `node:util` makes of `args` with the same options, or its error. */
function reference(args: string[]): unknown {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { conf: { type: "string" }, help: { type: "boolean", short: "h" }, ...SPEC },
      allowPositionals: true,
      strict: true,
    });
    return { values: { ...values }, positionals };
  } catch {
    return "error";
  }
}

function ours(args: string[]): unknown {
  try {
    return parseCommandArgs(args, SPEC);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return "error";
  }
}

describe("parseCommandArgs()", () => {
  const lines: string[][] = [
    [],
    ["wf"],
    ["wf", "--json", "-v"],
    ["wf", "-p", "a=1", "-p", "b=2", "--param=c=3", "-pd=4"],
    ["--params", '{"a":1}', "wf"],
    ["--conf", "conf", "wf", "--conf=other"],
    ["--conf="],
    ["-vn3"],
    ["-nv"],
    ["-hv", "x"],
    ["--json", "--json"],
    ["a", "--json", "b"],
    ["-", "--json"],
    ["--", "--json", "-p"],
    ["wf", "--bogus"],
    ["-x"],
    ["-vx"],
    ["--no-json"],
    ["--conf"],
    ["wf", "-p"],
    ["--json=1"],
    ["--conf", "--json"],
    ["-p", "-v"],
    ["-n", "-"],
  ];
  for (const args of lines) {
    it(`reads ${JSON.stringify(args)} as node:util parseArgs does`, () => {
      assert.deepEqual(ours(args), reference(args));
    });
  }

  it("names the option and the fix in each usage error", () => {
    const message = (args: string[]) => {
      try {
        parseCommandArgs(args, SPEC);
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    assert.equal(
      message(["--bogus"]),
      `unknown option '--bogus' (a positional argument that starts with '-' goes after '--': ` +
        `-- "--bogus")`,
    );
    assert.equal(message(["-vx"]).split(" (")[0], "unknown option '-x'");
    assert.equal(message(["wf", "-p"]), "option '-p, --param <value>' needs a value");
    assert.equal(message(["--json=1"]), "option '--json' is a flag and takes no value");
    assert.equal(
      message(["--conf", "--json"]),
      "option '--conf' needs a value, but is followed by '--json'; " +
        "a value that starts with '-' goes after '=': '--conf=--json'",
    );
  });

  it("leaves the caller's options and arguments as they were", () => {
    const args = Object.freeze(["wf", "-p", "a=1"]);
    const spec = Object.freeze({ ...SPEC });
    assert.deepEqual(parseCommandArgs(args, spec).values, { param: ["a=1"] });
    assert.deepEqual(Object.keys(spec), Object.keys(SPEC));
  });

  it("a bad option is exit 2 with the message and the usage, and runs nothing", async () => {
    const out = await runCliCaptured(["run", "demo-hello", "--conf", "conf", "--jsn"]);
    assert.equal(out.code, 2);
    assert.equal(out.stdout, "");
    assert.match(out.stderr, /^error: unknown option '--jsn'/);
    assert.match(out.stderr, /Usage: workflow <command>/);
  });
});
