/**
 * Settings of every entry point, from `WORKFLOW_*` environment variables and
 * options given in code, merged (code wins) and validated once as a whole: a
 * bad value from either source is a clear error naming where it came from,
 * never a silent default.
 *
 * @module
 */

import { ConfigError, type ConfigIssue } from "./errors.ts";
import { LOG_LEVELS, type LogLevel } from "./executor/events.ts";
import {
  parseStoreUrl,
  STORE_URL_ENV,
  storeUrlEnvName,
  storeUrlFromEnv,
} from "./results/stores.ts";
import { isTimeZone } from "./template/zoned_time.ts";
import { parseBooleanWord, readBooleanSetting } from "./util/bool.ts";
import { parseRunPermissions, RUN_PERMISSIONS_HINT } from "./worker/permissions.ts";

/** Settings every entry point (library, CLI, API, scheduler) shares. */
export interface Settings {
  /** `WORKFLOW_CORE_CONF_PATH` @default "./conf" */
  readonly confPath: string;
  /** `WORKFLOW_CORE_TIMEZONE` (IANA) @default "UTC" */
  readonly timezone: string;
  /** `WORKFLOW_CORE_REGISTRY_CALLER` (comma list) @default ["."] */
  readonly registryCaller: readonly string[];
  /** `WORKFLOW_CORE_REGISTRY_FILTER` (comma list of modules exporting filters) @default [] */
  readonly registryFilter: readonly string[];
  /** `WORKFLOW_CORE_MAX_JOB_PARALLEL` @default 4 */
  readonly maxJobParallel: number;
  /** `WORKFLOW_CORE_MAX_CRON_PER_WORKFLOW` @default 5 */
  readonly maxCronPerWorkflow: number;
  /** `WORKFLOW_CORE_MAX_MATRIX_COMBINATIONS` @default 256 */
  readonly maxCombinations: number;
  /** `WORKFLOW_CORE_RUN_DEFAULT_LANG` @default "javascript" */
  readonly runDefaultLang: "javascript" | "python";
  /** `WORKFLOW_CORE_SECRET_ENV` (comma list of env names whose `${VAR}` values are masked, on
   * top of names containing TOKEN, SECRET, PASSWORD, PASSWD, PASS, KEY, CREDENTIAL, AUTH or
   * PRIVATE) @default [] */
  readonly secretEnv: readonly string[];
  /** `WORKFLOW_CORE_RUN_PERMISSIONS`: Deno `--allow-*` flags for JavaScript `run:` stages, or
   * `"all"` for the engine's own permissions. Only Deno enforces it. @default "all" */
  readonly runPermissions: readonly string[] | "all";
  /** `WORKFLOW_STORE_URL`: the URL of every store whose own URL is not set (e.g.
   * `postgres://user:password@host/db` for traces, audits and run records in one database).
   * Given in code, it stands for `traceUrl`, `auditUrl` and `runUrl` where those are not given
   * in code. @default null */
  readonly storeUrl: string | null;
  /** Where traces are written (a folder, `memory:`, `sqlite:<file>` or `postgres://…`), `null`
   * for nowhere: `WORKFLOW_LOG_TRACE_ENABLE_WRITE` (on by default when a URL is set),
   * `WORKFLOW_LOG_TRACE_URL`, else `WORKFLOW_STORE_URL`, else `WORKFLOW_LOG_TRACE_PATH`
   * (`./logs`). @default null */
  readonly traceUrl: string | null;
  /** Where release audits are written, `null` for nowhere: `WORKFLOW_LOG_AUDIT_ENABLE_WRITE`,
   * `WORKFLOW_LOG_AUDIT_URL`, else `WORKFLOW_STORE_URL`, else `WORKFLOW_LOG_AUDIT_PATH`
   * (`./audits`). @default null */
  readonly auditUrl: string | null;
  /** Where run records are kept (a folder, `memory:`, `sqlite:<file>` or `postgres://…`),
   * `null` for nowhere: `WORKFLOW_LOG_RUN_ENABLE_WRITE` (on by default when a URL is set),
   * `WORKFLOW_LOG_RUN_URL`, else `WORKFLOW_STORE_URL`, else `WORKFLOW_LOG_RUN_PATH` (`./runs`). With a run store, a run
   * whose process died is recovered when `serve` or `schedule` starts. @default null */
  readonly runUrl: string | null;
  /** `WORKFLOW_CORE_RECOVER`: what happens to a recorded run whose owner process ended:
   * `resume` it from its last finished job, or end it FAILED ("owner process ended").
   * @default "resume" */
  readonly recover: "resume" | "fail";
  /** `WORKFLOW_LOG_TRACE_LEVEL`: lowest level written to the trace store. @default "info" */
  readonly traceLevel: LogLevel;
  /** `WORKFLOW_LOG_OTEL`: OpenTelemetry spans always (`true`), never (`false`), or when a
   * tracer provider is registered (`"auto"`). @default "auto" */
  readonly telemetry: boolean | "auto";
  /** `WORKFLOW_API_PREFIX_PATH`: prefix of the versioned HTTP routes. @default "/api/v1" */
  readonly apiPrefix: string;
  /** `WORKFLOW_API_TOKEN`: bearer token the API requires; `""` for none. @default "" */
  readonly apiToken: string;
  /** `WORKFLOW_API_ENABLE_JOB_EXECUTE`: serve `POST {prefix}/job/execute`. @default false */
  readonly apiEnableJobExecute: boolean;
}

