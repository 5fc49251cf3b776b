/**
 * Stages: the kind is chosen by its distinguishing key (DESIGN §3), then every
 * field of that kind is checked. This module holds what all kinds share (the
 * common keys, the dispatch by selecting key, the walk over nested stages);
 * each kind declares its own keys, parsing, schema and nesting in its file
 * under `src/stages/`, and `src/stages/kinds.ts` lists them in priority order.
 *
 * @module
 */

import type { Stage, StageBase, StageKind } from "./types.ts";
import type { IssueCollector, ModelPath } from "./issues.ts";
import {
  checkKeys,
  describeValue,
  isRawMap,
  type RawMap,
  readBoolean,
  readCondition,
  readDuration,
  readMap,
  readRetry,
  readString,
} from "./fields.ts";
import type { JsonSchema } from "./json_schema.ts";
import { dedent } from "../util/text.ts";

/** A model under construction (kinds fill in their optional fields). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

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

/** What a kind's `parse` gets besides its raw mapping: where it is, and how to parse nested stages. */
export interface StageParseContext {
  /** Path of the stage inside its template (`["jobs", "a", "stages", 0]`). */
  readonly path: ModelPath;
  /** Where problems are reported. */
  readonly issues: IssueCollector;
  /** Parses a nested list of stages at `path` (ids unique within it). */
  stages(raw: unknown, path: ModelPath): Stage[];
  /** Parses one nested stage at `path`; `undefined` when it is not a mapping. */
  stage(raw: unknown, path: ModelPath): Stage | undefined;
}

/** The JSON Schema fragment of a stage kind; `name` and the common keys are added to it. */
export interface StageKindSchema {
  /** One sentence on what the kind does (the schema's `description`). */
  readonly description: string;
  /** The kind's own keys. */
  readonly properties: Readonly<Record<string, JsonSchema>>;
  /** Keys that must be present (besides `name`). */
  readonly required?: readonly string[];
  /** Exactly one of these keys must be present (`bash` or `sh`). */
  readonly oneRequired?: readonly string[];
}

/** Nested stages inside a raw stage mapping, for walks over the YAML (the template checks). */
export interface RawNestedStages {
  /** Path relative to the stage (`["parallel", "left"]`, `["match", 0, "stage"]`). */
  readonly at: ModelPath;
  /** The raw value there: a list of stages, or one stage when `single`. */
  readonly value: unknown;
  /** `true` when `value` is one stage mapping rather than a list. */
  readonly single?: boolean;
}

/**
 * The syntax half of a stage kind: how it is recognised, read, described and nested. The run
 * half (`run`) is added by `StageKindDefinition` in `src/stages/kind.ts`.
 */
export interface StageKindSyntax<S extends Stage = Stage> {
  /** The kind (`Stage["kind"]`). */
  readonly kind: S["kind"];
  /**
   * Keys whose presence selects this kind, in priority order; the kinds' order in the list
   * decides between kinds. Empty for the one fallback kind (`empty`).
   */
  readonly selectors: readonly string[];
  /** Keys this kind accepts besides {@linkcode STAGE_COMMON_KEYS} (selectors included). */
  readonly keys: readonly string[];
  /** The kind's JSON Schema fragment. */
  readonly schema: StageKindSchema;
  /** Keys holding conditions (checked as expressions, like `if:`). */
  readonly conditions?: readonly string[];
  /** The key holding shell code in `raw` (templates pasted into it unquoted are warned about). */
  shellCodeKey?(raw: RawMap): string | undefined;
  /** Builds the stage from its raw mapping; `base` holds the common fields, already read. */
  parse(raw: RawMap, base: StageBase, context: StageParseContext): S;
  /** The nested stage lists of a parsed stage (parallel branches, loop bodies, case branches). */
  children?(stage: S): Iterable<readonly Stage[]>;
  /** Where nested stages sit in the raw mapping. */
  rawChildren?(raw: RawMap): Iterable<RawNestedStages>;
}

/**
 * The stage kinds of one list, with everything derived from it: the dispatch by selecting key,
 * the key checks, stage parsing and the walks over nested stages.
 */
export class StageSyntax<K extends StageKindSyntax = StageKindSyntax> {
  /** The kinds, in priority order. */
  readonly kinds: readonly K[];
  readonly #byKind = new Map<StageKind, K>();
  /** Selecting keys in priority order, and the kind each selects (same index). */
  readonly #selectorKeys: string[] = [];
  readonly #selectorKinds: K[] = [];
  readonly #fallback: K;
  readonly #allowed = new Map<StageKind, ReadonlySet<string>>();
  readonly #allKeys: ReadonlySet<string>;
  readonly #allKeyList: readonly string[];

