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

/** A character the reader does not take on: tabs, carriage returns, control characters, a
 * byte order mark or the Unicode line breaks YAML gives meaning to. */
// deno-lint-ignore no-control-regex -- control characters are what it looks for
const UNSUPPORTED_CHAR = /[\x00-\x09\x0b-\x1f\x7f\x85\ufeff\u2028\u2029]/;
// Directives, document markers.
const DOCUMENT_MARKERS = /^(?:---|\.\.\.|%)/m;

const NULL_WORD = /^(?:~|[Nn]ull|NULL)$/;
const BOOL_WORD = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

// Scans that run in the regular expression engine's native code rather than character by
// character in JavaScript: a file is read once, mostly while V8 still interprets the reader.
/** From a plain scalar's or key's start, over everything but a line end, a comment (` #`) and a
 * `:` that ends a key (before a space, a line end or the end of the text). */
const PLAIN_SCAN = /(?:[^\n:#]|(?<! )#|:(?![ \n]|$))*/y;
/** The same inside a flow collection, which `,[]{}` also end, and where `:` ends a key before
 * any of ` ,]}` or a line end. */
const FLOW_PLAIN_SCAN = /(?:[^\n,[\]{}:#]|(?<! )#|:(?![ ,\]}\n]))*/y;
/** A double-quoted scalar's characters up to its closing quote, an escape or the line end. */
const DOUBLE_QUOTED_SCAN = /[^"\\\n]*/y;

/** Where `scan` stops when run from `at`. */
function scanFrom(scan: RegExp, text: string, at: number): number {
  scan.lastIndex = at;
  scan.test(text);
  return scan.lastIndex;
}

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
  if (UNSUPPORTED_CHAR.test(text) || DOCUMENT_MARKERS.test(text)) return undefined;
  src = text;
  keep = positions;
  resume = 0;
  depth = 0;
  try {
    return readDocument();
  } catch {
    // `OUTSIDE`, a stack overflow or anything unexpected: the full parser decides.
    return undefined;
  } finally {
    src = "";
    spotOut = undefined;
  }
}

/** The core-schema value of a plain scalar (`OUTSIDE` for numbers the reader leaves alone). */
function plainValue(text: string): unknown {
  const c = text.charCodeAt(0);
  const length = text.length;
  // Only words starting with one of `~nNtTfF+-.0-9` can be anything but a string; null words
  // have 1 or 4 letters and booleans 4 or 5 (keys such as `timezone` skip the expressions).
  if (c === 126 || c === 110 || c === 78) {
    return (length === 1 || length === 4) && NULL_WORD.test(text) ? null : text;
  }
  if (c === 116 || c === 84 || c === 102 || c === 70) {
    return (length === 4 || length === 5) && BOOL_WORD.test(text) ? (c === 116 || c === 84) : text;
  }
  if ((c >= 48 && c <= 57) || c === 43 || c === DASH || c === 46) {
    if (OTHER_NUMBER.test(text)) throw OUTSIDE;
    if (INT.test(text)) return parseInt(text, 10);
    if (FLOAT.test(text) || FLOAT_EXP.test(text)) return parseFloat(text);
  }
  return text;
}

/** Per character code below 128: 1 when it never starts a plain scalar (indicators, space, line
 * end), 2 for `-`, `?` and `:`, which start one only before a character that is not a space, a
 * line end or a flow indicator. A table rather than a `switch` on one-character strings. */
const PLAIN_START = new Uint8Array(128);
for (const c of ",[]{}#&*!|>'\"%@` \n") PLAIN_START[c.charCodeAt(0)] = 1;
for (const c of "-?:") PLAIN_START[c.charCodeAt(0)] = 2;
/** The characters after which `-`, `?` or `:` starts no plain scalar. */
const NOT_AFTER_INDICATOR = new Uint8Array(128);
for (const c of " \n,[]{}") NOT_AFTER_INDICATOR[c.charCodeAt(0)] = 1;

/** Whether a character may start a plain scalar (`-`, `?`, `:` only before a non-space). */
function plainStart(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c >= 128) return true;
  if (Number.isNaN(c)) return false;
  const kind = PLAIN_START[c];
  if (kind !== 2) return kind === 0;
  const next = text.charCodeAt(at + 1);
  return !Number.isNaN(next) && (next >= 128 || NOT_AFTER_INDICATOR[next] === 0);
}

// The reader's state while one text is read (module variables rather than fields of an
// object: the reader runs once per file, mostly in V8's first tiers, where a private field or
// method of a class costs a keyed property load and a variable of the module costs nothing).
// {@linkcode readPlainYaml} sets it up and clears it; reading never calls out, so it cannot
// be re-entered.

/** The text being read. */
let src = "";
/** Whether places are kept. */
let keep = false;
/** Where reading goes on: the start of the next content line after a value. */
let resume = 0;
/** The indentation of the `resume` line (`-1` at the end of the text). */
let resumeIndent = -1;
let depth = 0;
// What `contentLine` found besides the line it returns: that line's indentation, and the first
// line that is not blank (a comment line counts) with its indentation, so that no line's
// indentation is counted twice.
let lineIndent = -1;
let firstNonBlank = 0;
let firstNonBlankIndent = -1;
// What the last read gave besides its value: its spot (when places are kept), where it ended
// (flow items, quoted scalars) and where a key's value starts. Out-variables, not returned
// tuples: in V8's first tiers, destructuring a returned array walks the iterator protocol.
let spotOut: YamlSpot | undefined;
let endOut = 0;
let afterOut = 0;

function readDocument(): PlainYaml {
  const text = src;
  const first = contentLine(0);
  if (first >= text.length || text.charCodeAt(first) === SPACE) throw OUTSIDE;
  const data = blockNode(first, 0, -1);
  if (resume < text.length) throw OUTSIDE;
  return keep ? { data, spot: spotOut } : { data };
}

/**
 * The start of the first line from `from` (a line start) that is not blank or a comment; its
 * indentation goes to `lineIndent`, and the first line that is not blank (comments count) to
 * `firstNonBlank` and `firstNonBlankIndent` (`text.length` and `-1` at the end).
 */
function contentLine(from: number): number {
  const text = src;
  let at = from;
  firstNonBlank = -1;
  while (at < text.length) {
    let i = at;
    while (text.charCodeAt(i) === SPACE) i++;
    const c = text.charCodeAt(i);
    if (c === NEWLINE) {
      at = i + 1;
      continue;
    }
    if (Number.isNaN(c)) break;
    if (firstNonBlank < 0) {
      firstNonBlank = at;
      firstNonBlankIndent = i - at;
    }
    if (c !== HASH) {
      lineIndent = i - at;
      return at;
    }
    const end = text.indexOf("\n", i);
    at = end < 0 ? text.length : end + 1;
  }
  if (firstNonBlank < 0) {
    firstNonBlank = text.length;
    firstNonBlankIndent = -1;
  }
  lineIndent = -1;
  return text.length;
}

/** Moves reading on to the first content line from `from`. */
function resumeFrom(from: number): void {
  resume = contentLine(from);
  resumeIndent = lineIndent;
}

function indentOf(lineStart: number): number {
  let i = lineStart;
  while (src.charCodeAt(i) === SPACE) i++;
  return i - lineStart;
}

function endOfLine(at: number): number {
  const end = src.indexOf("\n", at);
  return end < 0 ? src.length : end;
}

/** After a value ending at `at`: only spaces and a comment may follow on its line. */
function endLine(at: number): void {
  const text = src;
  let i = at;
  while (text.charCodeAt(i) === SPACE) i++;
  const c = text.charCodeAt(i);
  if (c === HASH) {
    if (i === at) throw OUTSIDE; // `#` must follow a space to start a comment
    i = endOfLine(i);
  } else if (!(c === NEWLINE || Number.isNaN(c))) {
    throw OUTSIDE;
  }
  resumeFrom(i + 1);
}

function isSeqEntry(at: number): boolean {
  if (src.charCodeAt(at) !== DASH) return false;
  const next = src.charCodeAt(at + 1);
  return next === SPACE || next === NEWLINE || Number.isNaN(next);
}

/** A node starting at offset `at` (column `column`) inside a block indented `parent`. */
function blockNode(at: number, column: number, parent: number): unknown {
  if (++depth > MAX_DEPTH) throw OUTSIDE;
  let result: unknown;
  if (isSeqEntry(at)) result = blockSeq(at, column);
  else {
    const key = mapKey(at);
    result = key === undefined ? inlineValue(at, parent) : blockMap(at, column, key);
  }
  depth--;
  return result;
}

/**
 * The key of a `key: value` entry at `at` (where its value starts, after the `:` and spaces,
 * goes to `#afterOut`), or `undefined` when the line is no map entry.
 */
function mapKey(at: number): string | undefined {
  const text = src;
  const c = text[at];
  let keyEnd: number;
  let key: string;
  if (c === '"' || c === "'") {
    const quoted = quotedAt(at);
    if (quoted === undefined) return undefined;
    let i = endOut;
    while (text.charCodeAt(i) === SPACE) i++;
    if (text.charCodeAt(i) !== COLON) return undefined;
    const next = text.charCodeAt(i + 1);
    // `"key":value` (no space) is read differently in block and flow context: leave it.
    if (!(next === SPACE || next === NEWLINE || Number.isNaN(next))) throw OUTSIDE;
    keyEnd = i;
    key = quoted;
  } else {
    if (c === "?" && !plainStart(text, at)) throw OUTSIDE; // an explicit key
    if (!plainStart(text, at)) return undefined;
    const i = scanFrom(PLAIN_SCAN, text, at);
    // A line end, or a comment before any `: `: no key.
    if (text.charCodeAt(i) !== COLON) return undefined;
    keyEnd = i;
    let last = i;
    while (text.charCodeAt(last - 1) === SPACE) last--;
    key = text.slice(at, last);
    if (typeof plainValue(key) !== "string") throw OUTSIDE; // a null, bool or number key
  }
  if (key === "<<" || key === "__proto__") throw OUTSIDE;
  let after = keyEnd + 1;
  while (text.charCodeAt(after) === SPACE) after++;
  afterOut = after;
  return key;
}

/** A block map whose first entry, at `at`, has the key `first` (already read by `mapKey`). */
function blockMap(at: number, column: number, first: string): unknown {
  const text = src;
  const map: Record<string, unknown> = {};
  const pairs = keep ? new Map<string, { key: number; value: YamlSpot }>() : undefined;
  let entry = at;
  let key: string | undefined = first;
  for (;;) {
    if (key === undefined) throw OUTSIDE;
    const after = afterOut;
    if (Object.hasOwn(map, key)) throw OUTSIDE; // a duplicate key: the full parser reports it
    let value: unknown;
    let spot: YamlSpot | undefined;
    const c = text.charCodeAt(after);
    if (
      c === NEWLINE || Number.isNaN(c) || (c === HASH && text.charCodeAt(after - 1) === SPACE)
    ) {
      // The value is on the following lines: more indented, or a list at the key's indent.
      const next = contentLine(
        after >= text.length ? text.length : endOfLine(after) + 1,
      );
      const indent = lineIndent;
      if (indent > column) {
        value = blockNode(next + indent, indent, column);
        spot = spotOut;
      } else if (indent === column && isSeqEntry(next + indent)) {
        if (++depth > MAX_DEPTH) throw OUTSIDE;
        value = blockSeq(next + indent, indent);
        spot = spotOut;
        depth--;
      } else {
        value = null;
        spot = EMPTY_SPOT;
        resume = next;
        resumeIndent = indent;
      }
    } else {
      if (c === HASH) throw OUTSIDE;
      value = inlineValue(after, column);
      spot = spotOut;
    }
    map[key] = value;
    pairs?.set(key, { key: entry, value: spot! });
    const next = resume;
    if (next >= text.length) break;
    const indent = resumeIndent;
    if (indent < column) break;
    if (indent > column) throw OUTSIDE;
    entry = next + indent;
    key = mapKey(entry);
  }
  spotOut = pairs ? { start: at, pairs } : undefined;
  return map;
}

function blockSeq(at: number, column: number): unknown {
  const text = src;
  const list: unknown[] = [];
  const items: YamlSpot[] | undefined = keep ? [] : undefined;
  let entry = at;
  for (;;) {
    let content = entry + 1;
    while (text.charCodeAt(content) === SPACE) content++;
    const c = text.charCodeAt(content);
    let value: unknown;
    let spot: YamlSpot | undefined;
    if (c === NEWLINE || Number.isNaN(c) || c === HASH) {
      if (c === HASH && content === entry + 1) throw OUTSIDE;
      const next = contentLine(
        content >= text.length ? text.length : endOfLine(content) + 1,
      );
      const indent = lineIndent;
      if (indent > column) {
        value = blockNode(next + indent, indent, column);
        spot = spotOut;
      } else {
        value = null;
        spot = EMPTY_SPOT;
        resume = next;
        resumeIndent = indent;
      }
    } else {
      value = blockNode(content, column + (content - entry), column);
      spot = spotOut;
    }
    list.push(value);
    items?.push(spot!);
    const next = resume;
    if (next >= text.length) break;
    const indent = resumeIndent;
    if (indent < column) break;
    if (indent > column) throw OUTSIDE;
    if (!isSeqEntry(next + indent)) break;
    entry = next + indent;
  }
  spotOut = items ? { start: at, items } : undefined;
  return list;
}

/** A value that starts on the current line: a scalar, a flow collection or a block scalar. */
function inlineValue(at: number, parent: number): unknown {
  const text = src;
  const c = text[at];
  if (c === "|" || c === ">") return blockScalar(at, parent);
  if (c === "[" || c === "{") {
    const value = flow(at);
    const spot = spotOut;
    endLine(endOut);
    spotOut = spot;
    return value;
  }
  if (c === '"' || c === "'") {
    const quoted = quotedAt(at);
    if (quoted === undefined) throw OUTSIDE;
    endLine(endOut);
    spotOut = spotOf(at, c === '"' ? "double" : "single");
    return quoted;
  }
  if (!plainStart(text, at)) throw OUTSIDE;
  let stop = scanFrom(PLAIN_SCAN, text, at);
  const stopCode = text.charCodeAt(stop);
  if (stopCode === COLON) throw OUTSIDE; // `a: b: c`
  const end = stopCode === HASH ? endOfLine(stop) : stop;
  while (text.charCodeAt(stop - 1) === SPACE) stop--;
  const raw = text.slice(at, stop);
  resumeFrom(end >= text.length ? text.length : end + 1);
  // A following line indented deeper (even a comment) would continue a plain scalar.
  if (firstNonBlank < text.length && firstNonBlankIndent > parent) throw OUTSIDE;
  spotOut = spotOf(at, "plain");
  return plainValue(raw);
}

function spotOf(start: number, style: ScalarStyle): YamlSpot | undefined {
  return keep ? { start, style } : undefined;
}

/** A quoted scalar that closes on its line: its value (the offset after the quote goes to
 * `#endOut`). */
function quotedAt(at: number): string | undefined {
  const text = src;
  const quote = text.charCodeAt(at);
  const end = endOfLine(at);
  if (quote === 39 /* ' */) {
    let value = "";
    let from = at + 1;
    for (;;) {
      const i = text.indexOf("'", from);
      if (i < 0 || i >= end) throw OUTSIDE; // continues on the next line
      if (text.charCodeAt(i + 1) !== 39) {
        endOut = i + 1;
        return value + text.slice(from, i);
      }
      value += text.slice(from, i + 1); // `''` is one quote
      from = i + 2;
    }
  }
  let value = "";
  let from = at + 1;
  for (;;) {
    const i = scanFrom(DOUBLE_QUOTED_SCAN, text, from);
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      endOut = i + 1;
      return value + text.slice(from, i);
    }
    if (ch !== 92 /* \ */) throw OUTSIDE; // continues on the next line
    value += text.slice(from, i);
    const [char, length] = escapeAt(i + 1, end);
    value += char;
    from = i + 1 + length;
  }
}

/** A double-quoted escape after `\` at `at`: its text and how many characters it took. */
function escapeAt(at: number, end: number): [string, number] {
  const text = src;
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

/** A one-line flow list or map at `at`: its value (its spot goes to `#spotOut`, the offset
 * after it to `#endOut`). */
function flow(at: number): unknown {
  if (++depth > MAX_DEPTH) throw OUTSIDE;
  const text = src;
  const open = text[at];
  let i = skipSpaces(at + 1);
  let result: unknown;
  if (open === "[") {
    const list: unknown[] = [];
    const items: YamlSpot[] | undefined = keep ? [] : undefined;
    while (text[i] !== "]") {
      list.push(flowItem(i, "]"));
      items?.push(spotOut!);
      i = skipSpaces(endOut);
      if (text[i] === ",") i = skipSpaces(i + 1);
      else if (text[i] !== "]") throw OUTSIDE;
    }
    result = list;
    spotOut = items ? { start: at, items } : undefined;
  } else {
    const map: Record<string, unknown> = {};
    const pairs = keep ? new Map<string, { key: number; value: YamlSpot }>() : undefined;
    while (text[i] !== "}") {
      const keyAt = i;
      let key: string;
      let end: number;
      if (text[i] === '"' || text[i] === "'") {
        const quoted = quotedAt(i);
        if (quoted === undefined) throw OUTSIDE;
        key = quoted;
        end = endOut;
      } else {
        if (!plainStart(text, i)) throw OUTSIDE;
        end = flowPlainEnd(i);
        key = text.slice(i, end);
        if (typeof plainValue(key) !== "string") throw OUTSIDE;
      }
      if (key === "<<" || key === "__proto__" || Object.hasOwn(map, key)) throw OUTSIDE;
      i = skipSpaces(end);
      if (text[i] !== ":" || text[i + 1] !== " ") throw OUTSIDE;
      i = skipSpaces(i + 1);
      const c = text[i];
      if (c === "," || c === "}" || c === "\n" || c === undefined) throw OUTSIDE;
      map[key] = flowItem(i, "}");
      pairs?.set(key, { key: keyAt, value: spotOut! });
      i = skipSpaces(endOut);
      if (text[i] === ",") i = skipSpaces(i + 1);
      else if (text[i] !== "}") throw OUTSIDE;
    }
    result = map;
    spotOut = pairs ? { start: at, pairs } : undefined;
  }
  endOut = i + 1;
  depth--;
  return result;
}

function skipSpaces(at: number): number {
  let i = at;
  while (src.charCodeAt(i) === SPACE) i++;
  return i;
}

/** One item of a flow collection (its spot goes to `#spotOut`, the offset after it to
 * `#endOut`); a `key: value` pair inside a list is left alone. */
function flowItem(at: number, close: string): unknown {
  const text = src;
  const c = text[at];
  let result: unknown;
  if (c === "[" || c === "{") {
    result = flow(at);
  } else if (c === '"' || c === "'") {
    const quoted = quotedAt(at);
    if (quoted === undefined) throw OUTSIDE;
    result = quoted;
    spotOut = spotOf(at, c === '"' ? "double" : "single");
  } else {
    if (!plainStart(text, at)) throw OUTSIDE;
    const end = flowPlainEnd(at);
    if (end === at) throw OUTSIDE;
    result = plainValue(text.slice(at, end));
    spotOut = spotOf(at, "plain");
    endOut = end;
  }
  const next = text[skipSpaces(endOut)];
  if (next !== "," && next !== close) throw OUTSIDE;
  return result;
}

/** The end of a plain scalar inside a flow collection (trailing spaces excluded). */
function flowPlainEnd(at: number): number {
  const text = src;
  let i = scanFrom(FLOW_PLAIN_SCAN, text, at);
  const c = text.charCodeAt(i);
  if (c === HASH || c === NEWLINE || Number.isNaN(c)) throw OUTSIDE;
  while (text.charCodeAt(i - 1) === SPACE) i--;
  return i;
}

/** A `|` or `>` block scalar whose header is at `at`, inside a block indented `parent`. */
function blockScalar(at: number, parent: number): unknown {
  const text = src;
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
  const headerEnd = endOfLine(i);
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
    const lineEnd = endOfLine(lineStart);
    const spaces = indentOf(lineStart);
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
        for (let j = headerEnd + 1; j < lineStart; j = endOfLine(j) + 1) {
          if (endOfLine(j) - j > indent) throw OUTSIDE;
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
  resumeFrom(end);
  spotOut = spotOf(at, literal ? "literal" : "folded");
  return value;
}
