import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { runCliCaptured } from "../_helpers.ts";

const real = detectRuntime();

const OWN_ON_ONLY = `
wf-own:
  type: Workflow
  on: [{cronjob: "* * * * *"}]
  jobs:
    j: {stages: [{name: s, echo: "tick"}]}
`;

const WITH_SCHEDULE = `${OWN_ON_ONLY}
wf-plain:
  type: Workflow
  jobs:
    j: {stages: [{name: s, echo: "plain"}]}
every-minute:
  type: Schedule
  workflows:
    - name: wf-plain
      alias: plain
      on: [{cronjob: "* * * * *"}]
`;

async function confDir(yaml: string): Promise<string> {
  const dir = `/tmp/wf-sched-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await real.fs.writeText(`${dir}/conf/wf.yml`, yaml, { createDirs: true });
  return dir;
}

describe("workflow schedule and workflows' own on:", () => {
  it("releases a workflow on its own on: without any type: Schedule template", async () => {
    const dir = await confDir(OWN_ON_ONLY);
    try {
      const out = await runCliCaptured(["schedule", "--once", "--conf", `${dir}/conf`], real);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /scheduled wf-own -> wf-own: \* \* \* \* \* \(UTC\)/);
      assert.match(out.stdout, /\S+Z ended\s+wf-own @ \S+:00Z: SUCCESS run \S+\n/);
      assert.match(out.stdout, /stopped: 1 released/);
    } finally {
      await real.fs.remove(dir);
    }
  });

  it("leaves workflows' own on: out with --no-workflows, and says so", async () => {
    const dir = await confDir(OWN_ON_ONLY);
    try {
      const out = await runCliCaptured(
        ["schedule", "--once", "--no-workflows", "--conf", `${dir}/conf`],
        real,
      );
      assert.equal(out.code, 0, out.stderr);
      assert.doesNotMatch(out.stdout, /scheduled wf-own/);
      assert.match(out.stdout, /nothing to schedule: .*workflows' own 'on:' are off/);
    } finally {
      await real.fs.remove(dir);
    }
  });

  it("runs schedules and own on: together, and only the named schedules with --names", async () => {
    const dir = await confDir(WITH_SCHEDULE);
    try {
      const both = await runCliCaptured(
        ["schedule", "--stop", "2020-01-01T00:00:00Z", "--conf", `${dir}/conf`],
        real,
      );
      assert.equal(both.code, 0, both.stderr);
      assert.match(both.stdout, /scheduled plain -> wf-plain/);
      assert.match(both.stdout, /scheduled wf-own -> wf-own/);
      const named = await runCliCaptured(
        [
          "schedule",
          "--stop",
          "2020-01-01T00:00:00Z",
          "--names",
          "every-minute",
          "--conf",
          `${dir}/conf`,
        ],
        real,
      );
      assert.match(named.stdout, /scheduled plain -> wf-plain/);
      assert.doesNotMatch(named.stdout, /scheduled wf-own/);
      const conflict = await runCliCaptured(
        ["schedule", "--workflows", "--no-workflows", "--conf", `${dir}/conf`],
        real,
      );
      assert.equal(conflict.code, 2);
      assert.match(conflict.stderr, /choose one of --workflows and --no-workflows/);
    } finally {
      await real.fs.remove(dir);
    }
  });
});
