/**
 * Splits a string into literal text, `${VAR}` references and `${{ }}` templates, compiles it
 * once and caches the result by source text.
 *
 * The env pass only ever reads the literal text of the source: values substituted from
 * templates are never scanned again, so a param value of `${SECRET}` stays that text.
 *
 * @module
 */

import { type EnvReference, readEnvReference } from "./env.ts";
import { compileNode, type Evaluate } from "./evaluate.ts";
import { parseTemplateAt } from "./parser.ts";
import type { RenderOptions, Scope } from "./types.ts";
import { stringifyValue } from "./values.ts";

/** What `scanTemplate()` reports, in source order. */
export interface ScanHandlers {
  /** Literal text, with `$$` already collapsed to `$`. */
  text(text: string): void;
  /** A `${VAR}` reference. */
  env(reference: EnvReference): void;
  /** A `${{` at `open`; returns the offset just after its `}}`. */
  template(open: number): number;
}

/** Walks `source` left to right: `$$` → `$`, `${{ … }}` templates, `${VAR}` references. */
export function scanTemplate(source: string, handlers: ScanHandlers): void {
  let i = 0;
  let text = "";
  while (i < source.length) {
    const dollar = source.indexOf("$", i);
    if (dollar < 0) {
      text += source.slice(i);
      break;
    }
    text += source.slice(i, dollar);
    const next = source[dollar + 1];
    if (next === "$") {
      text += "$";
      i = dollar + 2;
      continue;
    }
    if (next === "{") {
      if (source[dollar + 2] === "{") {
        if (text !== "") handlers.text(text);
        text = "";
        i = handlers.template(dollar);
        continue;
      }
      const found = readEnvReference(source, dollar);
      if (found !== undefined) {
        if (text !== "") handlers.text(text);
        text = "";
        handlers.env(found.reference);
        i = found.end;
        continue;
      }
    }
    text += "$";
    i = dollar + 1;
  }
  if (text !== "") handlers.text(text);
}

type Part = string | Evaluate | EnvReference;

/** A string compiled once: render it against any scope. */
export interface CompiledTemplate {
  /** The source text. */
  readonly source: string;
  /**
   * `text`: no template (rendering returns the text with `$$` collapsed and `${VAR}` replaced);
   * `single`: one template and only whitespace around it (rendering returns the native value);
   * `mixed`: templates inside text (rendering returns a string).
   */
  readonly kind: "text" | "single" | "mixed";
  /**
   * Renders against `scope`.
   *
   * @throws {TemplateError} for a missing path, a filter failure or an unset env variable.
   */
  render(scope: Scope, options: RenderOptions): unknown;
}

class Single implements CompiledTemplate {
  readonly kind = "single";
  constructor(readonly source: string, private readonly evaluate: Evaluate) {}
  render(scope: Scope, options: RenderOptions): unknown {
    const value = this.evaluate(scope, options);
    return value === undefined ? null : value;
  }
}

class Mixed implements CompiledTemplate {
  constructor(
    readonly source: string,
    readonly kind: "text" | "mixed",
    private readonly parts: readonly Part[],
  ) {}
  render(scope: Scope, options: RenderOptions): string {
    const parts = this.parts;
    let out = "";
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (typeof part === "string") out += part;
      else if (typeof part === "function") {
        out += stringifyValue(part(scope, options), options.timezone ?? "UTC");
      } else out += part.resolve(options);
    }
    return out;
  }
}

function isBlank(source: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = source.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

function compileUncached(source: string): CompiledTemplate {
  let lead = 0;
  while (lead < source.length && isBlank(source, lead, lead + 1)) lead++;
  if (source.startsWith("${{", lead)) {
    const parsed = parseTemplateAt(source, lead);
    if (isBlank(source, parsed.end, source.length)) {
      return new Single(source, compileNode(parsed.expression, source));
    }
  }
  const parts: Part[] = [];
  let hasTemplate = false;
  scanTemplate(source, {
    text(text) {
      const last = parts.length - 1;
      if (last >= 0 && typeof parts[last] === "string") parts[last] += text;
      else parts.push(text);
    },
    env(reference) {
      parts.push(reference);
    },
    template(open) {
      const parsed = parseTemplateAt(source, open);
      parts.push(compileNode(parsed.expression, source));
      hasTemplate = true;
      return parsed.end;
    },
  });
  return new Mixed(source, hasTemplate ? "mixed" : "text", parts);
}

const MAX_CACHED = 4096;
const cache = new Map<string, CompiledTemplate>();

/**
 * Compiles `source` (or returns the cached compilation of the same text).
 *
 * @example
 * ```ts
 * const compiled = compileTemplate("run ${{ params.name | upper }}");
 * compiled.render({ params: { name: "etl" } }, {}); // "run ETL"
 * ```
 * @throws {TemplateError} on a syntax error or an unknown function, with the column.
 */
export function compileTemplate(source: string): CompiledTemplate {
  let compiled = cache.get(source);
  if (compiled === undefined) {
    compiled = compileUncached(source);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(source, compiled);
  }
  return compiled;
}

/** Whether `text` holds a `${{` that is not escaped as `$${{`. */
export function stringHasTemplate(text: string): boolean {
  let at = text.indexOf("${{");
  while (at >= 0) {
    let dollars = 0;
    for (let i = at - 1; i >= 0 && text[i] === "$"; i--) dollars++;
    if (dollars % 2 === 0) return true;
    at = text.indexOf("${{", at + 1);
  }
  return false;
}
