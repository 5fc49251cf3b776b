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

function walk(
  node: Node,
  analysis: TemplateAnalysis,
  filters: ReadonlySet<string> | undefined,
): void {
  switch (node.type) {
    case "literal":
      return;
    case "path": {
      if (node.base !== undefined) walk(node.base, analysis, filters);
      const prefix: string[] = [];
      let staticPrefix = node.base === undefined;
      for (const segment of node.segments) {
        if (!staticPrefix) break;
        if (segment.key === undefined || segment.optional) staticPrefix = false;
        else prefix.push(String(segment.key));
      }
      if (prefix.length > 0) analysis.references.push(prefix);
      for (const segment of node.segments) {
        if (segment.expression !== undefined) walk(segment.expression, analysis, filters);
      }
      return;
    }
    case "compare":
    case "logical":
      walk(node.left, analysis, filters);
      walk(node.right, analysis, filters);
      return;
    case "not":
      walk(node.operand, analysis, filters);
      return;
    case "call":
      for (const arg of node.args) walk(arg, analysis, filters);
      return;
    case "filter":
      walk(node.input, analysis, filters);
      if (!BUILTIN_FILTERS.has(node.name) && !filters?.has(node.name)) {
        const known = [...BUILTIN_FILTERS.keys(), ...(filters ?? [])].join(", ");
        analysis.issues.push({
          message: `unknown filter '${node.name}'; filters are: ${known}`,
          column: node.start,
        });
      }
      return;
    case "interpolation":
      for (const part of node.parts) {
        if (typeof part !== "string") walk(part.expression, analysis, filters);
      }
      return;
    case "template":
      walk(node.expression, analysis, filters);
      return;
  }
}

function issueOf(error: unknown, fallbackColumn: number): TemplateIssue {
  if (error instanceof TemplateError) {
    return { message: error.message, column: error.column ?? fallbackColumn };
  }
  return { message: String(error), column: fallbackColumn };
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
  const analysis: TemplateAnalysis = { issues: [], references: [] };
  const filters = extraFilters === undefined ? undefined : new Set(extraFilters);
  scanTemplate(source, {
    text() {},
    env() {},
    template(open) {
      try {
        const parsed = parseTemplateAt(source, open);
        walk(parsed.expression, analysis, filters);
        return parsed.end;
      } catch (error) {
        analysis.issues.push(issueOf(error, open));
        const close = source.indexOf("}}", open + 3);
        return close < 0 ? source.length : close + 2;
      }
    },
  });
  return analysis;
}

/** Checks an `if:`/`until:` condition without evaluating it (a boolean has nothing to check). */
export function analyzeCondition(
  condition: string | boolean,
  extraFilters?: Iterable<string>,
): TemplateAnalysis {
  const analysis: TemplateAnalysis = { issues: [], references: [] };
  if (typeof condition === "boolean") return analysis;
  const filters = extraFilters === undefined ? undefined : new Set(extraFilters);
  try {
    walk(parseCondition(condition).expression, analysis, filters);
  } catch (error) {
    analysis.issues.push(issueOf(error, 0));
  }
  return analysis;
}
