import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_SETTINGS, ENGINE_SETTING_KEYS, readSettings } from "../src/settings.ts";
import { ConfigError } from "../src/errors.ts";
import { createApi } from "../src/api/app.ts";
import { createMemoryRuntime } from "../src/runtime/memory.ts";
import { MemoryTraceStore } from "../src/results/memory_trace_store.ts";
import { engineFor, runCliCaptured, runtimeWithEnv } from "./_helpers.ts";

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

describe("readSettings(): the log and API variables", () => {
  it("reads trace and audit stores, the trace level, OTel and the API variables", () => {
    const settings = readSettings(env({
      WORKFLOW_LOG_TRACE_ENABLE_WRITE: "true",
      WORKFLOW_LOG_AUDIT_URL: "memory:",
      WORKFLOW_LOG_TRACE_LEVEL: "DEBUG",
      WORKFLOW_LOG_OTEL: "false",
      WORKFLOW_API_PREFIX_PATH: "/wf",
      WORKFLOW_API_TOKEN: "t0ken",
      WORKFLOW_API_ENABLE_JOB_EXECUTE: "yes",
    }));
    assert.equal(settings.traceUrl, "./logs");
    assert.equal(settings.auditUrl, "memory:");
    assert.equal(settings.traceLevel, "debug");
    assert.equal(settings.telemetry, false);
    assert.equal(settings.apiPrefix, "/wf");
    assert.equal(settings.apiToken, "t0ken");
    assert.equal(settings.apiEnableJobExecute, true);
  });

  it("reads and checks only the settings asked for", () => {
    const settings = readSettings(
      env({ WORKFLOW_API_ENABLE_JOB_EXECUTE: "sure", WORKFLOW_CORE_MAX_JOB_PARALLEL: "6" }),
      {},
      { keys: ENGINE_SETTING_KEYS },
    );
    assert.equal(settings.maxJobParallel, 6);
    assert.equal("apiEnableJobExecute" in settings, false);
  });
});

describe("readSettings(): values given in code", () => {
  it("refuses a bad value passed in code with a ConfigError naming the option", () => {
    assert.throws(() => readSettings(env({}), { maxJobParallel: -1 }), {
      name: "ConfigError",
      message: "settings.maxJobParallel=-1 must be a whole number >= 1",
    });
    assert.throws(() => readSettings(env({}), { timezone: "Mars/Olympus" }), {
      name: "ConfigError",
      message: /^settings\.timezone="Mars\/Olympus" is not an IANA time zone/,
    });
    assert.throws(() => readSettings(env({}), { runPermissions: ["--allow-all"] }), {
      name: "ConfigError",
      message: /^settings\.runPermissions=\["--allow-all"\]: "--allow-all" is not a Deno/,
    });
    assert.throws(() => readSettings(env({}), { traceUrl: "redis://x" }), {
      name: "ConfigError",
      message: /^settings\.traceUrl: unsupported store URL scheme 'redis:'/,
    });
  });

  it("names a bad token given in code without showing it", () => {
    const token = 12345 as unknown as string;
    assert.throws(() => readSettings(env({}), { apiToken: token }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, "settings.apiToken must be a string, got number");
      return true;
    });
  });

  it("ignores an invalid environment value that code overrides", () => {
    const settings = readSettings(
      env({
        WORKFLOW_CORE_MAX_JOB_PARALLEL: "abc",
        WORKFLOW_CORE_TIMEZONE: "Mars/Olympus",
        WORKFLOW_LOG_TRACE_URL: "redis://x",
        WORKFLOW_LOG_OTEL: "maybe",
        WORKFLOW_API_ENABLE_JOB_EXECUTE: "sure",
      }),
      {
        maxJobParallel: 2,
        timezone: "Asia/Bangkok",
        traceUrl: null,
        telemetry: false,
        apiEnableJobExecute: false,
      },
    );
    assert.equal(settings.maxJobParallel, 2);
    assert.equal(settings.timezone, "Asia/Bangkok");
    assert.equal(settings.traceUrl, null);
    assert.equal(settings.telemetry, false);
    assert.equal(settings.apiEnableJobExecute, false);
  });

  it("lists every bad value from the environment and from code in one error", () => {
    assert.throws(
      () =>
        readSettings(
          env({
            WORKFLOW_CORE_TIMEZONE: "Mars/Olympus",
            WORKFLOW_LOG_TRACE_LEVEL: "verbose",
            WORKFLOW_LOG_OTEL: "maybe",
            WORKFLOW_API_ENABLE_JOB_EXECUTE: "sure",
          }),
          { maxCombinations: 0, runDefaultLang: "ruby" as "python", telemetry: undefined },
        ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.message.split("\n"), [
          'WORKFLOW_CORE_TIMEZONE="Mars/Olympus" is not an IANA time zone (e.g. UTC, Asia/Bangkok)',
          "settings.maxCombinations=0 must be a whole number >= 1",
          'settings.runDefaultLang="ruby" must be javascript or python',
          "WORKFLOW_LOG_TRACE_LEVEL: 'verbose' is not a trace level: use debug, info, warning or error",
          "WORKFLOW_LOG_OTEL must be true or false, got 'maybe'",
          "WORKFLOW_API_ENABLE_JOB_EXECUTE: 'sure' is not a boolean: use true or false (also yes/no, 1/0)",
        ]);
        return true;
      },
    );
  });
});