  /** @throws {Error} when two kinds share a name, or there is not exactly one fallback kind */
  constructor(kinds: readonly K[]) {
    this.kinds = kinds;
    let fallback: K | undefined;
    const all = new Set<string>(STAGE_COMMON_KEYS);
    for (const definition of kinds) {
      if (this.#byKind.has(definition.kind)) {
        throw new Error(`stage kind '${definition.kind}' is listed twice`);
      }
      this.#byKind.set(definition.kind, definition);
      if (definition.selectors.length === 0) {
        if (fallback) throw new Error("only one stage kind may have no selecting key");
        fallback = definition;
      }
      for (const key of definition.selectors) {
        this.#selectorKeys.push(key);
        this.#selectorKinds.push(definition);
      }
      this.#allowed.set(definition.kind, new Set([...STAGE_COMMON_KEYS, ...definition.keys]));
      for (const key of definition.keys) all.add(key);
    }
    if (!fallback) throw new Error("one stage kind must have no selecting key (the fallback)");
    this.#fallback = fallback;
    this.#allKeys = all;
    this.#allKeyList = [...all];
  }

  /** The definition of `kind`. @throws {Error} for a kind not in the list */
  get(kind: StageKind): K {
    const definition = this.#byKind.get(kind);
    if (!definition) throw new Error(`unknown stage kind '${kind}'`);
    return definition;
  }

  /** Which kind a raw stage mapping is, and the key that decided it (`undefined` for the fallback). */
  kindOf(raw: RawMap): { kind: K; by?: string } {
    const keys = this.#selectorKeys;
    for (let i = 0; i < keys.length; i++) {
      if (raw[keys[i]] !== undefined) return { kind: this.#selectorKinds[i], by: keys[i] };
    }
    return { kind: this.#fallback };
  }

  /**
   * Parses a list of stages (`stages:` of a job or of a nested stage). Stage identities
   * (`id`, else `name`) must be unique within one list.
   */
  parseStages(raw: unknown, path: ModelPath, issues: IssueCollector): Stage[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      issues.add(path, `expected a list of stages, got ${describeValue(raw)}`);
      return [];
    }
    const stages: Stage[] = [];
    const seen = new Map<string, number>();
    raw.forEach((item, index) => {
      const stage = this.parseStage(item, [...path, index], issues);
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

  /** Parses one stage mapping; `undefined` when it is not a mapping at all. */
  parseStage(raw: unknown, path: ModelPath, issues: IssueCollector): Stage | undefined {
    if (!isRawMap(raw)) {
      issues.add(path, `expected a stage mapping, got ${describeValue(raw)}`);
      return undefined;
    }
    const { kind: definition, by } = this.kindOf(raw);
    const allowed = this.#allowed.get(definition.kind)!;
    let unknown: Record<string, unknown> | undefined;
    for (const key of Object.keys(raw)) {
      if (allowed.has(key)) continue;
      if (this.#allKeys.has(key)) {
        const what = by ? `a ${definition.kind} stage (chosen by '${by}')` : "an empty stage";
        issues.add(path, `key '${key}' does not belong to ${what}`, {
          at: [...path, key],
          key: true,
        });
      } else (unknown ??= {})[key] = raw[key];
    }
    if (unknown) checkKeys(unknown, this.#allKeyList, path, issues);
    const base = parseBase(raw, path, issues);
    return definition.parse(raw, base, {
      path,
      issues,
      stages: (list, at) => this.parseStages(list, at, issues),
      stage: (item, at) => this.parseStage(item, at, issues),
    });
  }

  /** Every stage of a list, nested ones (parallel, foreach, until, case) included, parents first. */
  *walk(stages: readonly Stage[]): Generator<Stage> {
    for (const stage of stages) {
      yield stage;
      const children = this.get(stage.kind).children;
      if (!children) continue;
      for (const list of children(stage)) yield* this.walk(list);
    }
  }
}

function formatIndex(path: ModelPath, index: number): string {
  const last = path[path.length - 1];
  return `${String(last)}[${index}]`;
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
export function textField(
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
export function readEnv(raw: RawMap, path: ModelPath, issues: IssueCollector): RawMap {
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

/** Reports a missing `stages:` of a nested stage kind. */
export function requireStages(raw: RawMap, path: ModelPath, issues: IssueCollector): void {
  if (raw.stages === undefined || raw.stages === null) {
    issues.add(path, "'stages' is required (the nested stages to run)");
  }
}
