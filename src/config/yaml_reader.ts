/**
 * A small YAML reader for the plain block layout config files are written in: block maps and
 * lists, plain and quoted one-line scalars, one-line flow lists and maps, `|` and `>` block
 * scalars, and comments. It reads the same values as the `yaml` package with the core schema
 * and can point at the same lines and columns, without importing that package.
 *
 * It is a fast path only: whenever a text strays from that layout (anchors, aliases, tags,
 * merge keys, several documents, tabs, multi-line plain or quoted scalars, flow collections
 * over several lines, explicit keys, duplicate keys, non-string keys, odd indentation, any
 * syntax error…) {@linkcode readPlainYaml} returns `undefined` and the caller parses the text
 * with the `yaml` package, so values, positions and messages never differ between the two.
 *
 * @module
 */

/** A node's place in the text, kept only when positions are asked for. */
export interface YamlSpot {
  /** Offset of the node's first character (`-1` for an empty value: a key with nothing). */
  readonly start: number;
  /** Scalars: how the value is written. */
  readonly style?: ScalarStyle;
  /** Maps: each key's offset and its value's spot. */
  readonly pairs?: Map<string, { readonly key: number; readonly value: YamlSpot }>;
  /** Lists: each item's spot. */
  readonly items?: YamlSpot[];
}

/** How a scalar is written. */
export type ScalarStyle = "plain" | "single" | "double" | "literal" | "folded";

/** What {@linkcode readPlainYaml} read. */
export interface PlainYaml {
  readonly data: unknown;
  /** Present when `positions` was asked for. */
  readonly spot?: YamlSpot;
}

/** Thrown (and caught in {@linkcode readPlainYaml}) when the text leaves the subset. */
const OUTSIDE = new Error("outside the plain YAML subset");

/** Nesting the reader follows before leaving the text to the full parser. */
const MAX_DEPTH = 64;

const EMPTY_SPOT: YamlSpot = { start: -1 };

/** Whether `text` has a character the reader does not take on: tabs, carriage returns, control
 * characters, a byte order mark or the Unicode line breaks YAML gives meaning to. A loop: a
 * regular expression with that class took 25 ns a character. */
function hasUnsupportedChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      c < 32 ? c !== NEWLINE : c >= 127 && (c === 127 || c === 0x85 || c === 0xfeff ||
        c === 0x2028 || c === 0x2029)
    ) return true;
  }
  return false;
}
// Directives, document markers.
const DOCUMENT_MARKERS = /^(?:---|\.\.\.|%)/m;

const NULL_WORD = /^(?:~|[Nn]ull|NULL)$/;
const BOOL_WORD = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

const SPACE = 32;
const NEWLINE = 10;
const HASH = 35;
const COLON = 58;
const DASH = 45;

/**
 * Reads `text` when it is in the plain block subset, else returns `undefined`.
 *
 * @param positions Also keep each node's place (for {@linkcode YamlSpot} lookups).
 *
 * @example
 * ```ts
 * readPlainYaml("a:\n  - 1\n  - x\n")?.data; // { a: [1, "x"] }
 * readPlainYaml("a: &x 1\nb: *x\n"); // undefined: anchors are left to the full parser
 * ```
 */
export function readPlainYaml(text: string, positions = false): PlainYaml | undefined {
  if (hasUnsupportedChars(text) || DOCUMENT_MARKERS.test(text)) return undefined;
  try {
    return new Reader(text, positions).document();
  } catch (error) {
    if (error === OUTSIDE) return undefined;
    // A stack overflow or anything unexpected: the full parser decides.
    return undefined;
  }
}

/** The core-schema value of a plain scalar (`OUTSIDE` for numbers the reader leaves alone). */
function plainValue(text: string): unknown {
  const c = text.charCodeAt(0);
  // Only words starting with one of `~nNtTfF+-.0-9` can be anything but a string.
  if (c === 126 || c === 110 || c === 78) return NULL_WORD.test(text) ? null : text;
  if (c === 116 || c === 84 || c === 102 || c === 70) {
    return BOOL_WORD.test(text) ? (c === 116 || c === 84) : text;
  }
  if ((c >= 48 && c <= 57) || c === 43 || c === DASH || c === 46) {
    if (OTHER_NUMBER.test(text)) throw OUTSIDE;
    if (INT.test(text)) return parseInt(text, 10);
    if (FLOAT.test(text) || FLOAT_EXP.test(text)) return parseFloat(text);
  }
  return text;
}

