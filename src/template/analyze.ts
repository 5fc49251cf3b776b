/**
 * Static checks of templates and conditions for the config validator: syntax errors, unknown
 * functions and filters, and the paths they read.
 *
 * @module
 */

import { TemplateError } from "../errors.ts";
import type { Node } from "./ast.ts";
import { scanTemplate } from "./compile.ts";
import { BUILTIN_FILTERS } from "./filters.ts";
import { parseCondition, parseTemplateAt } from "./parser.ts";

/** One problem found in a template. `column` is a 0-based offset into the analysed string. */
export interface TemplateIssue {
  /** What is wrong (a syntax error shows the line and a caret). */
  readonly message: string;
  /** 0-based offset of the problem in the analysed string. */
  readonly column: number;
}

/** What `analyzeTemplate()` and `analyzeCondition()` find. */
export interface TemplateAnalysis {
  /** Problems found, in source order per template. */
  readonly issues: TemplateIssue[];
  /**
   * Paths read from the scope as segment lists (`["params", "run-date"]`), each cut before its
   * first optional (`?`) or computed segment.
   */
  readonly references: (readonly string[])[];
}

/** A filter named in a template (checked against the known ones when a text is analysed). */
interface FilterUse {
  readonly filter: string;
  readonly start: number;
}

/**
 * What {@linkcode walk} collects from a text: the paths read, and its syntax problems and the
 * filters it names in source order. Kept per text whatever the custom filters are: only the
 * filter names are checked on each analysis.
 */
interface Walked {
  readonly references: (readonly string[])[];
  readonly checks: (TemplateIssue | FilterUse)[];
}

function walk(node: Node, analysis: Walked): void {
  switch (node.type) {
    case "literal":
      return;
    case "path": {
      if (node.base !== undefined) walk(node.base, analysis);
      const prefix: string[] = [];
      let staticPrefix = node.base === undefined;
      for (const segment of node.segments) {
        if (!staticPrefix) break;
        if (segment.key === undefined || segment.optional) staticPrefix = false;
        else prefix.push(String(segment.key));
      }
      if (prefix.length > 0) analysis.references.push(prefix);
      for (const segment of node.segments) {
        if (segment.expression !== undefined) walk(segment.expression, analysis);
      }
      return;
    }
    case "compare":
    case "logical":
      walk(node.left, analysis);
      walk(node.right, analysis);
      return;
    case "not":
      walk(node.operand, analysis);
      return;
    case "call":
      for (const arg of node.args) walk(arg, analysis);
      return;
    case "filter":
      walk(node.input, analysis);
      analysis.checks.push({ filter: node.name, start: node.start });
      return;
    case "interpolation":
      for (const part of node.parts) {
        if (typeof part !== "string") walk(part.expression, analysis);
      }
      return;
    case "template":
      walk(node.expression, analysis);
      return;
  }
}

function issueOf(error: unknown, fallbackColumn: number): TemplateIssue {
  if (error instanceof TemplateError) {
    return { message: error.message, column: error.column ?? fallbackColumn };
  }
  return { message: String(error), column: fallbackColumn };
}

/** One `${{ }}` of a source string, parsed: its expression, or the problem that stopped it. */
interface ParsedPart {
  readonly expression?: Node;
  readonly issue?: TemplateIssue;
  /** 0-based offset of its `${{`. */
  readonly open: number;
  /** Offset just after it (after its `}}`, or where reading gave up). */
  readonly end: number;
}

/** The `${{ }}` templates of one text, parsed, and what walking them found (on first need). */
interface SourceTemplates {
  readonly parts: readonly ParsedPart[];
  walked?: Walked;
}

const MAX_CACHED = 4096;
/** Longer texts (whole scripts) are parsed on each call, so the cache stays a few MB at most. */
const MAX_CACHED_LENGTH = 2048;
/** Parsed templates by source text: workflows repeat the same templates, and the checks of one
 * workflow read a shell script twice (its references, then its unquoted values). */
const parsedSources = new Map<string, SourceTemplates>();

/** The `${{ }}` templates of `source`, parsed once per distinct text (the ASTs are never
 * changed once built, so they are shared). */
function templatesOf(source: string): SourceTemplates {
  let templates = parsedSources.get(source);
  if (templates === undefined) {
    const found: ParsedPart[] = [];
    scanTemplate(source, {
      text() {},
      env() {},
      template(open) {
        try {
          const parsed = parseTemplateAt(source, open);
          found.push({ expression: parsed.expression, open, end: parsed.end });
          return parsed.end;
        } catch (error) {
          const close = source.indexOf("}}", open + 3);
          const end = close < 0 ? source.length : close + 2;
          found.push({ issue: issueOf(error, open), open, end });
          return end;
        }
      },
    });
    templates = { parts: found };
    if (source.length > MAX_CACHED_LENGTH) return templates;
    if (parsedSources.size >= MAX_CACHED) {
      parsedSources.delete(parsedSources.keys().next().value as string);
    }
    parsedSources.set(source, templates);
  }
  return templates;
}

/** The walk of every template of `source`, kept with its parse. */
function walkedOf(source: string): Walked {
  const templates = templatesOf(source);
  let walked = templates.walked;
  if (walked === undefined) {
    walked = { references: [], checks: [] };
    const parts = templates.parts;
    for (let i = 0; i < parts.length; i++) {
      const { expression, issue } = parts[i];
      if (expression !== undefined) walk(expression, walked);
      else if (issue !== undefined) walked.checks.push(issue);
    }
    templates.walked = walked;
  }
  return walked;
}

