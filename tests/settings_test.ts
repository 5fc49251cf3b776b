import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_SETTINGS, readSettings } from "../src/settings.ts";
import { ConfigError } from "../src/errors.ts";
import { runCliCaptured, runtimeWithEnv } from "./_helpers.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

describe("readSettings()", () => {
  it("returns the defaults when nothing is set", () => {
    assert.deepEqual(readSettings(env({})), DEFAULT_SETTINGS);
  });

  it("reads every WORKFLOW_CORE_* variable", () => {
    const settings = readSettings(env({
      WORKFLOW_CORE_CONF_PATH: "/srv/conf",
      WORKFLOW_CORE_TIMEZONE: "Asia/Bangkok",
      WORKFLOW_CORE_REGISTRY_CALLER: "./a, ./b",
      WORKFLOW_CORE_MAX_JOB_PARALLEL: "8",
      WORKFLOW_CORE_MAX_MATRIX_COMBINATIONS: "1000",
      WORKFLOW_CORE_RUN_DEFAULT_LANG: "python",
    }));
    assert.equal(settings.confPath, "/srv/conf");
    assert.equal(settings.timezone, "Asia/Bangkok");
    assert.deepEqual(settings.registryCaller, ["./a", "./b"]);
    assert.equal(settings.maxJobParallel, 8);
    assert.equal(settings.maxCombinations, 1000);
    assert.equal(settings.runDefaultLang, "python");
  });

  it("lets options in code override the environment", () => {
    const settings = readSettings(env({ WORKFLOW_CORE_MAX_JOB_PARALLEL: "8" }), {
      maxJobParallel: 2,
    });
    assert.equal(settings.maxJobParallel, 2);
  });

  it("rejects every bad value at once, naming each variable", () => {
    assert.throws(
      () =>
        readSettings(env({
          WORKFLOW_CORE_MAX_JOB_PARALLEL: "abc",
          WORKFLOW_CORE_TIMEZONE: "Mars/Olympus",
          WORKFLOW_CORE_RUN_DEFAULT_LANG: "ruby",
        })),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.issues.length === 3 &&
        /WORKFLOW_CORE_MAX_JOB_PARALLEL="abc" must be a whole number >= 1/.test(error.message) &&
        /WORKFLOW_CORE_TIMEZONE="Mars\/Olympus" is not an IANA time zone/.test(error.message) &&
        /WORKFLOW_CORE_RUN_DEFAULT_LANG="ruby" must be javascript or python/.test(error.message),
    );
  });

  it("makes the CLI refuse to start with a bad value (exit 2)", async () => {
    const root = new URL("..", import.meta.url).pathname;
    const { code, stderr } = await runCliCaptured(
      ["run", "demo-hello", "--conf", `${root}conf`],
      runtimeWithEnv({ WORKFLOW_CORE_MAX_JOB_PARALLEL: "abc" }),
    );
    assert.equal(code, 2);
    assert.match(stderr, /WORKFLOW_CORE_MAX_JOB_PARALLEL="abc" must be a whole number >= 1/);
  });
});

describe("readSettings(): WORKFLOW_CORE_RUN_PERMISSIONS", () => {
  const read = (value: string) =>
    readSettings(env({ WORKFLOW_CORE_RUN_PERMISSIONS: value })).runPermissions;

  it("is all (the engine's own permissions) by default", () => {
    assert.equal(readSettings(env({})).runPermissions, "all");
  });

  it("turns permission names into Deno flags and keeps literal flags", () => {
    assert.deepEqual(read("read,env"), ["--allow-read", "--allow-env"]);
    assert.deepEqual(read("--allow-read=/data,/tmp --allow-env=HOME net"), [
      "--allow-read=/data,/tmp",
      "--allow-env=HOME",
      "--allow-net",
    ]);
    assert.deepEqual(read("none"), []);
  });

  it("rejects an unknown permission with a ConfigError naming the variable", () => {
    assert.throws(() => read("read,disk"), {
      name: "ConfigError",
      message: /WORKFLOW_CORE_RUN_PERMISSIONS: "disk" is not a permission name; use all, none/,
    });
    assert.throws(() => read("--allow-all"), {
      name: "ConfigError",
      message:
        /WORKFLOW_CORE_RUN_PERMISSIONS: "--allow-all" is not a Deno --allow-<permission> flag/,
    });
  });
});