/** Whether a character may start a plain scalar (`-`, `?`, `:` only before a non-space). */
function plainStart(text: string, at: number): boolean {
  const c = text[at];
  switch (c) {
    case "-":
    case "?":
    case ":": {
      // Not before a space, a line end or a flow indicator (`[-]` is no scalar).
      const next = text[at + 1];
      return next !== undefined && !" \n,[]{}".includes(next);
    }
    case ",":
    case "[":
    case "]":
    case "{":
    case "}":
    case "#":
    case "&":
    case "*":
    case "!":
    case "|":
    case ">":
    case "'":
    case '"':
    case "%":
    case "@":
    case "`":
      return false;
    default:
      return c !== undefined && c !== " " && c !== "\n";
  }
}

class Reader {
  readonly #text: string;
  readonly #positions: boolean;
  /** Where reading goes on: the start of the next content line after a value. */
  #next = 0;
  #depth = 0;

  constructor(text: string, positions: boolean) {
    this.#text = text;
    this.#positions = positions;
  }

  document(): PlainYaml {
    const text = this.#text;
    const first = this.#contentLine(0);
    if (first >= text.length || text.charCodeAt(first) === SPACE) throw OUTSIDE;
    const [data, spot] = this.#blockNode(first, 0, -1);
    if (this.#next < text.length) throw OUTSIDE;
    return this.#positions ? { data, spot } : { data };
  }

  /** The start of the first line from `from` (a line start) that is not blank or a comment. */
  #contentLine(from: number): number {
    const text = this.#text;
    let at = from;
    while (at < text.length) {
      let i = at;
      while (text.charCodeAt(i) === SPACE) i++;
      const c = text.charCodeAt(i);
      if (c === NEWLINE) {
        at = i + 1;
      } else if (c === HASH) {
        const end = text.indexOf("\n", i);
        at = end < 0 ? text.length : end + 1;
      } else if (Number.isNaN(c)) {
        return text.length;
      } else {
        return at;
      }
    }
    return text.length;
  }

  #indent(lineStart: number): number {
    let i = lineStart;
    while (this.#text.charCodeAt(i) === SPACE) i++;
    return i - lineStart;
  }

