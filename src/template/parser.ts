/**
 * Recursive-descent parser of the expression language. It drives the on-demand lexer of
 * `lexer.ts`, so that conditions can hold `${{ }}` templates (bare or inside string literals)
 * that become literal values.
 *
 * Grammar (lowest precedence first):
 * ```
 * pipeline   := or ("|" NAME ("(" literal-args ")")?)*
 * or         := and (("||" | "or") and)*
 * and        := not (("&&" | "and") not)*
 * not        := "not" not | compare
 * compare    := unary (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") unary)*
 * unary      := "!" unary | postfix
 * postfix    := primary ("." SEGMENT | "[" pipeline "]" | "?")*
 * primary    := literal | NAME | NAME "(" args ")" | "(" pipeline ")" | "${{" pipeline "}}"
 * ```
 *
 * @module
 */

import type { FilterNode, Node, PathNode, Segment, TemplateNode } from "./ast.ts";
import { FUNCTIONS } from "./functions.ts";
import { isSegmentChar, Lexer } from "./lexer.ts";

export { syntaxError } from "./lexer.ts";

const MAX_DEPTH = 48;
const MAX_NODES = 2000;

const KEYWORD_LITERALS: ReadonlyMap<string, boolean | null> = new Map([
  ["true", true],
  ["false", false],
  ["True", true],
  ["False", false],
  ["null", null],
  ["None", null],
]);

class Parser extends Lexer {
  depth = 0;
  nodes = 0;
  readonly templates: TemplateNode[] = [];

  enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail("expression is nested too deeply");
  }

  count(): void {
    if (++this.nodes > MAX_NODES) this.fail("expression is too long");
  }

  /** Parses `${{ pipeline }}` opening at `open`; leaves `pos` just after `}}`. */
  parseTemplate(open: number, quoted: boolean): TemplateNode {
    this.enter();
    this.pos = open + 3;
    this.advance();
    const expression = this.parsePipeline();
    if (!this.isPunct("}}")) {
      this.fail(`expected '}}' to close the template opened at column ${open + 1}`);
    }
    const node: TemplateNode = { type: "template", expression, start: open, end: this.end, quoted };
    this.templates.push(node);
    this.pos = this.end;
    this.depth--;
    return node;
  }

  parsePipeline(): Node {
    let node = this.parseOr();
    while (this.isPunct("|")) {
      this.advance();
      if (this.kind !== "ident") this.fail(`expected a filter name after '|'`);
      const name = this.value as string;
      const start = this.start;
      this.advance();
      const args: unknown[] = [];
      const kwargs: Record<string, unknown> = Object.create(null);
      if (this.isPunct("(")) {
        this.advance();
        while (!this.isPunct(")")) {
          if (this.kind === "ident" && !KEYWORD_LITERALS.has(this.value as string)) {
            const key = this.value as string;
            const keyAt = this.start;
            this.advance();
            if (!this.isPunct("=")) {
              this.fail("filter arguments must be literals or key=literal", keyAt);
            }
            this.advance();
            if (Object.hasOwn(kwargs, key)) this.fail(`argument '${key}' given twice`, keyAt);
            kwargs[key] = this.parseFilterLiteral();
          } else {
            if (Object.keys(kwargs).length > 0) {
              this.fail("a positional argument cannot follow a keyword argument");
            }
            args.push(this.parseFilterLiteral());
          }
          if (this.isPunct(",")) this.advance();
          else if (!this.isPunct(")")) {
            this.fail(`expected ',' or ')', found ${this.describeToken()}`);
          }
        }
        this.advance();
      }
      this.count();
      const filter: FilterNode = {
        type: "filter",
        input: node,
        name,
        args: Object.freeze(args),
        kwargs: Object.freeze(kwargs),
        start,
      };
      node = filter;
    }
    return node;
  }

  parseFilterLiteral(): unknown {
    let value: unknown;
    if (this.kind === "number" || (this.kind === "string" && this.parts === undefined)) {
      value = this.value;
    } else if (this.kind === "ident" && KEYWORD_LITERALS.has(this.value as string)) {
      value = KEYWORD_LITERALS.get(this.value as string);
    } else {
      this.fail("filter arguments must be literal strings, numbers, booleans or null");
    }
    this.advance();
    return value;
  }

  parseOr(): Node {
    let left = this.parseAnd();
    while (this.isPunct("||") || this.isWord("or")) {
      const start = this.start;
      this.advance();
      this.count();
      left = { type: "logical", operator: "or", left, right: this.parseAnd(), start };
    }
    return left;
  }

  parseAnd(): Node {
    let left = this.parseNot();
    while (this.isPunct("&&") || this.isWord("and")) {
      const start = this.start;
      this.advance();
      this.count();
      left = { type: "logical", operator: "and", left, right: this.parseNot(), start };
    }
    return left;
  }

  parseNot(): Node {
    if (this.isWord("not")) {
      const start = this.start;
      this.advance();
      this.enter();
      this.count();
      const operand = this.parseNot();
      this.depth--;
      return { type: "not", operand, start };
    }
    return this.parseComparison();
  }

  parseComparison(): Node {
    let left = this.parseUnary();
    for (;;) {
      const start = this.start;
      let operator: "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in";
      if (
        this.kind === "punct" &&
        (this.value === "==" || this.value === "!=" || this.value === "<" ||
          this.value === "<=" || this.value === ">" || this.value === ">=")
      ) {
        operator = this.value;
      } else if (this.isWord("in")) {
        operator = "in";
      } else if (this.isWord("not") && this.peekIsWord("in")) {
        this.advance();
        operator = "not in";
      } else {
        return left;
      }
      this.advance();
      this.count();
      left = { type: "compare", operator, left, right: this.parseUnary(), start };
    }
  }

  peekIsWord(text: string): boolean {
    const saved = [this.pos, this.kind, this.value, this.start, this.end] as const;
    const templates = this.templates.length;
    const parts = this.parts;
    this.advance();
    const found = this.isWord(text);
    [this.pos, this.kind, this.value, this.start, this.end] = saved;
    this.templates.length = templates;
    this.parts = parts;
    return found;
  }

  parseUnary(): Node {
    if (this.isPunct("!")) {
      const start = this.start;
      this.advance();
      this.enter();
      this.count();
      const operand = this.parseUnary();
      this.depth--;
      return { type: "not", operand, start };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  parsePrimary(): Node {
    this.count();
    const start = this.start;
    switch (this.kind) {
      case "number": {
        const value = this.value;
        this.advance();
        return { type: "literal", value, start };
      }
      case "string": {
        const value = this.value;
        const parts = this.parts;
        this.advance();
        if (parts !== undefined) return { type: "interpolation", parts, start };
        return { type: "literal", value, start };
      }
      case "ident": {
        const name = this.value as string;
        if (KEYWORD_LITERALS.has(name)) {
          this.advance();
          return { type: "literal", value: KEYWORD_LITERALS.get(name) ?? null, start };
        }
        if (name === "and" || name === "or" || name === "in" || name === "not") {
          this.fail(`unexpected keyword '${name}'`);
        }
        this.advance();
        if (this.isPunct("(")) return this.parseCall(name, start);
        const segment: Segment = { key: name, optional: false, text: name };
        return { type: "path", segments: [segment], start };
      }
      case "punct": {
        if (this.value === "(") {
          this.advance();
          this.enter();
          const inner = this.parsePipeline();
          this.depth--;
          this.expect(")", "')'");
          return inner;
        }
        if (this.value === "${{") {
          const template = this.parseTemplate(start, false);
          this.advance();
          return template;
        }
        break;
      }
    }
    if (this.kind === "eof") this.fail("unexpected end of expression");
    return this.fail(`unexpected ${this.describeToken()}`);
  }

  parseCall(name: string, start: number): Node {
    const spec = FUNCTIONS.get(name);
    if (spec === undefined) {
      this.fail(
        `unknown function '${name}'; functions are: ${[...FUNCTIONS.keys()].join(", ")}`,
        start,
      );
    }
    this.advance();
    this.enter();
    const args: Node[] = [];
    while (!this.isPunct(")")) {
      args.push(this.parsePipeline());
      if (this.isPunct(",")) this.advance();
      else if (!this.isPunct(")")) this.fail(`expected ',' or ')', found ${this.describeToken()}`);
    }
    this.depth--;
    this.advance();
    if (args.length < spec.min || args.length > spec.max) {
      const range = spec.max === Infinity
        ? `at least ${spec.min}`
        : spec.min === spec.max
        ? `${spec.min}`
        : `${spec.min} to ${spec.max}`;
      this.fail(`${name}() takes ${range} argument(s), got ${args.length}`, start);
    }
    return { type: "call", name, args, start };
  }

  parsePostfix(base: Node): Node {
    let node = base;
    for (;;) {
      if (this.isPunct(".")) {
        const src = this.source;
        const from = this.end;
        let to = from;
        while (to < src.length && isSegmentChar(src.charCodeAt(to))) to++;
        if (to === from) this.fail("expected a name after '.'", from);
        const key = src.slice(from, to);
        const path = this.pathOf(node);
        path.segments.push({ key, optional: false, text: "." + key });
        node = path;
        this.pos = to;
        this.advance();
      } else if (this.isPunct("[")) {
        const open = this.start;
        this.advance();
        this.enter();
        const inner = this.parsePipeline();
        this.depth--;
        if (!this.isPunct("]")) this.fail(`expected ']', found ${this.describeToken()}`);
        const text = this.source.slice(open, this.end);
        const segment: Segment = inner.type === "literal" &&
            (typeof inner.value === "string" || typeof inner.value === "number")
          ? { key: inner.value, optional: false, text }
          : { key: undefined, expression: inner, optional: false, text };
        const path = this.pathOf(node);
        path.segments.push(segment);
        node = path;
        this.advance();
      } else if (this.isPunct("?")) {
        if (node.type !== "path" || node.segments.length === 0) {
          this.fail("'?' must follow a path segment");
        }
        node.segments[node.segments.length - 1].optional = true;
        this.advance();
      } else {
        return node;
      }
    }
  }

  /** `node` itself when it is a path, else a new path based on it. */
  pathOf(node: Node): PathNode {
    if (node.type === "path") return node;
    this.count();
    return { type: "path", base: node, segments: [], start: node.start };
  }
}

/** Result of parsing one `${{ }}` template. */
export interface ParsedTemplate {
  readonly expression: Node;
  /** Offset just after the closing `}}`. */
  readonly end: number;
}

/**
 * Parses the template whose `${{` starts at `open` in `source`.
 *
 * @throws {TemplateError} on a syntax error or an unknown function (with the column).
 */
export function parseTemplateAt(source: string, open: number): ParsedTemplate {
  const parser = new Parser(source, open, false);
  const template = parser.parseTemplate(open, false);
  return { expression: template.expression, end: template.end };
}

/** Result of parsing an `if:`/`until:` condition. */
export interface ParsedCondition {
  readonly expression: Node;
  /** The `${{ }}` templates inside, in source order. */
  readonly templates: readonly TemplateNode[];
}

/**
 * Parses a condition: a bare expression whose `${{ }}` templates (bare or inside string
 * literals) are values, never text.
 *
 * @throws {TemplateError} on a syntax error or an unknown function (with the column).
 */
export function parseCondition(source: string): ParsedCondition {
  const parser = new Parser(source, 0, true);
  parser.advance();
  if (parser.kind === "eof") parser.fail("empty condition", 0);
  const expression = parser.parsePipeline();
  if (parser.kind !== "eof") parser.fail(`unexpected ${parser.describeToken()}`);
  const templates = [...parser.templates].sort((a, b) => a.start - b.start);
  return { expression, templates };
}
