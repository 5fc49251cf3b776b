/**
 * The template and expression language: `${{ expression | filter }}` rendering, `if:`/`until:`
 * conditions, `${VAR}` environment references, filters and static analysis. Pure functions:
 * no `eval`, no `Function`, no access to prototypes or globals.
 *
 * @example
 * ```ts
 * import { render } from "./mod.ts";
 * render("Hello ${{ params.name | title }}", { params: { name: "ann" } }); // "Hello Ann"
 * ```
 *
 * @module
 */

export type { FilterFunction, FilterRegistry, RenderOptions, Scope } from "./types.ts";
export { BUILTIN_FILTERS, createFilters } from "./filters.ts";
export { evaluateCondition, hasTemplate, render, renderString } from "./render.ts";
export { type CompiledTemplate, compileTemplate } from "./compile.ts";
export { compileCondition, type CompiledCondition } from "./condition.ts";
export {
  analyzeCondition,
  analyzeTemplate,
  findUnquotedTemplates,
  type TemplateAnalysis,
  type TemplateIssue,
  type UnquotedTemplate,
} from "./analyze.ts";
export { strftime } from "./strftime.ts";
export { stringifyValue } from "./values.ts";
export { formatIsoInZone, type ParsedIso, parseIsoDateTime } from "./zoned_time.ts";
