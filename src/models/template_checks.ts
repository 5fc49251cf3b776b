/**
 * Static template checks run at validation time: every `${{ }}` in a workflow
 * is parsed (syntax errors, unknown filters and functions), and the paths it
 * reads are checked against the declarations: `params.X` must be a declared
 * param, `jobs.X` a job of the workflow, `stages.X` an earlier stage of the
 * same job. Stage `id`/`name` may only use `${{ matrix.* }}`. A template pasted unquoted into
 * `bash:`/`sh:` code is a warning unless its value cannot carry shell syntax.
 *
 * The parsing itself belongs to the template layer; this module only maps its
 * findings to config issues with positions.
 *
 * @module
 */

import {
  analyzeCondition,
  analyzeTemplate,
  findUnquotedTemplates,
  type TemplateAnalysis,
} from "../template/mod.ts";
import type { Workflow } from "./types.ts";
import { didYouMean, type IssueCollector, type ModelPath } from "./issues.ts";
import { isRawMap, type RawMap } from "./fields.ts";
import type { RawNestedStages, StageSyntax } from "./stage.ts";

/** Options of {@linkcode checkWorkflowTemplates}. */
export interface TemplateCheckOptions {
  /** Names of custom filters that will be registered at run time (not flagged as unknown). */
  readonly knownFilters?: readonly string[];
}

/** What the template checks need: the stage kinds (`STAGE_SYNTAX` of `src/stages/kinds.ts`). */
export interface TemplateCheckContext extends TemplateCheckOptions {
  /** The stage kinds: which keys hold conditions, shell code and nested stages. */
  readonly stageSyntax: StageSyntax;
}

interface Scope {
  readonly params: readonly string[];
  /** Declared type of each param (`str`, `int`, …). */
  readonly paramTypes: Readonly<Record<string, string>>;
  readonly jobs: readonly string[];
  /** Stage ids declared before the current point (outer lists included). */
  readonly stageIds: readonly string[];
  /** `true` once an earlier stage id is itself a template: `stages.X` cannot be checked. */
  readonly opaque: boolean;
}

const HASH_ID = /^\d+$/;

/** Param types whose coerced value cannot carry shell syntax (`choice` is one of its options). */
const SHELL_SAFE_PARAM_TYPES = new Set(["int", "float", "bool", "date", "datetime", "choice"]);

/** Reports template problems of a raw workflow (already parsed into `workflow`). */
export function checkWorkflowTemplates(
  raw: RawMap,
  workflow: Workflow,
  issues: IssueCollector,
  options: TemplateCheckContext,
): void {
  const checker = new Checker(issues, options.stageSyntax, options.knownFilters);
  const params = Object.keys(workflow.params);
  const paramTypes: Record<string, string> = {};
  for (let i = 0; i < params.length; i++) {
    paramTypes[params[i]] = workflow.params[params[i]].type;
  }
  const base: Scope = {
    params,
    paramTypes,
    jobs: Object.keys(workflow.jobs),
    stageIds: [],
    opaque: false,
  };
  if (!isRawMap(raw.jobs)) return;
  // Index loops over key lists: the checks run once per workflow, mostly in V8's first tiers,
  // where `for…of` and destructuring `[key, value]` go through the iterator protocol.
  const jobIds = Object.keys(raw.jobs);
  for (let j = 0; j < jobIds.length; j++) {
    const jobId = jobIds[j];
    const job = raw.jobs[jobId];
    if (!isRawMap(job)) continue;
    const path = ["jobs", jobId];
    const keys = Object.keys(job);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const value = job[key];
      if (key === "stages" || key === "needs" || key === "trigger-rule") continue;
      if (key === "if") checker.condition(value, [...path, key], base);
      else checker.value(value, [...path, key], base);
    }
    checker.stages(job.stages, [...path, "stages"], base);
  }
}