/** Defaults of {@linkcode Settings}. */
export const DEFAULT_SETTINGS: Settings = {
  confPath: "./conf",
  timezone: "UTC",
  registryCaller: ["."],
  registryFilter: [],
  maxJobParallel: 4,
  maxCronPerWorkflow: 5,
  maxCombinations: 256,
  runDefaultLang: "javascript",
  secretEnv: [],
  runPermissions: "all",
  storeUrl: null,
  traceUrl: null,
  auditUrl: null,
  runUrl: null,
  recover: "resume",
  traceLevel: "info",
  telemetry: "auto",
  apiPrefix: "/api/v1",
  apiToken: "",
  apiEnableJobExecute: false,
};

/** A setting of the HTTP API. */
export type ApiSettingKey = "apiPrefix" | "apiToken" | "apiEnableJobExecute";

/** Settings of the HTTP API, read by `createApi` (its options win over them). */
export const API_SETTING_KEYS: readonly ApiSettingKey[] = [
  "apiPrefix",
  "apiToken",
  "apiEnableJobExecute",
];

/** The settings an `Engine` reads: every one but the API's. */
export type EngineSettings = Omit<Settings, ApiSettingKey>;

/** Keys of {@linkcode EngineSettings}, read by `Engine.create`. */
export const ENGINE_SETTING_KEYS: readonly (keyof EngineSettings)[] = [
  "confPath",
  "timezone",
  "registryCaller",
  "registryFilter",
  "maxJobParallel",
  "maxCronPerWorkflow",
  "maxCombinations",
  "runDefaultLang",
  "secretEnv",
  "runPermissions",
  "storeUrl",
  "traceUrl",
  "auditUrl",
  "runUrl",
  "recover",
  "traceLevel",
  "telemetry",
];

/** Options of {@linkcode readSettings}. */
export interface ReadSettingsOptions<K extends keyof Settings> {
  /** The settings to read and validate; the others are neither read nor checked.
   * @default every setting */
  readonly keys?: readonly K[];
  /** How errors name a value given in code, per setting. @default `settings.<key>` */
  readonly labels?: Partial<Record<keyof Settings, string>>;
}

type Lookup = (name: string) => string | undefined;
type Report = (issue: ConfigIssue) => void;

/** How one setting is read from the environment and checked when given in code. */
interface Field<T> {
  /** The value of the environment, `undefined` when unset (the default applies). */
  readonly fromEnv: (get: Lookup, report: Report) => T | undefined;
  /** The value given in code, `undefined` (after a report) when it is bad. */
  readonly fromCode: (value: unknown, label: string, report: Report) => T | undefined;
}

