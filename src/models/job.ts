/**
 * Jobs: `runs-on`, `needs`, `trigger-rule`, `strategy` (matrix), `stages`,
 * `timeout`, `retry`.
 *
 * @module
 */

import type { Job, RunsOn, Strategy, TriggerRule } from "./types.ts";
import { didYouMean, type IssueCollector, type ModelPath } from "./issues.ts";
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
import type { StageSyntax } from "./stage.ts";
import { dedent } from "../util/text.ts";

/** Keys a job accepts. */
export const JOB_KEYS = [
  "desc",
  "runs-on",
  "if",
  "needs",
  "trigger-rule",
  "strategy",
  "stages",
  "timeout",
  "retry",
] as const;

/** Every `trigger-rule:` value. */
export const TRIGGER_RULES: readonly TriggerRule[] = [
  "all_success",
  "all_failed",
  "all_done",
  "one_failed",
  "one_success",
  "none_failed",
  "none_skipped",
];

/** `runs-on` types that validate; only `local` executes today. */
export const RUNS_ON_TYPES = [
  "local",
  "self_hosted",
  "k8s",
  "docker",
  "container",
  "aws_batch",
  "gcp_batch",
  "azure_batch",
  "cloud_batch",
] as const;

const STRATEGY_KEYS = ["matrix", "include", "exclude", "max-parallel", "fail-fast"] as const;

/** Parses one job mapping found under `jobs.<id>`; its stages with the kinds of `stageSyntax`. */
export function parseJob(
  id: string,
  raw: unknown,
  path: ModelPath,
  issues: IssueCollector,
  stageSyntax: StageSyntax,
): Job {
  const job: { -readonly [K in keyof Job]: Job[K] } = {
    id,
    runsOn: { type: "local", with: {} },
    needs: [],
    triggerRule: "all_success",
    stages: [],
    source: issues.source(path, { key: true }),
  };
  if (!isRawMap(raw)) {
    issues.add(path, `expected a job mapping with 'stages:', got ${describeValue(raw)}`);
    return job;
  }
  checkKeys(raw, JOB_KEYS, path, issues);
  const desc = readString(raw, "desc", path, issues);
  if (desc !== undefined) job.desc = dedent(desc);
  job.runsOn = parseRunsOn(raw["runs-on"], [...path, "runs-on"], issues);
  const condition = readCondition(raw, "if", path, issues);
  if (condition !== undefined) job.if = condition;
  job.needs = parseNeeds(raw.needs, [...path, "needs"], issues);
  const rule = raw["trigger-rule"];
  if (rule !== undefined && rule !== null) {
    if (typeof rule === "string" && (TRIGGER_RULES as readonly string[]).includes(rule)) {
      job.triggerRule = rule as TriggerRule;
    } else {
      const hint = typeof rule === "string" ? didYouMean(rule, TRIGGER_RULES) : "";
      issues.add(
        [...path, "trigger-rule"],
        `unknown trigger rule ${typeof rule === "string" ? `'${rule}'` : describeValue(rule)}; ` +
          `valid rules: ${TRIGGER_RULES.join(", ")}${hint}`,
      );
    }
  }
  if (raw.strategy !== undefined && raw.strategy !== null) {
    job.strategy = parseStrategy(raw.strategy, [...path, "strategy"], issues);
  }
  job.stages = stageSyntax.parseStages(raw.stages, [...path, "stages"], issues);
  const timeoutMs = readDuration(raw, "timeout", path, issues);
  if (timeoutMs !== undefined) job.timeoutMs = timeoutMs;
  const retry = readRetry(raw, path, issues);
  if (retry !== undefined) job.retry = retry;
  return job;
}