class Checker {
  readonly #issues: IssueCollector;
  readonly #filters?: readonly string[];
  readonly #syntax: StageSyntax;

  constructor(issues: IssueCollector, syntax: StageSyntax, filters?: readonly string[]) {
    this.#issues = issues;
    this.#syntax = syntax;
    this.#filters = filters;
  }

  /** Checks a list of stages; returns the scope after it (ids it declared appended). */
  stages(list: unknown, path: ModelPath, scope: Scope): Scope {
    if (!Array.isArray(list)) return scope;
    let current = scope;
    for (let index = 0; index < list.length; index++) {
      const stage = list[index];
      if (!isRawMap(stage)) continue;
      this.stage(stage, [...path, index], current);
      if (typeof stage.id === "string") {
        current = stage.id.includes("${{")
          ? { ...current, opaque: true }
          : { ...current, stageIds: [...current.stageIds, stage.id] };
      }
    }
    return current;
  }

  stage(stage: RawMap, path: ModelPath, scope: Scope): void {
    const { kind } = this.#syntax.kindOf(stage);
    const shellKey = kind.shellCodeKey?.(stage);
    const nested = kind.rawChildren ? nestedByKey(kind.rawChildren(stage)) : undefined;
    const keys = Object.keys(stage);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const value = stage[key];
      const at = [...path, key];
      if (key === shellKey && typeof value === "string") this.shellCode(value, at, scope);
      if (key === "id" || key === "name") {
        if (typeof value === "string") this.identity(value, at, key);
      } else if (key === "if" || kind.conditions?.includes(key)) {
        this.condition(value, at, scope);
      } else {
        const inside = nested?.get(key);
        if (inside) this.nested(value, [key], path, inside, scope);
        else this.value(value, at, scope);
      }
    }
  }

  /**
   * Checks the value under a key that holds nested stages (`stages`, `parallel`, `match`):
   * nested stages with the enclosing scope, every other value inside it as a template.
   */
  nested(
    value: unknown,
    relative: ModelPath,
    stagePath: ModelPath,
    inside: ReadonlyMap<string, RawNestedStages>,
    scope: Scope,
  ): void {
    const at = [...stagePath, ...relative];
    const here = inside.get(relative.join("\u0000"));
    if (here) {
      if (!here.single) this.stages(value, at, scope);
      else if (isRawMap(value)) this.stage(value, at, scope);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) =>
        this.nested(item, [...relative, index], stagePath, inside, scope)
      );
    } else if (isRawMap(value)) {
      for (const [key, item] of Object.entries(value)) {
        this.nested(item, [...relative, key], stagePath, inside, scope);
      }
    } else this.value(value, at, scope);
  }

  /** Checks every string inside `value` as a template. */
  value(value: unknown, path: ModelPath, scope: Scope): void {
    if (typeof value === "string") {
      if (value.includes("${{")) {
        this.report(analyzeTemplate(value, this.#filters), path, scope, value);
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => this.value(item, [...path, index], scope));
    } else if (isRawMap(value)) {
      const keys = Object.keys(value);
      for (let k = 0; k < keys.length; k++) {
        this.value(value[keys[k]], [...path, keys[k]], scope);
      }
    }
  }

  /** Warns about templates whose value is pasted into shell code unquoted. */
  shellCode(source: string, path: ModelPath, scope: Scope): void {
    if (!source.includes("${{")) return;
    const isSafe = (reference: readonly string[]): boolean => {
      const [root, name] = reference;
      if (root === "loop" && reference.length === 1) return true;
      if (root === "release") return true;
      return root === "params" && SHELL_SAFE_PARAM_TYPES.has(scope.paramTypes[name] ?? "");
    };
    for (const found of findUnquotedTemplates(source, isSafe)) {
      const [root, name] = found.reference ?? [];
      const type = root === "params" ? scope.paramTypes[name] : undefined;
      const what = type === undefined
        ? "a value"
        : `${/^[aeiou]/.test(type) ? "an" : "a"} ${type} param`;
      this.#issues.warn(
        path,
        `${found.text} pastes ${what} into shell code unquoted, so quotes or ';' in it run as ` +
          `commands; pass it through env: (and use "$NAME") or write ` +
          `\${{ ${found.expression} | shell_quote }}`,
        { offset: found.column },
      );
    }
  }

  condition(value: unknown, path: ModelPath, scope: Scope): void {
    if (typeof value !== "string") return;
    this.report(analyzeCondition(value, this.#filters), path, scope, value);
  }

  /** `id`/`name` are rendered before the run context exists: only `matrix` is in scope. */
  identity(value: string, path: ModelPath, key: string): void {
    if (!value.includes("${{")) return;
    const analysis = analyzeTemplate(value, this.#filters);
    for (const issue of analysis.issues) {
      this.#issues.add(path, cleanMessage(issue.message), { offset: issue.column });
    }
    for (const reference of analysis.references) {
      if (reference[0] === "matrix") continue;
      const offset = value.indexOf(reference.join("."));
      this.#issues.add(
        path,
        `a stage ${key} may only use \${{ matrix.* }} templates, not '${reference.join(".")}'`,
        offset >= 0 ? { offset } : {},
      );
    }
  }

  report(analysis: TemplateAnalysis, path: ModelPath, scope: Scope, source: string): void {
    for (const issue of analysis.issues) {
      this.#issues.add(path, cleanMessage(issue.message), { offset: issue.column });
    }
    const references = analysis.references;
    let seen: Set<string> | undefined;
    for (let i = 0; i < references.length; i++) {
      const reference = references[i];
      const message = this.#checkReference(reference, scope);
      if (message === undefined || seen?.has(message)) continue;
      (seen ??= new Set()).add(message);
      // Point at the first spelling of the path in the text (the analysis gives no column).
      const offset = source.indexOf(`${reference[0]}.${reference[1]}`);
      this.#issues.add(path, message, offset >= 0 ? { offset } : {});
    }
  }

  #checkReference(reference: readonly string[], scope: Scope): string | undefined {
    const root = reference[0];
    const name = reference[1];
    if (name === undefined) return undefined;
    const shown = `${root}.${name}`;
    if (root === "params" && !scope.params.includes(name)) {
      const declared = scope.params.length
        ? `declared params: ${scope.params.join(", ")}`
        : "no params are declared";
      return `${shown} is not a declared param (${declared})${didYouMean(name, scope.params)}`;
    }
    if (root === "jobs" && !scope.jobs.includes(name)) {
      return `${shown} is not a job of this workflow (jobs: ${scope.jobs.join(", ")})` +
        didYouMean(name, scope.jobs);
    }
    if (
      root === "stages" && !scope.opaque && !HASH_ID.test(name) && !scope.stageIds.includes(name)
    ) {
      const earlier = scope.stageIds.length
        ? `earlier stage ids: ${scope.stageIds.join(", ")}`
        : "no earlier stage has an id";
      return `${shown} is not an earlier stage of this job (${earlier})` +
        didYouMean(name, scope.stageIds);
    }
    return undefined;
  }
}

/** Template errors carry a code frame and their own column; the issue has the file position. */
function cleanMessage(message: string): string {
  return message.split("\n")[0].replace(/ at column \d+:?$/, "").replace(/:$/, "");
}

/** Nested stage positions grouped by the stage key they sit under, keyed by joined path. */
function nestedByKey(
  nested: Iterable<RawNestedStages>,
): Map<string, Map<string, RawNestedStages>> {
  const byKey = new Map<string, Map<string, RawNestedStages>>();
  for (const entry of nested) {
    const key = String(entry.at[0]);
    let inside = byKey.get(key);
    if (!inside) byKey.set(key, inside = new Map());
    inside.set(entry.at.join("\u0000"), entry);
  }
  return byKey;
}
