/**
 * Stages: the kind is chosen by its distinguishing key (DESIGN §3), then every
 * field of that kind is checked. Nested stages (parallel, foreach, until,
 * case) are parsed recursively.
 *
 * @module
 */

import type { CaseMatch, CaseStage, Stage, StageBase, StageKind } from "./types.ts";
import type { IssueCollector, ModelPath } from "./issues.ts";
import {
  checkKeys,
  describeValue,
  isRawMap,
  type RawMap,
  readBoolean,
  readCondition,
  readDuration,
  readInteger,
  readMap,
  readRetry,
  readString,
} from "./fields.ts";
import { dedent } from "../util/text.ts";

/** Keys every stage kind accepts. */
export const STAGE_COMMON_KEYS = [
  "id",
  "name",
  "desc",
  "if",
  "timeout",
  "retry",
  "continue-on-error",
] as const;

/** Keys specific to each stage kind. */
export const STAGE_KIND_KEYS: Readonly<Record<StageKind, readonly string[]>> = {
  empty: ["echo", "sleep"],
  shell: ["bash", "sh", "env", "cwd"],
  run: ["run", "lang", "vars"],
  call: ["uses", "with", "args"],
  trigger: ["trigger", "params"],
  parallel: ["parallel", "max-workers"],
  foreach: ["foreach", "stages", "concurrent", "use-index-as-key"],
  until: ["item", "until", "stages", "max-loop"],
  case: ["case", "match", "skip-not-match"],
  raise: ["raise"],
  docker: ["image", "tag", "env", "volume", "auth"],
};

/** The largest `max-loop` an `until` stage accepts. */
export const MAX_UNTIL_LOOPS = 10_000;

/** The key that selects a stage kind, in priority order (first present wins). */
const KIND_SELECTORS: readonly (readonly [string, StageKind])[] = [
  ["bash", "shell"],
  ["sh", "shell"],
  ["uses", "call"],
  ["trigger", "trigger"],
  ["foreach", "foreach"],
  ["until", "until"],
  ["parallel", "parallel"],
  ["case", "case"],
  ["match", "case"],
  ["run", "run"],
  ["raise", "raise"],
  ["image", "docker"],
];

/** Which kind a raw stage mapping is, and the key that decided it (`undefined` for empty). */
export function stageKindOf(raw: RawMap): { kind: StageKind; by?: string } {
  for (const [key, kind] of KIND_SELECTORS) {
    if (raw[key] !== undefined) return { kind, by: key };
  }
  return { kind: "empty" };
}

const ALL_STAGE_KEYS: readonly string[] = [
  ...STAGE_COMMON_KEYS,
  ...new Set(Object.values(STAGE_KIND_KEYS).flat()),
];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Parses a list of stages (`stages:` of a job or of a nested stage). Stage identities
 * (`id`, else `name`) must be unique within one list.
 */
export function parseStages(raw: unknown, path: ModelPath, issues: IssueCollector): Stage[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.add(path, `expected a list of stages, got ${describeValue(raw)}`);
    return [];
  }
  const stages: Stage[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item, index) => {
    const stage = parseStage(item, [...path, index], issues);
    if (!stage) return;
    stages.push(stage);
    const identity = stage.id ?? stage.name;
    if (identity === undefined || identity === "") return;
    const first = seen.get(identity);
    if (first !== undefined) {
      const what = stage.id !== undefined ? "id" : "name (used as id)";
      issues.add(
        [...path, index],
        `duplicate stage ${what} '${identity}' (also at ${formatIndex(path, first)}); ` +
          "give each stage a unique id",
        { at: [...path, index, stage.id !== undefined ? "id" : "name"] },
      );
    } else {
      seen.set(identity, index);
    }
  });
  return stages;
}

function formatIndex(path: ModelPath, index: number): string {
  const last = path[path.length - 1];
  return `${String(last)}[${index}]`;
}

