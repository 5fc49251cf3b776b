/**
 * `type: Schedule` templates: which workflows to release on which crons, with
 * the catch-up and overlap policies of the scheduler.
 *
 * @module
 */

import type { CatchUpPolicy, OverlapPolicy, Schedule, ScheduleWorkflow } from "./types.ts";
import { didYouMean, type IssueCollector, type ModelPath } from "./issues.ts";
import {
  checkKeys,
  describeValue,
  isRawMap,
  type RawMap,
  readDuration,
  readMap,
  readString,
} from "./fields.ts";
import { type OnOptions, parseOn } from "./on.ts";
import { dedent } from "../util/text.ts";

/** Keys of a schedule template. */
export const SCHEDULE_KEYS = [
  "type",
  "name",
  "desc",
  "workflows",
  "catch-up",
  "catch-up-window",
  "overlap",
] as const;
const ENTRY_KEYS = ["name", "alias", "params", "on"] as const;
const CATCH_UP: readonly CatchUpPolicy[] = ["none", "latest", "all"];
const OVERLAP: readonly OverlapPolicy[] = ["skip", "allow", "queue"];

/** Options of {@linkcode parseSchedule}. */
export interface ParseScheduleOptions extends OnOptions {
  /** Names of the known workflows; an entry naming another one is an issue. */
  readonly workflowNames?: readonly string[];
}

/** Parses and validates a schedule template. */
export function parseSchedule(
  name: string,
  raw: unknown,
  issues: IssueCollector,
  options: ParseScheduleOptions = {},
): Schedule {
  const schedule: { -readonly [K in keyof Schedule]: Schedule[K] } = {
    name,
    workflows: [],
    catchUp: "none",
    overlap: "skip",
    source: issues.source([]),
  };
  if (!isRawMap(raw)) {
    issues.add([], `expected a schedule mapping, got ${describeValue(raw)}`);
    return schedule;
  }
  checkKeys(raw, SCHEDULE_KEYS, [], issues);
  const desc = readString(raw, "desc", [], issues);
  if (desc !== undefined) schedule.desc = dedent(desc);
  schedule.catchUp = readEnum(raw, "catch-up", CATCH_UP, issues) ?? "none";
  schedule.overlap = readEnum(raw, "overlap", OVERLAP, issues) ?? "skip";
  const window = readDuration(raw, "catch-up-window", [], issues);
  if (window !== undefined) {
    schedule.catchUpWindowMs = window;
    if (schedule.catchUp !== "all") {
      issues.add(["catch-up-window"], "'catch-up-window' only applies with 'catch-up: all'");
    }
  }
  const list = raw.workflows;
  if (list === undefined || list === null) {
    issues.add([], "'workflows' is required (a list of {name, alias, params, on})");
  } else if (!Array.isArray(list)) {
    issues.add(
      ["workflows"],
      `expected a list of {name, alias, params, on}, got ${describeValue(list)}`,
    );
  } else {
    const aliases = new Map<string, number>();
    const entries: ScheduleWorkflow[] = [];
    list.forEach((item: unknown, index: number) => {
      const entry = parseEntry(item, ["workflows", index], issues, options);
      if (!entry) return;
      const first = aliases.get(entry.alias);
      if (first !== undefined) {
        issues.add(
          ["workflows", index],
          `duplicate alias '${entry.alias}' (also workflows[${first}]); give each entry its own alias`,
        );
      } else aliases.set(entry.alias, index);
      entries.push(entry);
    });
    schedule.workflows = entries;
  }
  return schedule;
}

function readEnum<T extends string>(
  raw: RawMap,
  key: string,
  values: readonly T[],
  issues: IssueCollector,
): T | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && (values as readonly string[]).includes(value)) return value as T;
  const hint = typeof value === "string" ? didYouMean(value, values) : "";
  issues.add([key], `expected one of ${values.join(", ")}, got ${describeValue(value)}${hint}`);
  return undefined;
}

function parseEntry(
  raw: unknown,
  path: ModelPath,
  issues: IssueCollector,
  options: ParseScheduleOptions,
): ScheduleWorkflow | undefined {
  if (typeof raw === "string") raw = { name: raw };
  if (!isRawMap(raw)) {
    issues.add(path, `expected {name, alias, params, on}, got ${describeValue(raw)}`);
    return undefined;
  }
  checkKeys(raw, ENTRY_KEYS, path, issues);
  const name = readString(raw, "name", path, issues, { required: true });
  if (name === undefined) return undefined;
  const known = options.workflowNames;
  if (known && !known.includes(name)) {
    issues.add([...path, "name"], `unknown workflow '${name}'${didYouMean(name, known)}`);
  }
  return {
    name,
    alias: readString(raw, "alias", path, issues) ?? name,
    params: readMap(raw, "params", path, issues),
    on: parseOn(raw.on, [...path, "on"], issues, options),
    source: issues.source(path),
  };
}
