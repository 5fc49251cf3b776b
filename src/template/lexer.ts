/**
 * The tokenizer of the expression language and its error messages. Tokens are read one at a
 * time, on demand, because what a `$` or a quoted `${{` means depends on what is being parsed:
 * in a condition they open a template, elsewhere they are an error or plain text.
 *
 * @module
 */

import { TemplateError } from "../errors.ts";
import type { TemplateNode } from "./ast.ts";

/** Kinds of token the {@linkcode Lexer} produces. */
export type TokenKind = "ident" | "number" | "string" | "punct" | "eof";

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

/** Whether the char code may appear in a name or a path segment: a letter, digit, `_` or `-`. */
export function isSegmentChar(code: number): boolean {
  return isIdentStart(code) || isDigit(code) || code === 45;
}

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

/**
 * Reads the tokens of one source string, holding the current token in its fields. A parser
 * extends it and supplies {@linkcode Lexer.parseTemplate}, which the lexer calls for a `${{`
 * inside a string literal of a condition.
 */
export abstract class Lexer {
  /** The whole source text. */
  readonly source: string;
  /** Whether `${{ }}` templates are values here (an `if:`/`until:` condition). */
  readonly condition: boolean;
  /** Offset where the next token is read from. */
  pos: number;
  /** Kind of the current token. */
  kind: TokenKind = "eof";
  /** Value of the current token: its text, number, or unescaped string. */
  value: string | number = "";
  /** Offset of the current token. */
  start = 0;
  /** Offset just after the current token. */
  end = 0;
  /** Text and templates of the current string token, when it holds `${{ }}`. */
  parts: (string | TemplateNode)[] | undefined;

  /** Starts reading `source` at `pos`; call {@linkcode Lexer.advance} for the first token. */
  constructor(source: string, pos: number, condition: boolean) {
    this.source = source;
    this.pos = pos;
    this.condition = condition;
  }

  /**
   * Parses the `${{ }}` template opening at `open`, leaving `pos` just after its `}}`.
   *
   * @throws {TemplateError} on a syntax error.
   */
  abstract parseTemplate(open: number, quoted: boolean): TemplateNode;

  /**
   * Throws a syntax error at `at` (the current token by default).
   *
   * @throws {TemplateError} always.
   */
  fail(message: string, at: number = this.start): never {
    throw syntaxError(this.source, message, at);
  }

  /** Whether the current token is the punctuation `text`. */
  isPunct(text: string): boolean {
    return this.kind === "punct" && this.value === text;
  }

  /** Whether the current token is the name or keyword `text`. */
  isWord(text: string): boolean {
    return this.kind === "ident" && this.value === text;
  }

  /** The current token for an error message. */
  describeToken(): string {
    if (this.kind === "eof") return "end of expression";
    return `'${this.source.slice(this.start, this.end)}'`;
  }

  /**
   * Moves past the punctuation `text`, described as `what` when it is missing.
   *
   * @throws {TemplateError} when the current token is not `text`.
   */
  expect(text: string, what: string): void {
    if (!this.isPunct(text)) this.fail(`expected ${what}, found ${this.describeToken()}`);
    this.advance();
  }

  /**
   * Lexes the token that starts at or after `pos`.
   *
   * @throws {TemplateError} on a character that starts no token, or a bad number or string.
   */
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

  private lexNumber(at: number): void {
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

  private lexString(at: number): void {
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
}