/** Parses one stage mapping; `undefined` when it is not a mapping at all. */
export function parseStage(
  raw: unknown,
  path: ModelPath,
  issues: IssueCollector,
): Stage | undefined {
  if (!isRawMap(raw)) {
    issues.add(path, `expected a stage mapping, got ${describeValue(raw)}`);
    return undefined;
  }
  const { kind, by } = stageKindOf(raw);
  const allowed = [...STAGE_COMMON_KEYS, ...STAGE_KIND_KEYS[kind]];
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key)) continue;
    const what = by ? `a ${kind} stage (chosen by '${by}')` : "an empty stage";
    if (ALL_STAGE_KEYS.includes(key)) {
      issues.add(path, `key '${key}' does not belong to ${what}`, {
        at: [...path, key],
        key: true,
      });
    }
  }
  checkKeys(
    Object.fromEntries(Object.entries(raw).filter(([key]) => !ALL_STAGE_KEYS.includes(key))),
    ALL_STAGE_KEYS,
    path,
    issues,
  );
  const base = parseBase(raw, path, issues);
  switch (kind) {
    case "empty": {
      const echo = raw.echo === undefined ? undefined : textField(raw, "echo", path, issues);
      let sleep: number | string | undefined;
      if (raw.sleep !== undefined && raw.sleep !== null) {
        if (typeof raw.sleep === "number" && raw.sleep >= 0) sleep = raw.sleep;
        else if (typeof raw.sleep === "string" && raw.sleep.includes("${{")) sleep = raw.sleep;
        else {
          issues.add(
            [...path, "sleep"],
            `expected seconds ≥ 0 or a template, got ${describeValue(raw.sleep)}`,
          );
        }
      }
      const stage: Mutable<Stage & { kind: "empty" }> = { ...base, kind };
      if (echo !== undefined) stage.echo = echo;
      if (sleep !== undefined) stage.sleep = sleep;
      return stage;
    }
    case "shell": {
      const shell = raw.bash !== undefined ? "bash" : "sh";
      if (raw.bash !== undefined && raw.sh !== undefined) {
        issues.add(path, "use either 'bash' or 'sh', not both", { at: [...path, "sh"], key: true });
      }
      const stage: Mutable<Stage & { kind: "shell" }> = {
        ...base,
        kind,
        shell,
        script: dedent(textField(raw, shell, path, issues) ?? ""),
        env: readEnv(raw, path, issues),
      };
      const cwd = readString(raw, "cwd", path, issues);
      if (cwd !== undefined) stage.cwd = cwd;
      return stage;
    }
    case "run": {
      const stage: Mutable<Stage & { kind: "run" }> = {
        ...base,
        kind,
        code: dedent(textField(raw, "run", path, issues) ?? ""),
        vars: readMap(raw, "vars", path, issues),
      };
      const lang = readString(raw, "lang", path, issues);
      if (lang !== undefined) {
        if (lang === "javascript" || lang === "python") stage.lang = lang;
        else {issues.add(
            [...path, "lang"],
            `unknown language '${lang}'; expected javascript or python`,
          );}
      }
      return stage;
    }
    case "call": {
      const uses = textField(raw, "uses", path, issues) ?? "";
      if (uses && !uses.includes("${{") && !/^[^/@]+\/[^@]+@.+$/.test(uses)) {
        issues.add(
          [...path, "uses"],
          `expected 'group/function@tag' (e.g. tasks/get-items@demo), got '${uses}'`,
        );
      }
      if (raw.with !== undefined && raw.args !== undefined) {
        issues.add(path, "use either 'with' or its alias 'args', not both", {
          at: [...path, "args"],
          key: true,
        });
      }
      const withKey = raw.with !== undefined ? "with" : "args";
      return { ...base, kind, uses, with: readMap(raw, withKey, path, issues) };
    }
    case "trigger":
      return {
        ...base,
        kind,
        trigger: textField(raw, "trigger", path, issues) ?? "",
        params: readMap(raw, "params", path, issues),
      };
    case "parallel": {
      const branches: Record<string, Stage[]> = {};
      const value = raw.parallel;
      if (!isRawMap(value)) {
        issues.add(
          [...path, "parallel"],
          `expected a mapping of branch name to a list of stages, got ${describeValue(value)}`,
        );
      } else {
        for (const [branch, list] of Object.entries(value)) {
          branches[branch] = parseStages(list, [...path, "parallel", branch], issues);
        }
      }
      return {
        ...base,
        kind,
        parallel: branches,
        maxWorkers: readInteger(raw, "max-workers", path, issues, { allowTemplate: true }) ?? 2,
      };
    }
    case "foreach": {
      const value = raw.foreach;
      if (!Array.isArray(value) && typeof value !== "string") {
        issues.add(
          [...path, "foreach"],
          `expected a list or a template that renders to a list, got ${describeValue(value)}`,
        );
      }
      requireStages(raw, path, issues);
      const concurrent = readInteger(raw, "concurrent", path, issues);
      return {
        ...base,
        kind,
        foreach: value,
        stages: parseStages(raw.stages, [...path, "stages"], issues),
        concurrent: typeof concurrent === "number" ? concurrent : 1,
        useIndexAsKey: readBoolean(raw, "use-index-as-key", path, issues, false),
      };
    }
    case "until": {
      const until = readCondition(raw, "until", path, issues);
      requireStages(raw, path, issues);
      let maxLoop = readInteger(raw, "max-loop", path, issues);
      if (typeof maxLoop === "number" && maxLoop > MAX_UNTIL_LOOPS) {
        // Every iteration keeps its outputs in the run context: a huge cap is a memory leak.
        issues.add(
          [...path, "max-loop"],
          `max-loop ${maxLoop} is over the limit of ${MAX_UNTIL_LOOPS} iterations (each loop ` +
            "keeps its outputs in the run context); loop inside a task (uses:) or split the work",
        );
        maxLoop = undefined;
      }
      return {
        ...base,
        kind,
        item: raw.item ?? 0,
        until: typeof until === "boolean" ? String(until) : until ?? "",
        stages: parseStages(raw.stages, [...path, "stages"], issues),
        maxLoop: typeof maxLoop === "number" ? maxLoop : 10,
      };
    }
    case "case":
      return parseCase(raw, base, path, issues);
    case "raise":
      return { ...base, kind, message: textField(raw, "raise", path, issues) ?? "" };
    case "docker": {
      const stage: Mutable<Stage & { kind: "docker" }> = {
        ...base,
        kind,
        image: textField(raw, "image", path, issues) ?? "",
        env: readEnv(raw, path, issues),
        volume: readMap(raw, "volume", path, issues),
        auth: readMap(raw, "auth", path, issues),
      };
      const tag = readString(raw, "tag", path, issues);
      if (tag !== undefined) stage.tag = tag;
      return stage;
    }
  }
}