/** The environment variable's text, trimmed; `undefined` when unset or blank. */
const text = (get: Lookup, name: string) => {
  const value = get(name);
  return value === undefined || value.trim() === "" ? undefined : value.trim();
};

/** A value given in code, as an error message shows it. */
const show = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

/** A field whose environment text and code value pass the same `parse`. */
function field<T>(
  name: string,
  parse: (value: unknown) => { ok: true; value: T } | { ok: false; problem: string },
): Field<T> {
  return {
    fromEnv: (get, report) => {
      const raw = text(get, name);
      if (raw === undefined) return undefined;
      const parsed = parse(raw);
      if (parsed.ok) return parsed.value;
      report({ message: `${name}=${JSON.stringify(raw)} ${parsed.problem}` });
      return undefined;
    },
    fromCode: (value, label, report) => {
      const parsed = parse(value);
      if (parsed.ok) return parsed.value;
      report({ message: `${label}=${show(value)} ${parsed.problem}` });
      return undefined;
    },
  };
}

const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (problem: string) => ({ ok: false as const, problem });

function wholeNumber(name: string, min: number): Field<number> {
  return field(name, (value) => {
    const n = typeof value === "string" ? Number(value) : value;
    return typeof n === "number" && Number.isInteger(n) && n >= min
      ? ok(n)
      : bad(`must be a whole number >= ${min}`);
  });
}

function list(name: string): Field<readonly string[]> {
  return field(name, (value) => {
    if (typeof value === "string") {
      return ok(value.split(",").map((s) => s.trim()).filter(Boolean));
    }
    return Array.isArray(value) && value.every((item) => typeof item === "string")
      ? ok([...value])
      : bad("must be a list of strings");
  });
}

function nonEmptyText(name: string): Field<string> {
  return field(
    name,
    (value) =>
      typeof value === "string" && value.trim() !== ""
        ? ok(value)
        : bad("must be a non-empty string"),
  );
}

/** A boolean field whose environment error keeps the message of `readBooleanSetting`. */
function booleanField(name: string): Field<boolean> {
  return {
    fromEnv: (get, report) => collect(() => readBooleanSetting(name, get(name)), report),
    fromCode: (value, label, report) => {
      if (typeof value === "boolean") return value;
      report({ message: `${label}=${show(value)} must be true or false` });
      return undefined;
    },
  };
}

function storeUrl(kind: "TRACE" | "AUDIT" | "RUN"): Field<string | null> {
  return {
    fromEnv: (get, report) => {
      let failed = false;
      const url = collect(() => storeUrlFromEnv(kind, get), (issue) => {
        failed = true;
        report(issue);
      });
      return failed ? undefined : url ?? null;
    },
    fromCode: (value, label, report) => {
      if (value === null) return null;
      if (typeof value !== "string") {
        report({ message: `${label}=${show(value)} must be a store URL or null` });
        return undefined;
      }
      return collect(() => (parseStoreUrl(value, label), value), report);
    },
  };
}

/** Runs `read`, reporting the issues of a `ConfigError` it throws instead of throwing. */
function collect<T>(read: () => T, report: Report): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    error.issues.forEach(report);
    return undefined;
  }
}

const TRACE_LEVEL_PROBLEM = "is not a trace level: use debug, info, warning or error";
const OTEL_ENV = "WORKFLOW_LOG_OTEL";

