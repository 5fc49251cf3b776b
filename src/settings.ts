/**
 * Engine settings from `WORKFLOW_*` environment variables, validated once at
 * start-up: a bad value is a clear error, never a silent default.
 *
 * @module
 */

import { ConfigError, type ConfigIssue } from "./errors.ts";
import { isTimeZone } from "./template/zoned_time.ts";
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
};

/**
 * Reads settings from an environment lookup, with `overrides` winning.
 *
 * @param get Looks up an environment variable (`runtime.env.get`).
 * @param overrides Settings that win over the environment.
 *
 * @throws {ConfigError} listing every bad variable.
 */
export function readSettings(
  get: (name: string) => string | undefined,
  overrides: Partial<Settings> = {},
): Settings {
  const issues: ConfigIssue[] = [];
  const text = (name: string) => {
    const v = get(name);
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const int = (name: string, fallback: number, min: number) => {
    const v = text(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      issues.push({ message: `${name}=${JSON.stringify(v)} must be a whole number >= ${min}` });
      return fallback;
    }
    return n;
  };
  const list = (name: string, fallback: readonly string[]) => {
    const v = text(name);
    return v === undefined ? fallback : v.split(",").map((s) => s.trim()).filter(Boolean);
  };
  const timezone = text("WORKFLOW_CORE_TIMEZONE") ?? DEFAULT_SETTINGS.timezone;
  if (!isTimeZone(timezone)) {
    issues.push({
      message: `WORKFLOW_CORE_TIMEZONE=${
        JSON.stringify(timezone)
      } is not an IANA time zone (e.g. UTC, Asia/Bangkok)`,
    });
  }
  const lang = text("WORKFLOW_CORE_RUN_DEFAULT_LANG") ?? DEFAULT_SETTINGS.runDefaultLang;
  if (lang !== "javascript" && lang !== "python") {
    issues.push({
      message: `WORKFLOW_CORE_RUN_DEFAULT_LANG=${
        JSON.stringify(lang)
      } must be javascript or python`,
    });
  }
  const permissions = parseRunPermissions(text("WORKFLOW_CORE_RUN_PERMISSIONS") ?? "all");
  if (!permissions.ok) {
    issues.push({
      message: `WORKFLOW_CORE_RUN_PERMISSIONS: ${permissions.message}; ${RUN_PERMISSIONS_HINT}`,
    });
  }
  const settings: Settings = {
    confPath: text("WORKFLOW_CORE_CONF_PATH") ?? DEFAULT_SETTINGS.confPath,
    timezone,
    registryCaller: list("WORKFLOW_CORE_REGISTRY_CALLER", DEFAULT_SETTINGS.registryCaller),
    registryFilter: list("WORKFLOW_CORE_REGISTRY_FILTER", DEFAULT_SETTINGS.registryFilter),
    maxJobParallel: int("WORKFLOW_CORE_MAX_JOB_PARALLEL", DEFAULT_SETTINGS.maxJobParallel, 1),
    maxCronPerWorkflow: int(
      "WORKFLOW_CORE_MAX_CRON_PER_WORKFLOW",
      DEFAULT_SETTINGS.maxCronPerWorkflow,
      1,
    ),
    maxCombinations: int(
      "WORKFLOW_CORE_MAX_MATRIX_COMBINATIONS",
      DEFAULT_SETTINGS.maxCombinations,
      1,
    ),
    runDefaultLang: lang === "python" ? "python" : "javascript",
    secretEnv: list("WORKFLOW_CORE_SECRET_ENV", DEFAULT_SETTINGS.secretEnv),
    runPermissions: permissions.ok ? permissions.value : "all",
  };
  if (issues.length) throw new ConfigError(issues);
  return { ...settings, ...dropUndefined(overrides) };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