  #lineEnd(at: number): number {
    const end = this.#text.indexOf("\n", at);
    return end < 0 ? this.#text.length : end;
  }

  /** After a value ending at `at`: only spaces and a comment may follow on its line. */
  #endLine(at: number): void {
    const text = this.#text;
    let i = at;
    while (text.charCodeAt(i) === SPACE) i++;
    const c = text.charCodeAt(i);
    if (c === HASH) {
      if (i === at) throw OUTSIDE; // `#` must follow a space to start a comment
      i = this.#lineEnd(i);
    } else if (!(c === NEWLINE || Number.isNaN(c))) {
      throw OUTSIDE;
    }
    this.#next = this.#contentLine(i + 1);
  }

  #isSeqEntry(at: number): boolean {
    if (this.#text.charCodeAt(at) !== DASH) return false;
    const next = this.#text.charCodeAt(at + 1);
    return next === SPACE || next === NEWLINE || Number.isNaN(next);
  }

  /** A node starting at offset `at` (column `column`) inside a block indented `parent`. */
  #blockNode(at: number, column: number, parent: number): [unknown, YamlSpot | undefined] {
    if (++this.#depth > MAX_DEPTH) throw OUTSIDE;
    let result: [unknown, YamlSpot | undefined];
    if (this.#isSeqEntry(at)) result = this.#blockSeq(at, column);
    else if (this.#key(at)) result = this.#blockMap(at, column);
    else result = this.#inlineValue(at, parent);
    this.#depth--;
    return result;
  }

  /**
   * The key of a `key: value` entry at `at`: its text and where its value starts (after the
   * `:` and spaces), or `undefined` when the line is no map entry.
   */
  #key(at: number): { key: string; after: number } | undefined {
    const text = this.#text;
    const c = text[at];
    let keyEnd: number;
    let key: string;
    if (c === '"' || c === "'") {
      const quoted = this.#quoted(at);
      if (!quoted) return undefined;
      let i = quoted.end;
      while (text.charCodeAt(i) === SPACE) i++;
      if (text.charCodeAt(i) !== COLON) return undefined;
      const next = text.charCodeAt(i + 1);
      // `"key":value` (no space) is read differently in block and flow context: leave it.
      if (!(next === SPACE || next === NEWLINE || Number.isNaN(next))) throw OUTSIDE;
      keyEnd = i;
      key = quoted.value;
    } else {
      if (c === "?" && !plainStart(text, at)) throw OUTSIDE; // an explicit key
      if (!plainStart(text, at)) return undefined;
      const end = this.#lineEnd(at);
      let i = at;
      for (; i < end; i++) {
        const ch = text.charCodeAt(i);
        if (ch === COLON) {
          const next = text.charCodeAt(i + 1);
          if (next === SPACE || next === NEWLINE || Number.isNaN(next)) break;
        } else if (ch === HASH && text.charCodeAt(i - 1) === SPACE) {
          return undefined; // a comment starts before any `: `
        }
      }
      if (i >= end) return undefined;
      keyEnd = i;
      let last = i;
      while (text.charCodeAt(last - 1) === SPACE) last--;
      key = text.slice(at, last);
      if (typeof plainValue(key) !== "string") throw OUTSIDE; // a null, bool or number key
    }
    if (key === "<<" || key === "__proto__") throw OUTSIDE;
    let after = keyEnd + 1;
    while (text.charCodeAt(after) === SPACE) after++;
    return { key, after };
  }

  #blockMap(at: number, column: number): [unknown, YamlSpot | undefined] {
    const text = this.#text;
    const map: Record<string, unknown> = {};
    const pairs = this.#positions ? new Map<string, { key: number; value: YamlSpot }>() : undefined;
    let entry = at;
    for (;;) {
      const found = this.#key(entry);
      if (!found) throw OUTSIDE;
      const { key, after } = found;
      if (Object.hasOwn(map, key)) throw OUTSIDE; // a duplicate key: the full parser reports it
      let value: unknown;
      let spot: YamlSpot | undefined;
      const c = text.charCodeAt(after);
      if (
        c === NEWLINE || Number.isNaN(c) || (c === HASH && text.charCodeAt(after - 1) === SPACE)
      ) {
        // The value is on the following lines: more indented, or a list at the key's indent.
        const next = this.#contentLine(
          after >= text.length ? text.length : this.#lineEnd(after) + 1,
        );
        const indent = next < text.length ? this.#indent(next) : -1;
        if (indent > column) {
          [value, spot] = this.#blockNode(next + indent, indent, column);
        } else if (indent === column && this.#isSeqEntry(next + indent)) {
          if (++this.#depth > MAX_DEPTH) throw OUTSIDE;
          [value, spot] = this.#blockSeq(next + indent, indent);
          this.#depth--;
        } else {
          value = null;
          spot = EMPTY_SPOT;
          this.#next = next;
        }
      } else {
        if (c === HASH) throw OUTSIDE;
        [value, spot] = this.#inlineValue(after, column);
      }
      map[key] = value;
      pairs?.set(key, { key: entry, value: spot! });
      const next = this.#next;
      if (next >= text.length) break;
      const indent = this.#indent(next);
      if (indent < column) break;
      if (indent > column) throw OUTSIDE;
      entry = next + indent;
    }
    return [map, pairs ? { start: at, pairs } : undefined];
  }

  #blockSeq(at: number, column: number): [unknown, YamlSpot | undefined] {
    const text = this.#text;
    const list: unknown[] = [];
    const items: YamlSpot[] | undefined = this.#positions ? [] : undefined;
    let entry = at;
    for (;;) {
      let content = entry + 1;
      while (text.charCodeAt(content) === SPACE) content++;
      const c = text.charCodeAt(content);
      let value: unknown;
      let spot: YamlSpot | undefined;
      if (c === NEWLINE || Number.isNaN(c) || c === HASH) {
        if (c === HASH && content === entry + 1) throw OUTSIDE;
        const next = this.#contentLine(
          content >= text.length ? text.length : this.#lineEnd(content) + 1,
        );
        const indent = next < text.length ? this.#indent(next) : -1;
        if (indent > column) {
          [value, spot] = this.#blockNode(next + indent, indent, column);
        } else {
          value = null;
          spot = EMPTY_SPOT;
          this.#next = next;
        }
      } else {
        [value, spot] = this.#blockNode(content, column + (content - entry), column);
      }
      list.push(value);
      items?.push(spot!);
      const next = this.#next;
      if (next >= text.length) break;
      const indent = this.#indent(next);
      if (indent < column) break;
      if (indent > column) throw OUTSIDE;
      if (!this.#isSeqEntry(next + indent)) break;
      entry = next + indent;
    }
    return [list, items ? { start: at, items } : undefined];
  }

  /** A value that starts on the current line: a scalar, a flow collection or a block scalar. */
  #inlineValue(at: number, parent: number): [unknown, YamlSpot | undefined] {
    const text = this.#text;
    const c = text[at];
    if (c === "|" || c === ">") return this.#blockScalar(at, parent);
    if (c === "[" || c === "{") {
      const [value, spot, end] = this.#flow(at);
      this.#endLine(end);
      return [value, spot];
    }
    if (c === '"' || c === "'") {
      const quoted = this.#quoted(at);
      if (!quoted) throw OUTSIDE;
      this.#endLine(quoted.end);
      return [quoted.value, this.#spot(at, c === '"' ? "double" : "single")];
    }
    if (!plainStart(text, at)) throw OUTSIDE;
    const end = this.#lineEnd(at);
    let stop = end;
    for (let i = at; i < end; i++) {
      const ch = text.charCodeAt(i);
      if (ch === HASH && text.charCodeAt(i - 1) === SPACE) {
        stop = i;
        break;
      }
      if (ch === COLON) {
        const next = text.charCodeAt(i + 1);
        if (next === SPACE || next === NEWLINE || Number.isNaN(next)) throw OUTSIDE;
      }
    }
    while (text.charCodeAt(stop - 1) === SPACE) stop--;
    const raw = text.slice(at, stop);
    // A following line indented deeper (even a comment) would continue a plain scalar.
    const next = end >= text.length ? text.length : end + 1;
    const following = this.#nextNonBlank(next);
    if (following < text.length && this.#indent(following) > parent) throw OUTSIDE;
    this.#next = this.#contentLine(next);
    return [plainValue(raw), this.#spot(at, "plain")];
  }

  /** The first line from `from` that is not blank (comment lines count). */
  #nextNonBlank(from: number): number {
    const text = this.#text;
    let at = from;
    while (at < text.length) {
      let i = at;
      while (text.charCodeAt(i) === SPACE) i++;
      if (text.charCodeAt(i) !== NEWLINE) {
        return Number.isNaN(text.charCodeAt(i)) ? text.length : at;
      }
      at = i + 1;
    }
    return text.length;
  }

  #spot(start: number, style: ScalarStyle): YamlSpot | undefined {
    return this.#positions ? { start, style } : undefined;
  }

  /** A quoted scalar that closes on its line: its value and the offset after the quote. */
  #quoted(at: number): { value: string; end: number } | undefined {
    const text = this.#text;
    const quote = text.charCodeAt(at);
    const end = this.#lineEnd(at);
    if (quote === 39 /* ' */) {
      let value = "";
      let from = at + 1;
      for (let i = from; i < end; i++) {
        if (text.charCodeAt(i) === 39) {
          if (text.charCodeAt(i + 1) === 39) {
            value += text.slice(from, i + 1);
            from = i + 2;
            i++;
          } else {
            return { value: value + text.slice(from, i), end: i + 1 };
          }
        }
      }
      throw OUTSIDE; // continues on the next line
    }
    let value = "";
    let from = at + 1;
    for (let i = from; i < end; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 34 /* " */) return { value: value + text.slice(from, i), end: i + 1 };
      if (ch === 92 /* \ */) {
        value += text.slice(from, i);
        const [char, length] = this.#escape(i + 1, end);
        value += char;
        i += length;
        from = i + 1;
      }
    }
    throw OUTSIDE;
  }

  /** A double-quoted escape after `\` at `at`: its text and how many characters it took. */
  #escape(at: number, end: number): [string, number] {
    const text = this.#text;
    if (at >= end) throw OUTSIDE;
    const c = text[at];
    switch (c) {
      case "\\":
      case '"':
      case "/":
      case " ":
        return [c, 1];
      case "n":
        return ["\n", 1];
      case "t":
        return ["\t", 1];
      case "r":
        return ["\r", 1];
      case "0":
        return ["\0", 1];
      case "a":
        return ["\x07", 1];
      case "b":
        return ["\b", 1];
      case "e":
        return ["\x1b", 1];
      case "f":
        return ["\f", 1];
      case "v":
        return ["\v", 1];
      case "x":
      case "u":
      case "U": {
        const length = c === "x" ? 2 : c === "u" ? 4 : 8;
        const hex = text.slice(at + 1, at + 1 + length);
        if (hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) throw OUTSIDE;
        const code = parseInt(hex, 16);
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw OUTSIDE;
        return [String.fromCodePoint(code), 1 + length];
      }
      default:
        throw OUTSIDE;
    }
  }

  /** A one-line flow list or map at `at`: its value, spot and the offset after it. */
  #flow(at: number): [unknown, YamlSpot | undefined, number] {
    if (++this.#depth > MAX_DEPTH) throw OUTSIDE;
    const text = this.#text;
    const open = text[at];
    let i = this.#skipSpaces(at + 1);
    let result: [unknown, YamlSpot | undefined, number];
    if (open === "[") {
      const list: unknown[] = [];
      const items: YamlSpot[] | undefined = this.#positions ? [] : undefined;
      while (text[i] !== "]") {
        const [value, spot, end] = this.#flowItem(i, "]");
        list.push(value);
        items?.push(spot!);
        i = this.#skipSpaces(end);
        if (text[i] === ",") i = this.#skipSpaces(i + 1);
        else if (text[i] !== "]") throw OUTSIDE;
      }
      result = [list, items ? { start: at, items } : undefined, i + 1];
    } else {
      const map: Record<string, unknown> = {};
      const pairs = this.#positions
        ? new Map<string, { key: number; value: YamlSpot }>()
        : undefined;
      while (text[i] !== "}") {
        const keyAt = i;
        let key: string;
        let end: number;
        if (text[i] === '"' || text[i] === "'") {
          const quoted = this.#quoted(i);
          if (!quoted) throw OUTSIDE;
          key = quoted.value;
          end = quoted.end;
        } else {
          if (!plainStart(text, i)) throw OUTSIDE;
          end = this.#flowPlainEnd(i);
          key = text.slice(i, end);
          if (typeof plainValue(key) !== "string") throw OUTSIDE;
        }
        if (key === "<<" || key === "__proto__" || Object.hasOwn(map, key)) throw OUTSIDE;
        i = this.#skipSpaces(end);
        if (text[i] !== ":" || text[i + 1] !== " ") throw OUTSIDE;
        i = this.#skipSpaces(i + 1);
        const c = text[i];
        if (c === "," || c === "}" || c === "\n" || c === undefined) throw OUTSIDE;
        const [value, spot, valueEnd] = this.#flowItem(i, "}");
        map[key] = value;
        pairs?.set(key, { key: keyAt, value: spot! });
        i = this.#skipSpaces(valueEnd);
        if (text[i] === ",") i = this.#skipSpaces(i + 1);
        else if (text[i] !== "}") throw OUTSIDE;
      }
      result = [map, pairs ? { start: at, pairs } : undefined, i + 1];
    }
    this.#depth--;
    return result;
  }

  #skipSpaces(at: number): number {
    let i = at;
    while (this.#text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  /** One item of a flow collection; a `key: value` pair inside a list is left alone. */
  #flowItem(at: number, close: string): [unknown, YamlSpot | undefined, number] {
    const text = this.#text;
    const c = text[at];
    let result: [unknown, YamlSpot | undefined, number];
    if (c === "[" || c === "{") {
      result = this.#flow(at);
    } else if (c === '"' || c === "'") {
      const quoted = this.#quoted(at);
      if (!quoted) throw OUTSIDE;
      result = [quoted.value, this.#spot(at, c === '"' ? "double" : "single"), quoted.end];
    } else {
      if (!plainStart(text, at)) throw OUTSIDE;
      const end = this.#flowPlainEnd(at);
      if (end === at) throw OUTSIDE;
      result = [plainValue(text.slice(at, end)), this.#spot(at, "plain"), end];
    }
    const after = this.#skipSpaces(result[2]);
    const next = text[after];
    if (next !== "," && next !== close) throw OUTSIDE;
    return result;
  }

  /** The end of a plain scalar inside a flow collection (trailing spaces excluded). */
  #flowPlainEnd(at: number): number {
    const text = this.#text;
    let i = at;
    for (;; i++) {
      const c = text[i];
      if (
        c === undefined || c === "\n" || c === "," || c === "[" || c === "]" || c === "{" ||
        c === "}"
      ) break;
      if (c === ":") {
        const next = text[i + 1];
        if (next === " " || next === "," || next === "]" || next === "}" || next === "\n") break;
      }
      if (c === "#" && text[i - 1] === " ") throw OUTSIDE;
    }
    if (text[i] === "\n" || text[i] === undefined) throw OUTSIDE;
    while (text.charCodeAt(i - 1) === SPACE) i--;
    return i;
  }

  /** A `|` or `>` block scalar whose header is at `at`, inside a block indented `parent`. */
  #blockScalar(at: number, parent: number): [unknown, YamlSpot | undefined] {
    const text = this.#text;
    const literal = text[at] === "|";
    let i = at + 1;
    let chomp: "clip" | "strip" | "keep" = "clip";
    if (text[i] === "-") {
      chomp = "strip";
      i++;
    } else if (text[i] === "+") {
      chomp = "keep";
      i++;
    }
    const headerEnd = this.#lineEnd(i);
    const rest = text.slice(i, headerEnd);
    // Nothing but spaces and a comment after the indicators (no explicit indentation).
    if (rest !== "" && !/^ +(?:#.*)?$/.test(rest)) throw OUTSIDE;
    if (headerEnd >= text.length) throw OUTSIDE;
    // Content lines: blank lines, and lines indented as deep as the first non-blank one.
    const lines: string[] = [];
    let indent = -1;
    let lineStart = headerEnd + 1;
    let end = lineStart;
    while (lineStart < text.length) {
      const lineEnd = this.#lineEnd(lineStart);
      const spaces = this.#indent(lineStart);
      const blank = lineStart + spaces === lineEnd;
      if (blank) {
        // Whitespace past the content indent would be content; leave that to the parser.
        if (indent >= 0 ? spaces > indent : false) throw OUTSIDE;
        lines.push("");
      } else {
        if (indent < 0) {
          if (spaces <= parent) break;
          indent = spaces;
          // Leading blank lines longer than the indent found later are an error in YAML.
          for (let j = headerEnd + 1; j < lineStart; j = this.#lineEnd(j) + 1) {
            if (this.#lineEnd(j) - j > indent) throw OUTSIDE;
          }
        }
        if (spaces < indent) {
          if (spaces > parent) throw OUTSIDE;
          break;
        }
        const content = text.slice(lineStart + indent, lineEnd);
        if (!literal && content.charCodeAt(0) === SPACE) throw OUTSIDE; // more-indented lines
        lines.push(content);
      }
      if (lineEnd >= text.length) throw OUTSIDE; // no final line break
      lineStart = lineEnd + 1;
      end = lineStart;
    }
    if (indent < 0) throw OUTSIDE; // an empty block scalar
    // Lines after the last content line are trailing blank lines.
    let last = lines.length;
    while (last > 0 && lines[last - 1] === "") last--;
    const trailing = lines.length - last;
    const body = lines.slice(0, last);
    let value: string;
    if (literal) {
      value = body.join("\n");
    } else {
      value = "";
      for (let j = 0; j < body.length; j++) {
        if (j === 0) {
          value = body[0];
          continue;
        }
        if (body[j] === "") continue;
        // Blank lines between two content lines become newlines; none becomes a space.
        let blanks = 0;
        for (let k = j - 1; k >= 0 && body[k] === ""; k--) blanks++;
        value += blanks ? "\n".repeat(blanks) : " ";
        value += body[j];
      }
      if (body[0] === "") throw OUTSIDE; // leading blank lines in a folded scalar
    }
    if (chomp === "clip") value += "\n";
    else if (chomp === "keep") value += "\n" + "\n".repeat(trailing);
    this.#next = this.#contentLine(end);
    return [value, this.#spot(at, literal ? "literal" : "folded")];
  }
}