function parseBase(raw: RawMap, path: ModelPath, issues: IssueCollector): StageBase {
  const base: Mutable<StageBase> = {
    name: readString(raw, "name", path, issues, { required: true }) ?? "",
    continueOnError: readBoolean(raw, "continue-on-error", path, issues, false),
    source: issues.source(path),
  };
  const id = readString(raw, "id", path, issues);
  if (id !== undefined) {
    if (id === "") issues.add([...path, "id"], "id must not be empty");
    base.id = id;
  }
  const desc = readString(raw, "desc", path, issues);
  if (desc !== undefined) base.desc = dedent(desc);
  const condition = readCondition(raw, "if", path, issues);
  if (condition !== undefined) base.if = condition;
  const timeoutMs = readDuration(raw, "timeout", path, issues);
  if (timeoutMs !== undefined) base.timeoutMs = timeoutMs;
  const retry = readRetry(raw, path, issues);
  if (retry !== undefined) base.retry = retry;
  return base;
}

/** A required text field (string, or a number/boolean turned into text). */
function textField(
  raw: RawMap,
  key: string,
  path: ModelPath,
  issues: IssueCollector,
): string | undefined {
  const value = raw[key];
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  issues.add([...path, key], `expected a string, got ${describeValue(value)}`);
  return undefined;
}

