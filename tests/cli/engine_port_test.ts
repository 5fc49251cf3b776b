/**
 * The CLI knows an engine only through its `CliEngine` port: commands take their engine from
 * `io.createEngine` when given, and run on any object with the port's members.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../../src/cli/run_cli.ts";
import type { CliEngine, CliEngineFactory } from "../../src/cli/engine_port.ts";
import type { Engine } from "../../src/engine.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { engineFor } from "../_helpers.ts";

const YAML = `
typed:
  type: Workflow
  params:
    name: str
  jobs:
    a:
      stages:
        - name: show
          id: show
          echo: "hi \${{ params.name }}"
`;

/** A port holding just the members `CliEngine` names, each forwarding to `engine`. */
function forwardingPort(engine: Engine, calls: string[]): CliEngine {
  return {
    runtime: engine.runtime,
    settings: engine.settings,
    get config() {
      return engine.config;
    },
    filters: engine.filters,
    owner: engine.owner,
    events: engine.events,
    traces: engine.traces,
    audits: engine.audits,
    runs: engine.runs,
    workflow: (name) => engine.workflow(name),
    newRunId: (workflow) => engine.newRunId(workflow),
    execute(workflow, params, options) {
      calls.push(`execute:${typeof workflow === "string" ? workflow : workflow.name}`);
      return engine.execute(workflow, params, options);
    },
    runningIds: () => engine.runningIds(),
    traceBacklog: () => engine.traceBacklog(),
    tracesWritten: (runId) => engine.tracesWritten(runId),
    checkRunId: (runId) => engine.checkRunId(runId),
    checkHost: (workflows) => engine.checkHost(workflows),
    checkTasks: () => engine.checkTasks(),
    reloadConfig: (options) => engine.reloadConfig(options),
    close() {
      calls.push("close");
      return engine.close();
    },
  };
}

/** Runs the CLI with engines from the port factory; returns what it printed and the calls. */
async function cliOnPort(args: string[]) {
  const calls: string[] = [];
  const createEngine: CliEngineFactory = async (options) => {
    calls.push("create");
    return forwardingPort(await engineFor(YAML, { runtime: options.runtime }), calls);
  };
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    runtime: detectRuntime(),
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    createEngine,
  });
  return { code, stdout, stderr, calls };
}

describe("the CliEngine port", () => {
  it("`run` executes through an engine the io's factory made, then closes it", async () => {
    const { code, stdout, stderr, calls } = await cliOnPort([
      "run",
      "typed",
      "-p",
      "name=ann",
      "--json",
    ]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.status, "SUCCESS");
    assert.deepEqual(result.context.params, { name: "ann" });
    assert.equal(result.context.jobs.a.status, "SUCCESS");
    assert.deepEqual(calls, ["create", "execute:typed", "close"]);
  });

  it("`list` and `validate` read the port's config, not a folder", async () => {
    const list = await cliOnPort(["list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /typed/);
    assert.deepEqual(list.calls, ["create", "close"]);

    const validate = await cliOnPort(["validate"]);
    assert.equal(validate.code, 0, validate.stderr);
    assert.deepEqual(validate.calls, ["create", "close"]);
  });

  it("a bad param is refused before the port runs anything", async () => {
    const { code, stderr, calls } = await cliOnPort(["run", "typed", "-p", "nope=1"]);
    assert.equal(code, 2);
    assert.match(stderr, /nope/);
    assert.deepEqual(calls, ["create", "close"]);
  });
});