function parseRunsOn(raw: unknown, path: ModelPath, issues: IssueCollector): RunsOn {
  if (raw === undefined || raw === null) return { type: "local", with: {} };
  let type: string | undefined;
  let args: RawMap = {};
  if (typeof raw === "string") type = raw;
  else if (isRawMap(raw)) {
    checkKeys(raw, ["type", "with", "args"], path, issues);
    type = readString(raw, "type", path, issues) ?? "local";
    args = readMap(raw, raw.with !== undefined ? "with" : "args", path, issues);
  } else {
    issues.add(path, `expected a runner type or {type, with}, got ${describeValue(raw)}`);
    return { type: "local", with: {} };
  }
  if (!(RUNS_ON_TYPES as readonly string[]).includes(type)) {
    issues.add(
      typeof raw === "string" ? path : [...path, "type"],
      `unknown runs-on type '${type}'; valid types: ${RUNS_ON_TYPES.join(", ")}` +
        didYouMean(type, RUNS_ON_TYPES),
    );
  } else if (type === "self_hosted") {
    const labels = args.labels;
    const labelsOk = typeof labels === "string" ||
      (Array.isArray(labels) && labels.length > 0 && labels.every((l) => typeof l === "string"));
    if (labels !== undefined && !labelsOk) {
      issues.add(
        [...path, "with", "labels"],
        `expected a label or a list of labels, got ${describeValue(labels)}`,
      );
    } else if (typeof args.host !== "string" && labels === undefined) {
      issues.add(
        path,
        "runs-on type 'self_hosted' needs 'with.labels' (the labels of the workers that may " +
          "run it) or 'with.host' (the runner's URL)",
      );
    }
  }
  return { type, with: args };
}

function parseNeeds(raw: unknown, path: ModelPath, issues: IssueCollector): string[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === "string") return [raw];
  if (Array.isArray(raw) && raw.every((item) => typeof item === "string")) return raw;
  issues.add(path, `expected a job id or a list of job ids, got ${describeValue(raw)}`);
  return [];
}

function parseStrategy(raw: unknown, path: ModelPath, issues: IssueCollector): Strategy {
  const strategy: { -readonly [K in keyof Strategy]: Strategy[K] } = {
    matrix: {},
    include: [],
    exclude: [],
    maxParallel: 1,
    failFast: false,
  };
  if (!isRawMap(raw)) {
    issues.add(
      path,
      `expected a mapping {matrix, include, exclude, max-parallel, fail-fast}, got ${
        describeValue(raw)
      }`,
    );
    return strategy;
  }
  checkKeys(raw, STRATEGY_KEYS, path, issues);
  const matrix: Record<string, readonly unknown[] | string> = {};
  const rawMatrix = raw.matrix;
  if (rawMatrix !== undefined && rawMatrix !== null) {
    if (!isRawMap(rawMatrix)) {
      issues.add(
        [...path, "matrix"],
        `expected a mapping of key to list of values, got ${describeValue(rawMatrix)}`,
      );
    } else {
      for (const [key, values] of Object.entries(rawMatrix)) {
        if (Array.isArray(values)) {
          if (values.length === 0) {
            issues.add([...path, "matrix", key], "a matrix key needs at least one value");
          }
          matrix[key] = values;
        } else if (typeof values === "string" && values.includes("${{")) {
          matrix[key] = values;
        } else {
          issues.add(
            [...path, "matrix", key],
            `expected a list of values or a template that renders to a list, got ${
              describeValue(values)
            }`,
          );
        }
      }
    }
  }
  strategy.matrix = matrix;
  strategy.include = readCombinations(raw, "include", path, issues);
  strategy.exclude = readCombinations(raw, "exclude", path, issues);
  const maxParallel = readInteger(raw, "max-parallel", path, issues);
  if (typeof maxParallel === "number") strategy.maxParallel = maxParallel;
  strategy.failFast = readBoolean(raw, "fail-fast", path, issues, false);
  return strategy;
}

function readCombinations(
  raw: RawMap,
  key: "include" | "exclude",
  path: ModelPath,
  issues: IssueCollector,
): RawMap[] {
  const value = raw[key];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every(isRawMap)) return value;
  issues.add(
    [...path, key],
    `expected a list of mappings (matrix combinations), got ${describeValue(value)}`,
  );
  return [];
}