const FIELDS: { readonly [K in keyof Settings]: Field<Settings[K]> } = {
  confPath: nonEmptyText("WORKFLOW_CORE_CONF_PATH"),
  timezone: field(
    "WORKFLOW_CORE_TIMEZONE",
    (value) =>
      typeof value === "string" && isTimeZone(value)
        ? ok(value)
        : bad("is not an IANA time zone (e.g. UTC, Asia/Bangkok)"),
  ),
  registryCaller: list("WORKFLOW_CORE_REGISTRY_CALLER"),
  registryFilter: list("WORKFLOW_CORE_REGISTRY_FILTER"),
  maxJobParallel: wholeNumber("WORKFLOW_CORE_MAX_JOB_PARALLEL", 1),
  maxCronPerWorkflow: wholeNumber("WORKFLOW_CORE_MAX_CRON_PER_WORKFLOW", 1),
  maxCombinations: wholeNumber("WORKFLOW_CORE_MAX_MATRIX_COMBINATIONS", 1),
  runDefaultLang: field(
    "WORKFLOW_CORE_RUN_DEFAULT_LANG",
    (value) =>
      value === "javascript" || value === "python"
        ? ok(value)
        : bad("must be javascript or python"),
  ),
  secretEnv: list("WORKFLOW_CORE_SECRET_ENV"),
  runPermissions: {
    fromEnv: (get, report) => {
      const name = "WORKFLOW_CORE_RUN_PERMISSIONS";
      const raw = text(get, name);
      if (raw === undefined) return undefined;
      const parsed = parseRunPermissions(raw);
      if (parsed.ok) return parsed.value;
      report({ message: `${name}: ${parsed.message}; ${RUN_PERMISSIONS_HINT}` });
      return undefined;
    },
    fromCode: (value, label, report) => {
      if (Array.isArray(value) && value.length === 0) return [];
      const textValue = typeof value === "string"
        ? value
        : Array.isArray(value) && value.every((item) => typeof item === "string")
        ? value.join(" ")
        : undefined;
      const parsed = textValue === undefined
        ? { ok: false as const, message: 'must be "all" or a list of flags' }
        : parseRunPermissions(textValue);
      if (parsed.ok) return parsed.value;
      report({ message: `${label}=${show(value)}: ${parsed.message}; ${RUN_PERMISSIONS_HINT}` });
      return undefined;
    },
  },
  storeUrl: {
    fromEnv: (get, report) => {
      const raw = text(get, STORE_URL_ENV);
      if (raw === undefined) return undefined;
      return collect(() => (parseStoreUrl(raw, STORE_URL_ENV), raw), report);
    },
    fromCode: (value, label, report) => {
      if (value === null) return null;
      if (typeof value !== "string") {
        report({ message: `${label}=${show(value)} must be a store URL or null` });
        return undefined;
      }
      return collect(() => (parseStoreUrl(value, label), value), report);
    },
  },
  traceUrl: storeUrl("TRACE"),
  auditUrl: storeUrl("AUDIT"),
  runUrl: storeUrl("RUN"),
  recover: field(
    "WORKFLOW_CORE_RECOVER",
    (value) =>
      value === "resume" || value === "fail"
        ? ok(value)
        : bad("must be resume (run it on from its last finished job) or fail"),
  ),
  traceLevel: {
    fromEnv: (get, report) => {
      const name = "WORKFLOW_LOG_TRACE_LEVEL";
      const raw = get(name);
      if (raw === undefined) return undefined;
      const level = raw.trim().toLowerCase();
      if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
      report({ path: name, message: `'${raw}' ${TRACE_LEVEL_PROBLEM}` });
      return undefined;
    },
    fromCode: (value, label, report) => {
      if ((LOG_LEVELS as readonly unknown[]).includes(value)) return value as LogLevel;
      report({ message: `${label}=${show(value)} ${TRACE_LEVEL_PROBLEM}` });
      return undefined;
    },
  },
  telemetry: {
    fromEnv: (get, report) => {
      const raw = text(get, OTEL_ENV);
      if (raw === undefined) return undefined;
      const word = parseBooleanWord(raw);
      if (word === undefined) {
        report({ message: `${OTEL_ENV} must be true or false, got '${raw}'` });
      }
      return word;
    },
    fromCode: (value, label, report) => {
      if (typeof value === "boolean" || value === "auto") return value;
      report({ message: `${label}=${show(value)} must be true, false or "auto"` });
      return undefined;
    },
  },
  apiPrefix: field(
    "WORKFLOW_API_PREFIX_PATH",
    (value) => typeof value === "string" ? ok(value) : bad("must be a string"),
  ),
  apiToken: {
    // Taken as is (not trimmed); never shown in a message.
    fromEnv: (get) => get("WORKFLOW_API_TOKEN"),
    fromCode: (value, label, report) => {
      if (typeof value === "string") return value;
      report({ message: `${label} must be a string, got ${typeof value}` });
      return undefined;
    },
  },
  apiEnableJobExecute: booleanField("WORKFLOW_API_ENABLE_JOB_EXECUTE"),
};

