/**
 * YAML parsing with positions. {@linkcode parseYaml} reads a text with the small reader of
 * `./yaml_reader.ts` when the text keeps to the plain block layout config files are written in,
 * and with the full parser (`./yaml_full.ts`, the `yaml` package) otherwise: values, positions
 * and problems are the same either way, and only texts the reader cannot read for sure (or
 * that have problems) cost the full parser.
 *
 * The full parser is imported on demand: `./loader.ts` (what the library exports) imports it
 * at once, while the engine and the command line use `./config_index.ts`, whose `loadConfig`
 * loads it with {@linkcode loadFullYamlParser} only when a file needs it; that keeps it (about
 * half the start-up of `workflow run` on Deno) out of processes that never need it.
 *
 * @module
 */

import { readPlainYaml, type ScalarStyle, type YamlSpot } from "./yaml_reader.ts";

export type { ScalarStyle } from "./yaml_reader.ts";

/** A path inside a YAML document: map keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** A 1-based line and column. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** One problem found while parsing a YAML text. */
export interface YamlProblem extends LineColumn {
  readonly message: string;
}

/** Options of {@linkcode ParsedYaml.position}. */
export interface PositionOptions {
  /** Point at the key of the last path segment instead of its value. @default false */
  readonly key?: boolean;
  /** Character offset inside a string value; the position of that character is returned when
   * the scalar's layout allows it (plain, quoted, literal block), else the value's start. */
  readonly offset?: number;
}

/** A parsed YAML text. */
export interface ParsedYaml {
  /** The document as plain data (`undefined` for an empty document or when it cannot be
   * built at all). Present even when `problems` is not empty, as far as it could be read. */
  readonly data: unknown;
  /** Syntax errors, duplicate keys, alias bombs: every problem the parser found. */
  readonly problems: readonly YamlProblem[];
  /** Line and column of the node at `path`, or of its nearest existing ancestor. */
  position(path: YamlPath, options?: PositionOptions): LineColumn;
}

/** Options of {@linkcode parseYaml}. */
export interface ParseYamlOptions {
  /** Alias expansion budget passed to the `yaml` package; documents that expand more are
   * rejected as alias bombs. @default 50 */
  readonly maxAliasCount?: number;
  /** Deepest nesting of lists and mappings accepted; deeper text is one problem, not a stack
   * overflow. @default 200 */
  readonly maxDepth?: number;
  /** Keep every node's place while reading, for callers that will ask for positions (the
   * small reader otherwise reads the text again on the first question). @default false */
  readonly positions?: boolean;
}

type FullParser = (text: string, options?: ParseYamlOptions) => ParsedYaml;

let fullParser: FullParser | undefined;

/** Called by `./yaml_full.ts` when it is imported. @internal */
export function registerFullYamlParser(parser: FullParser): void {
  fullParser = parser;
}

/** Whether the full parser is loaded (texts outside the reader's layout can then be read). */
export function fullYamlParserLoaded(): boolean {
  return fullParser !== undefined;
}

/** Loads the full parser (the `yaml` package), once. */
export async function loadFullYamlParser(): Promise<void> {
  if (!fullParser) await import("./yaml_full.ts");
}

/**
 * Reads `text` with the small reader only: `undefined` when the text needs the full parser
 * (it strays from the plain block layout, or has a problem to report). With `positions`, the
 * places of the nodes are kept in the same read; else a second read keeps them on the first
 * question.
 */
export function parsePlainYaml(text: string, positions = false): ParsedYaml | undefined {
  const read = readPlainYaml(text, positions);
  if (!read) return undefined;
  let spot: YamlSpot | undefined = read.spot;
  let lineStarts: number[] | undefined;
  const at = (offset: number): LineColumn => {
    // `-1`: no node was found at all, the document's start.
    if (offset < 0) return { line: 1, column: 1 };
    lineStarts ??= lineStartsOf(text);
    // The last line start at or before `offset`.
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low] + 1 };
  };
  // Asked once per workflow, job and stage of every template built, while that code still
  // runs cold: the walk keeps offsets and makes one line and column at the end.
  const position = (path: YamlPath, options?: PositionOptions): LineColumn => {
    // Places are kept by a second read, on the first question: most files are never asked.
    spot ??= readPlainYaml(text, true)!.spot!;
    let node: YamlSpot = spot;
    let last = -1;
    let value: unknown = read.data;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (node.pairs) {
        const key = typeof segment === "string" ? segment : String(segment);
        const pair = node.pairs.get(key);
        if (!pair) return at(last);
        last = pair.key;
        if (i === path.length - 1 && options?.key) return at(last);
        node = pair.value;
        value = (value as Record<string, unknown>)[key];
      } else if (node.items && typeof segment === "number") {
        const item = node.items[segment];
        if (item === undefined) return at(last);
        node = item;
        value = (value as unknown[])[segment];
      } else {
        return at(last);
      }
      if (node.start >= 0) last = node.start;
    }
    const offset = options?.offset;
    if (offset !== undefined && offset > 0 && node.style !== undefined) {
      lineStarts ??= lineStartsOf(text);
      const start = at(last);
      return scalarOffset(node.style, value, offset, start, text, lineStarts) ?? start;
    }
    return at(last);
  };
  return { data: read.data, problems: [], position };
}

/**
 * Parses YAML text, collecting every problem with its position.
 *
 * @example
 * ```ts
 * const parsed = parseYaml("a:\n  b: [1, 2]\n");
 * parsed.position(["a", "b", 1]); // { line: 2, column: 10 }
 * ```
 * @throws {Error} when the text needs the full parser and it is not loaded (see
 * {@linkcode loadFullYamlParser}); the library's entry points always load it
 */
export function parseYaml(text: string, options: ParseYamlOptions = {}): ParsedYaml {
  const plain = parsePlainYaml(text, options.positions);
  if (plain) return plain;
  if (!fullParser) {
    throw new Error(
      "this YAML text needs the full parser, which is not loaded: import " +
        "'src/config/loader.ts' (not config_index.ts) or await loadFullYamlParser() first",
    );
  }
  return fullParser(text, options);
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * Where the character at `offset` of a scalar's value sits, when the scalar's layout allows
 * it: plain and quoted scalars on one line, and literal block scalars (`|`), whose content lines
 * follow the header line one to one. `undefined` otherwise (callers use the value's start).
 * @internal
 */
export function scalarOffset(
  style: ScalarStyle,
  value: unknown,
  offset: number,
  start: LineColumn,
  text: string,
  lineStarts: readonly number[],
): LineColumn | undefined {
  if (typeof value !== "string" || offset > value.length) return undefined;
  const before = value.slice(0, offset);
  const newlines = before.split("\n").length - 1;
  if (style === "plain" && newlines === 0) {
    return { line: start.line, column: start.column + offset };
  }
  if ((style === "double" || style === "single") && !newlines) {
    return { line: start.line, column: start.column + 1 + offset };
  }
  if (style === "literal") {
    const targetLine = start.line + 1 + newlines;
    const lineStart = lineStarts[targetLine - 1];
    if (lineStart === undefined) return undefined;
    const firstContent = lineStarts[start.line];
    if (firstContent === undefined) return undefined;
    let indent = 0;
    while (text.charCodeAt(firstContent + indent) === 32) indent++;
    const column = offset - (before.lastIndexOf("\n") + 1);
    return { line: targetLine, column: indent + column + 1 };
  }
  return undefined;
}