/** What an environment variable may be called (POSIX portable names). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `env:` of a shell/docker stage: names must be variable names and values text (a string,
 * number or boolean; templates are rendered at run time and passed as variables, never pasted
 * into the script).
 */
function readEnv(raw: RawMap, path: ModelPath, issues: IssueCollector): RawMap {
  const env = readMap(raw, "env", path, issues);
  for (const [name, value] of Object.entries(env)) {
    const at = [...path, "env", name];
    if (!ENV_NAME.test(name)) {
      issues.add(
        at,
        `'${name}' is not an environment variable name; use letters, digits and '_', ` +
          "not starting with a digit (e.g. RUN_DATE)",
        { key: true },
      );
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      issues.add(
        at,
        `expected text (a string, number, boolean or template), got ${describeValue(value)}`,
      );
    }
  }
  return env;
}

function requireStages(raw: RawMap, path: ModelPath, issues: IssueCollector): void {
  if (raw.stages === undefined || raw.stages === null) {
    issues.add(path, "'stages' is required (the nested stages to run)");
  }
}

const MATCH_KEYS = ["case", "stages", "stage", "else"] as const;

function parseCase(
  raw: RawMap,
  base: StageBase,
  path: ModelPath,
  issues: IssueCollector,
): CaseStage {
  let caseValue = "";
  if (raw.case === undefined) issues.add(path, "'case' is required (the value to match)");
  else caseValue = textField(raw, "case", path, issues) ?? "";
  const matches: CaseMatch[] = [];
  const matchPath = [...path, "match"];
  if (raw.match === undefined) {
    issues.add(path, "'match' is required (a list of {case, stages} and an optional {else})");
  } else if (!Array.isArray(raw.match)) {
    issues.add(
      matchPath,
      `expected a list of {case, stages} items, got ${describeValue(raw.match)}`,
    );
  } else {
    let elseIndex: number | undefined;
    raw.match.forEach((item: unknown, index: number) => {
      const at = [...matchPath, index];
      if (!isRawMap(item)) {
        issues.add(at, `expected {case, stages} or {else: stages}, got ${describeValue(item)}`);
        return;
      }
      checkKeys(item, MATCH_KEYS, at, issues);
      let isElse = false;
      let stages: Stage[] = [];
      if (item.else !== undefined) {
        isElse = true;
        if (item.case !== undefined) {
          issues.add(at, "a match item has either 'case' or 'else', not both");
        }
        stages = parseStages(item.else, [...at, "else"], issues);
      } else {
        if (item.case === undefined) issues.add(at, "'case' is required (or use 'else')");
        isElse = item.case === "_";
        if (item.stages !== undefined && item.stage !== undefined) {
          issues.add(at, "use either 'stages' (a list) or 'stage' (one stage), not both");
        }
        if (item.stages !== undefined) stages = parseStages(item.stages, [...at, "stages"], issues);
        else if (item.stage !== undefined) {
          const single = parseStage(item.stage, [...at, "stage"], issues);
          stages = single ? [single] : [];
        } else issues.add(at, "'stages' is required");
      }
      if (isElse) {
        if (elseIndex !== undefined) {
          issues.add(at, `only one else branch is allowed (another at match[${elseIndex}])`);
        }
        elseIndex ??= index;
      }
      matches.push(isElse ? { else: true, stages } : { case: item.case, else: false, stages });
    });
  }
  return {
    ...base,
    kind: "case",
    case: caseValue,
    match: matches,
    skipNotMatch: readBoolean(raw, "skip-not-match", path, issues, false),
  };
}