/** The analysis of a walk: its syntax problems, and the filters it names that are unknown. */
function analysisOf(walked: Walked, extraFilters: Iterable<string> | undefined): TemplateAnalysis {
  const analysis: TemplateAnalysis = { issues: [], references: walked.references.slice() };
  const checks = walked.checks;
  let filters: ReadonlySet<string> | undefined;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i];
    if (!("filter" in check)) {
      analysis.issues.push({ message: check.message, column: check.column });
      continue;
    }
    if (BUILTIN_FILTERS.has(check.filter)) continue;
    filters ??= new Set(extraFilters);
    if (filters.has(check.filter)) continue;
    const known = [...BUILTIN_FILTERS.keys(), ...filters].join(", ");
    analysis.issues.push({
      message: `unknown filter '${check.filter}'; filters are: ${known}`,
      column: check.start,
    });
  }
  return analysis;
}

/**
 * Checks every `${{ }}` of `source` without rendering it. `extraFilters` names the custom
 * filters that will be registered.
 *
 * @example
 * ```ts
 * analyzeTemplate("${{ params.run-date | fmt('%Y') }}").references; // [["params", "run-date"]]
 * ```
 */
export function analyzeTemplate(
  source: string,
  extraFilters?: Iterable<string>,
): TemplateAnalysis {
  return analysisOf(walkedOf(source), extraFilters);
}

/** Checks an `if:`/`until:` condition without evaluating it (a boolean has nothing to check). */
export function analyzeCondition(
  condition: string | boolean,
  extraFilters?: Iterable<string>,
): TemplateAnalysis {
  const walked: Walked = { references: [], checks: [] };
  if (typeof condition === "boolean") return { issues: [], references: [] };
  try {
    walk(parseCondition(condition).expression, walked);
  } catch (error) {
    walked.checks.push(issueOf(error, 0));
  }
  return analysisOf(walked, extraFilters);
}

/** A `${{ }}` whose value is pasted into shell code as is, found by `findUnquotedTemplates()`. */
export interface UnquotedTemplate {
  /** 0-based offset of its `${{` in the analysed string. */
  readonly column: number;
  /** The template as written (`${{ params.name }}`). */
  readonly text: string;
  /** The expression inside, trimmed (`params.name`). */
  readonly expression: string;
  /** The first path it reads that is not known to be safe (`["params", "name"]`), if any. */
  readonly reference?: readonly string[];
}

/** Functions whose result is a number or a boolean: nothing a shell would read as code. */
const INERT_FUNCTIONS = new Set(["len", "contains", "startsWith", "endsWith"]);
/** Filters whose result is a number (or that fail): safe whatever their input. */
const NUMERIC_FILTERS = new Set(["int", "abs"]);

/** The first unsafe path of `node`, `null` if the node is provably safe, `[]` if unsafe anyway. */
function unsafePart(
  node: Node,
  isSafeReference: (path: readonly string[]) => boolean,
): readonly string[] | null {
  switch (node.type) {
    case "literal":
    case "compare":
    case "not":
      return null;
    case "logical":
      return unsafePart(node.left, isSafeReference) ?? unsafePart(node.right, isSafeReference);
    case "path": {
      const keys: string[] = [];
      for (const segment of node.segments) {
        if (segment.key === undefined) return keys;
        keys.push(String(segment.key));
      }
      if (node.base !== undefined) return unsafePart(node.base, isSafeReference);
      return isSafeReference(keys) ? null : keys;
    }
    case "call":
      if (INERT_FUNCTIONS.has(node.name)) return null;
      for (const arg of node.args) {
        const part = unsafePart(arg, isSafeReference);
        if (part !== null) return part;
      }
      return null;
    case "filter":
      if (node.name === "shell_quote" || NUMERIC_FILTERS.has(node.name)) return null;
      // A custom filter may return anything; a built-in one keeps its input's safety.
      if (!BUILTIN_FILTERS.has(node.name)) return unsafePart(node.input, isSafeReference) ?? [];
      return unsafePart(node.input, isSafeReference);
    case "interpolation":
      return [];
    case "template":
      return unsafePart(node.expression, isSafeReference);
  }
}

/**
 * Finds the `${{ }}` templates of shell code (`bash:`/`sh:`) whose value is pasted in unquoted
 * and could carry shell syntax: anything except literals, numbers and booleans computed in the
 * template, values ending in `| shell_quote` (or `| int`, `| abs`), and paths for which
 * `isSafeReference` answers `true` (e.g. an `int` param). Templates that do not parse are
 * skipped (`analyzeTemplate()` reports them).
 *
 * @example
 * ```ts
 * findUnquotedTemplates('echo "${{ params.name }}"', () => false)[0].reference; // ["params", "name"]
 * findUnquotedTemplates("echo ${{ params.name | shell_quote }}", () => false); // []
 * ```
 */
export function findUnquotedTemplates(
  source: string,
  isSafeReference: (path: readonly string[]) => boolean,
): UnquotedTemplate[] {
  const found: UnquotedTemplate[] = [];
  const parts = templatesOf(source).parts;
  for (let i = 0; i < parts.length; i++) {
    const { expression, open, end } = parts[i];
    if (expression === undefined) continue;
    const part = unsafePart(expression, isSafeReference);
    if (part !== null) {
      const text = source.slice(open, end);
      const unquoted: UnquotedTemplate = {
        column: open,
        text,
        expression: text.slice(3, -2).trim(),
      };
      found.push(part.length > 0 ? { ...unquoted, reference: part } : unquoted);
    }
  }
  return found;
}
