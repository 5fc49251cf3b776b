/**
 * `if:` and `until:` conditions: a bare expression (`params.mode == 'full'`), a single
 * `${{ }}`, or the reference's style (`'"${{ params.name }}" == "foo"'`). Templates inside a
 * condition become literal values of the expression, never source text, so a value holding
 * quotes cannot break or inject into it.
 *
 * @module
 */

import { TemplateError } from "../errors.ts";
import type { TemplateNode } from "./ast.ts";
import { compileNode, type Evaluate } from "./evaluate.ts";
import { parseCondition } from "./parser.ts";
import type { RenderOptions, Scope } from "./types.ts";
import { describeValue, stringifyValue, typeName } from "./values.ts";

/** A condition compiled once. */
export interface CompiledCondition {
  /** The condition text. */
  readonly source: string;
  /**
   * Evaluates the condition against `scope`.
   *
   * @throws {TemplateError} when the result is not a boolean (showing the rendered
   * expression), or when evaluation fails.
   */
  evaluate(scope: Scope, options: RenderOptions): boolean;
}

interface ConditionTemplate {
  readonly node: TemplateNode;
  readonly evaluate: Evaluate;
}

class Condition implements CompiledCondition {
  constructor(
    readonly source: string,
    private readonly expression: Evaluate,
    /** Outermost templates, to show the rendered expression in messages. */
    private readonly templates: readonly ConditionTemplate[],
  ) {}

  evaluate(scope: Scope, options: RenderOptions): boolean {
    const value = this.expression(scope, options);
    if (typeof value === "boolean") return value;
    const rendered = this.renderedText(scope, options);
    throw new TemplateError(
      `condition must be true or false, got ${typeName(value)} ${
        describeValue(value)
      }: ${rendered}`,
      { template: this.source },
    );
  }

  /** The condition with each template replaced by its value. */
  private renderedText(scope: Scope, options: RenderOptions): string {
    const source = this.source;
    const timezone = options.timezone ?? "UTC";
    let out = "";
    let from = 0;
    for (const { node, evaluate } of this.templates) {
      out += source.slice(from, node.start);
      try {
        const value = evaluate(scope, options);
        out += node.quoted ? stringifyValue(value, timezone) : literalText(value, timezone);
      } catch {
        out += source.slice(node.start, node.end);
      }
      from = node.end;
    }
    return (out + source.slice(from)).trim();
  }
}

const MAX_CACHED = 2048;
const cache = new Map<string, CompiledCondition>();

/**
 * Compiles an `if:`/`until:` string (cached by text).
 *
 * @throws {TemplateError} on a syntax error or an unknown function.
 */
export function compileCondition(source: string): CompiledCondition {
  let compiled = cache.get(source);
  if (compiled === undefined) {
    const parsed = parseCondition(source);
    const templates: ConditionTemplate[] = [];
    let lastEnd = -1;
    for (const node of parsed.templates) {
      if (node.start < lastEnd) continue;
      templates.push({ node, evaluate: compileNode(node.expression, source) });
      lastEnd = node.end;
    }
    compiled = new Condition(source, compileNode(parsed.expression, source), templates);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(source, compiled);
  }
  return compiled;
}

function literalText(value: unknown, timezone: string): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(stringifyValue(value, timezone));
  if (value === undefined || value === null) return "null";
  return stringifyValue(value, timezone);
}
