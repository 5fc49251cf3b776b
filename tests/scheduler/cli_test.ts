import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime } from "../../src/runtime/mod.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { runCliCaptured, runtimeWithEnv } from "../_helpers.ts";

const real = detectRuntime();

const withEnv = (env: Record<string, string>) => runtimeWithEnv(env, real);
const cli = (args: string[], runtime: Runtime = real) => runCliCaptured(args, runtime);

const YAML = `
wf-nightly:
  type: Workflow
  params: {asat: {type: datetime}}
  on: [{cronjob: "30 2 * * *", timezone: America/New_York}]
  jobs:
    j: {stages: [{name: s, echo: "at \${{ params.asat }}"}]}
wf-minutely:
  type: Workflow
  jobs:
    j: {stages: [{name: s, echo: "tick"}]}
every-minute:
  type: Schedule
  workflows:
    - name: wf-minutely
      alias: minutely
      on: [{cronjob: "* * * * *"}]
`;

async function confDir(): Promise<string> {
  const dir = `/tmp/wf-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await real.fs.mkdir(`${dir}/conf`);
  await real.fs.writeText(`${dir}/conf/sched.yml`, YAML);
  return dir;
}

describe("workflow release / schedule / next", () => {
  it("releases once per date with a file audit store, skips the duplicate and forces it", async () => {
    const dir = await confDir();
    const runtime = withEnv({
      WORKFLOW_LOG_AUDIT_ENABLE_WRITE: "true",
      WORKFLOW_LOG_AUDIT_PATH: `${dir}/audits`,
    });
    const args = [
      "release",
      "wf-nightly",
      "--conf",
      `${dir}/conf`,
      "--date",
      "2026-03-08T07:00:00Z",
      "-p",
      "asat=${{ release.logical_date }}",
    ];
    const first = await cli(args, runtime);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /audit store from WORKFLOW_LOG_AUDIT_\*/);
    assert.match(
      first.stdout,
      /SUCCESS wf-nightly @ 2026-03-08 07:00:00 UTC \(2026-03-08T07:00:00Z\) run \S+/,
    );
    const second = await cli(args, runtime);
    assert.equal(second.code, 0);
    assert.match(
      second.stdout,
      /skipped: release wf-nightly @ 2026-03-08T07:00:00Z already ran \(run \S+, SUCCESS\)/,
    );
    const forced = await cli([...args, "--force", "--json"], runtime);
    assert.equal(forced.code, 0, forced.stderr);
    const json = JSON.parse(forced.stdout);
    assert.equal(json.status, "SUCCESS");
    assert.equal(json.type, "force");
    assert.equal(json.logical_date, "2026-03-08T07:00:00Z");
    assert.equal(json.result.context.params.asat, "2026-03-08T07:00:00.000Z");
    await real.fs.remove(dir);
  });

  it("says when audits are kept in memory only, and rejects bad usage with exit 2", async () => {
    const dir = await confDir();
    const conf = `${dir}/conf`;
    const dry = await cli(
      [
        "release",
        "wf-nightly",
        "--conf",
        conf,
        "--date",
        "2026-03-08",
        "--dry-run",
        "-p",
        "asat=2026-01-01",
      ],
      withEnv({ WORKFLOW_LOG_AUDIT_ENABLE_WRITE: "false" }),
    );
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^audits in memory only/);
    assert.match(dry.stdout, /\[dryrun\]/);
    const noDate = await cli(["release", "wf-nightly", "--conf", conf]);
    assert.equal(noDate.code, 2);
    assert.match(noDate.stderr, /error: release needs --date ISO/);
    const badDate = await cli(["release", "wf-nightly", "--conf", conf, "--date", "yesterday"]);
    assert.equal(badDate.code, 2);
    assert.match(badDate.stderr, /--date expects an ISO date .* got 'yesterday'/);
    const both = await cli([
      "release",
      "wf-nightly",
      "--conf",
      conf,
      "--date",
      "2026-03-08",
      "--force",
      "--dry-run",
    ]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /choose one of --force, --rerun, --dry-run/);
    await real.fs.remove(dir);
  });

  it("previews the next fire times in local time and UTC across a DST change", async () => {
    const dir = await confDir();
    const { code, stdout } = await cli([
      "next",
      "wf-nightly",
      "--conf",
      `${dir}/conf`,
      "-n",
      "3",
      "--from",
      "2026-03-07T00:00:00Z",
    ]);
    assert.equal(code, 0);
    assert.deepEqual(stdout.trim().split("\n").map((l) => l.trim().replace(/\s+/g, " ")), [
      "wf-nightly: next 3 fire times",
      "2026-03-07 02:30:00 EST 2026-03-07T07:30:00Z 30 2 * * * (America/New_York)",
      "2026-03-08 03:00:00 EDT 2026-03-08T07:00:00Z 30 2 * * * (America/New_York)",
      "2026-03-09 02:30:00 EDT 2026-03-09T06:30:00Z 30 2 * * * (America/New_York)",
    ]);
    const json = await cli([
      "next",
      "every-minute",
      "--conf",
      `${dir}/conf`,
      "-n",
      "2",
      "--from",
      "2026-01-01T00:00:30Z",
      "--json",
    ]);
    assert.deepEqual(
      JSON.parse(json.stdout).map((r: { name: string; utc: string }) => [r.name, r.utc]),
      [
        ["minutely", "2026-01-01T00:01:00Z"],
        ["minutely", "2026-01-01T00:02:00Z"],
      ],
    );
    await real.fs.remove(dir);
  });

  it("runs one scheduler tick with --once and prints each decision as a line", async () => {
    const dir = await confDir();
    const { code, stdout, stderr } = await cli([
      "schedule",
      "--once",
      "--names",
      "every-minute",
      "--conf",
      `${dir}/conf`,
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /scheduled minutely -> wf-minutely: \* \* \* \* \* \(UTC\)/);
    assert.match(stdout, /\S+Z fired\s+minutely @ \S+:00Z: due\n/);
    assert.match(stdout, /\S+Z ended\s+minutely @ \S+:00Z: SUCCESS run \S+\n/);
    assert.match(stdout, /stopped: 1 released \(1 fired\)\n$/);
    const past = await cli(["schedule", "--stop", "2020-01-01T00:00:00Z", "--conf", `${dir}/conf`]);
    assert.equal(past.code, 0, past.stderr);
    assert.match(past.stdout, /stopped: 0 released\n$/);
    await real.fs.remove(dir);
  });
});