/** Every setting's key, in the order problems are listed. */
const ALL_KEYS = Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[];

/**
 * Reads settings: a value given in code (`overrides`) wins over the environment, which wins
 * over the default. Each value used is checked; an environment variable that code overrides is
 * not read at all. Every problem is listed in one error, naming the variable
 * (`WORKFLOW_CORE_MAX_JOB_PARALLEL="abc"`) or the option (`settings.maxJobParallel=-1`).
 *
 * @example
 * ```ts
 * import { detectRuntime } from "@ddeutil/workflow";
 * const { env } = detectRuntime();
 * const settings = readSettings((name) => env.get(name), { maxJobParallel: 2 });
 * // settings.maxJobParallel === 2, whatever WORKFLOW_CORE_MAX_JOB_PARALLEL holds
 * ```
 *
 * @param get Looks up an environment variable (`runtime.env.get`).
 * @param overrides Settings given in code; `undefined` fields are unset.
 * @param options Which settings to read, and how code values are named in errors.
 * @throws {ConfigError} listing every bad value.
 */
export function readSettings<K extends keyof Settings = keyof Settings>(
  get: (name: string) => string | undefined,
  overrides: Partial<Settings> = {},
  options: ReadSettingsOptions<K> = {},
): Pick<Settings, K> {
  const issues: ConfigIssue[] = [];
  const report: Report = (issue) => issues.push(issue);
  const keys: readonly (keyof Settings)[] = options.keys ?? ALL_KEYS;
  const settings: Record<string, unknown> = {};
  const code = storeUrlInCode(overrides, options.labels);
  for (const key of keys) {
    const spec: Field<unknown> = FIELDS[key];
    const given: unknown = code.overrides[key];
    const value = given === undefined
      ? spec.fromEnv(get, report)
      : spec.fromCode(given, code.labels[key] ?? `settings.${key}`, report);
    settings[key] = value === undefined ? DEFAULT_SETTINGS[key] : value;
  }
  if (issues.length) throw new ConfigError(issues);
  return settings as Pick<Settings, K>;
}

type Labels = Partial<Record<keyof Settings, string>>;

/** `overrides` with a `storeUrl` given in code standing for the store URLs not given. */
function storeUrlInCode(
  overrides: Partial<Settings>,
  labels: Labels = {},
): { overrides: Partial<Settings>; labels: Labels } {
  const storeUrl = overrides.storeUrl;
  if (storeUrl === undefined || storeUrl === null) return { overrides, labels };
  const out: Record<string, unknown> = { ...overrides };
  const outLabels: Labels = { ...labels };
  for (const key of ["traceUrl", "auditUrl", "runUrl"] as const) {
    if (overrides[key] !== undefined) continue;
    out[key] = storeUrl;
    outLabels[key] ??= labels.storeUrl ?? "settings.storeUrl";
  }
  return { overrides: out as Partial<Settings>, labels: outLabels };
}

/**
 * The setting a store's URL comes from, as error messages name it: the option given in code
 * (`settings.traceUrl`, `settings.storeUrl`), else the environment variable
 * (`WORKFLOW_LOG_TRACE_URL`, `WORKFLOW_STORE_URL`, `WORKFLOW_LOG_TRACE_PATH`).
 */
export function storeSettingName(
  kind: "trace" | "audit" | "run",
  get: (name: string) => string | undefined,
  overrides: Partial<Settings> = {},
): string {
  const key = `${kind}Url` as const;
  if (overrides[key] !== undefined) return `settings.${key}`;
  if (overrides.storeUrl !== undefined && overrides.storeUrl !== null) return "settings.storeUrl";
  const env = kind === "trace" ? "TRACE" : kind === "audit" ? "AUDIT" : "RUN";
  return storeUrlEnvName(env, get) ?? `WORKFLOW_LOG_${env}_PATH`;
}
