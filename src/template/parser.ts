/**
 * Recursive-descent parser of the expression language, lexing on demand so that conditions can
 * hold `${{ }}` templates (bare or inside string literals) that become literal values.
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

import { TemplateError } from "../errors.ts";
import type { FilterNode, Node, PathNode, Segment, TemplateNode } from "./ast.ts";
import { FUNCTIONS } from "./functions.ts";

const MAX_DEPTH = 48;
const MAX_NODES = 2000;

type TokenKind = "ident" | "number" | "string" | "punct" | "eof";

/** Builds a syntax `TemplateError` showing the source line with a caret under `at`. */
export function syntaxError(source: string, message: string, at: number): TemplateError {
  const lineStart = source.lastIndexOf("\n", at - 1) + 1;
  let lineEnd = source.indexOf("\n", at);
  if (lineEnd < 0) lineEnd = source.length;
  const lineNumber = countLines(source, lineStart);
  let line = source.slice(lineStart, lineEnd);
  let caret = at - lineStart;
  if (line.length > 100) {
    const from = Math.max(0, caret - 50);
    line = (from > 0 ? "…" : "") + line.slice(from, from + 100);
    caret = caret - from + (from > 0 ? 1 : 0);
  }
  const where = lineNumber > 1
    ? `line ${lineNumber}, column ${at - lineStart + 1}`
    : `column ${at + 1}`;
  return new TemplateError(
    `${message} at ${where}:\n  ${line}\n  ${" ".repeat(caret)}^`,
    { template: source, column: at },
  );
}

function countLines(source: string, until: number): number {
  let lines = 1;
  for (let i = source.indexOf("\n"); i >= 0 && i < until; i = source.indexOf("\n", i + 1)) lines++;
  return lines;
}

function isIdentStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isSegmentChar(code: number): boolean {
  return isIdentStart(code) || isDigit(code) || code === 45;
}

const KEYWORD_LITERALS: ReadonlyMap<string, boolean | null> = new Map([
  ["true", true],
  ["false", false],
  ["True", true],
  ["False", false],
  ["null", null],
  ["None", null],
]);

const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "0": "\0",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

const TWO_CHAR = new Set(["==", "!=", "<=", ">=", "&&", "||", "}}"]);
const ONE_CHAR = new Set(["<", ">", "!", "(", ")", "[", "]", ".", ",", "|", "?", "="]);

class Parser {
  readonly source: string;
  readonly condition: boolean;
  pos: number;
  kind: TokenKind = "eof";
  value: string | number = "";
  start = 0;
  end = 0;
  parts: (string | TemplateNode)[] | undefined;
  depth = 0;
  nodes = 0;
  readonly templates: TemplateNode[] = [];

  constructor(source: string, pos: number, condition: boolean) {
    this.source = source;
    this.pos = pos;
    this.condition = condition;
  }

  fail(message: string, at: number = this.start): never {
    throw syntaxError(this.source, message, at);
  }

  enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail("expression is nested too deeply");
  }

  count(): void {
    if (++this.nodes > MAX_NODES) this.fail("expression is too long");
  }

  isPunct(text: string): boolean {
    return this.kind === "punct" && this.value === text;
  }

  isWord(text: string): boolean {
    return this.kind === "ident" && this.value === text;
  }

  describeToken(): string {
    if (this.kind === "eof") return "end of expression";
    return `'${this.source.slice(this.start, this.end)}'`;
  }

  expect(text: string, what: string): void {
    if (!this.isPunct(text)) this.fail(`expected ${what}, found ${this.describeToken()}`);
    this.advance();
  }

  /** Lexes the token that starts at or after `pos`. */
  advance(): void {
    const src = this.source;
    let i = this.pos;
    while (i < src.length) {
      const c = src.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
    this.start = i;
    this.parts = undefined;
    if (i >= src.length) {
      this.kind = "eof";
      this.value = "";
      this.end = this.pos = i;
      return;
    }
    const c = src.charCodeAt(i);
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < src.length && isSegmentChar(src.charCodeAt(j))) j++;
      this.kind = "ident";
      this.value = src.slice(i, j);
      this.end = this.pos = j;
      return;
    }
    if (isDigit(c) || (c === 45 && isDigit(src.charCodeAt(i + 1)))) {
      this.lexNumber(i);
      return;
    }
    if (c === 39 || c === 34) {
      this.lexString(i);
      return;
    }
    if (c === 36) {
      if (this.condition && src.startsWith("${{", i)) {
        this.kind = "punct";
        this.value = "${{";
        this.end = this.pos = i + 3;
        return;
      }
      this.fail("unexpected '$' (templates cannot be nested here)", i);
    }
    const two = src.slice(i, i + 2);
    if (TWO_CHAR.has(two)) {
      this.kind = "punct";
      this.value = two;
      this.end = this.pos = i + 2;
      return;
    }
    const one = src[i];
    if (ONE_CHAR.has(one)) {
      this.kind = "punct";
      this.value = one;
      this.end = this.pos = i + 1;
      return;
    }
    if (one === "}") this.fail("unexpected '}' (a template ends with '}}')", i);
    if (one === "&") this.fail("unexpected '&' (did you mean '&&'?)", i);
    this.fail(`unexpected character '${one}'`, i);
  }

  lexNumber(at: number): void {
    const src = this.source;
    let j = at;
    if (src[j] === "-") j++;
    while (isDigit(src.charCodeAt(j))) j++;
    if (src[j] === "." && isDigit(src.charCodeAt(j + 1))) {
      j++;
      while (isDigit(src.charCodeAt(j))) j++;
    }
    if (src[j] === "e" || src[j] === "E") {
      let k = j + 1;
      if (src[k] === "+" || src[k] === "-") k++;
      if (isDigit(src.charCodeAt(k))) {
        while (isDigit(src.charCodeAt(k))) k++;
        j = k;
      }
    }
    if (j < src.length && isSegmentChar(src.charCodeAt(j))) {
      this.fail("invalid number (a path cannot start with a digit)", at);
    }
    this.kind = "number";
    this.value = Number(src.slice(at, j));
    this.end = this.pos = j;
  }

  lexString(at: number): void {
    const src = this.source;
    const quote = src[at];
    let i = at + 1;
    let text = "";
    let parts: (string | TemplateNode)[] | undefined;
    for (;;) {
      if (i >= src.length) this.fail("unterminated string", at);
      const char = src[i];
      if (char === quote) {
        i++;
        break;
      }
      if (char === "\\" && i + 1 < src.length) {
        const next = src[i + 1];
        text += ESCAPES[next] ?? "\\" + next;
        i += 2;
        continue;
      }
      if (this.condition && char === "$" && src.startsWith("${{", i)) {
        parts ??= [];
        if (text !== "") parts.push(text);
        text = "";
        const template = this.parseTemplate(i, true);
        parts.push(template);
        i = template.end;
        continue;
      }
      text += char;
      i++;
    }
    if (parts !== undefined && text !== "") parts.push(text);
    this.kind = "string";
    this.value = text;
    this.parts = parts;
    this.start = at;
    this.end = this.pos = i;
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