describe("Engine.create() and createApi(): code wins over the environment", () => {
  it("Engine.create() refuses settings.maxJobParallel=-1, naming the option", async () => {
    await assert.rejects(
      engineFor("{}", {
        runtime: createMemoryRuntime(),
        settings: { maxJobParallel: -1 },
        traceLevel: "loud" as "info",
      }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.message.split("\n"), [
          "settings.maxJobParallel=-1 must be a whole number >= 1",
          'traceLevel="loud" is not a trace level: use debug, info, warning or error',
        ]);
        return true;
      },
    );
  });

  it("Engine.create() ignores bad variables that its options override", async () => {
    const engine = await engineFor("{}", {
      runtime: createMemoryRuntime({
        env: {
          WORKFLOW_CORE_MAX_JOB_PARALLEL: "abc",
          WORKFLOW_LOG_TRACE_LEVEL: "verbose",
          WORKFLOW_LOG_OTEL: "maybe",
          WORKFLOW_LOG_TRACE_URL: "redis://x",
        },
      }),
      settings: { maxJobParallel: 3 },
      traceLevel: "debug",
      telemetry: false,
      traces: new MemoryTraceStore(),
    });
    assert.equal(engine.settings.maxJobParallel, 3);
    assert.equal(engine.settings.traceLevel, "debug");
    assert.equal(engine.telemetry, false);
    await engine.close();
  });

  it("createApi() refuses a bad option naming it, and ignores the variable it overrides", async () => {
    const engine = await engineFor("{}", {
      runtime: createMemoryRuntime({ env: { WORKFLOW_API_ENABLE_JOB_EXECUTE: "sure" } }),
    });
    assert.throws(
      () => createApi(engine, { enableJobExecute: "yes" as unknown as boolean, prefix: "/x" }),
      { name: "ConfigError", message: 'options.enableJobExecute="yes" must be true or false' },
    );
    const api = createApi(engine, { enableJobExecute: false, token: "" });
    assert.equal(api.jobExecuteEnabled, false);
    await api.close();
    await engine.close();
  });
});

describe("readSettings(): run records and recovery", () => {
  it("keeps no run records and resumes orphans by default", () => {
    const settings = readSettings(env({}));
    assert.equal(settings.runUrl, null);
    assert.equal(settings.recover, "resume");
  });

  it("reads WORKFLOW_LOG_RUN_* like the trace and audit stores, and WORKFLOW_CORE_RECOVER", () => {
    assert.equal(readSettings(env({ WORKFLOW_LOG_RUN_ENABLE_WRITE: "true" })).runUrl, "./runs");
    assert.equal(
      readSettings(env({ WORKFLOW_LOG_RUN_ENABLE_WRITE: "1", WORKFLOW_LOG_RUN_PATH: "/var/runs" }))
        .runUrl,
      "/var/runs",
    );
    assert.equal(
      readSettings(env({ WORKFLOW_LOG_RUN_URL: "sqlite:./wf.db" })).runUrl,
      "sqlite:./wf.db",
    );
    assert.equal(readSettings(env({ WORKFLOW_CORE_RECOVER: "fail" })).recover, "fail");
    assert.equal(readSettings(env({}), { recover: "fail" }).recover, "fail");
  });

  it("refuses a bad recover value or run store URL, naming the variable, and the CLI exits 2", async () => {
    assert.throws(
      () =>
        readSettings(env({ WORKFLOW_CORE_RECOVER: "retry", WORKFLOW_LOG_RUN_URL: "redis://x" })),
      (error: unknown) =>
        error instanceof ConfigError && error.issues.length === 2 &&
        /WORKFLOW_CORE_RECOVER="retry" must be resume \(run it on from its last finished job\) or fail/
          .test(error.message) &&
        /unsupported store URL scheme 'redis:'/.test(error.message),
    );
    assert.throws(
      // @ts-expect-error: a bad value from JavaScript
      () => readSettings(env({}), { recover: "later" }),
      /settings.recover="later" must be resume/,
    );
    const root = new URL("..", import.meta.url).pathname;
    const { code, stderr } = await runCliCaptured(
      ["schedule", "--once", "--conf", `${root}conf`],
      runtimeWithEnv({ WORKFLOW_CORE_RECOVER: "sometimes" }),
    );
    assert.equal(code, 2);
    assert.match(stderr, /WORKFLOW_CORE_RECOVER="sometimes" must be resume/);
  });
});
