/**
 * The full YAML parser: the only module that imports the `yaml` package. It reads YAML 1.2
 * with the core schema (so `on`, `yes`, `no`, `y`, `n` stay strings, `true`/`false` are
 * booleans and dates stay strings), rejects duplicate keys and alias bombs, and keeps the
 * document so that a path inside it (`["wf", "jobs", "a", "stages", 2, "uses"]`) can be mapped
 * back to a line and column.
 *
 * {@linkcode parseYaml} (`./yaml.ts`) reads most config files with its own small reader and
 * comes here for the rest; importing this module registers it there.
 *
 * @module
 */

import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YamlNode,
  type Pair,
  parseDocument,
  Scalar,
  visit,
  type YAMLMap,
} from "yaml";
import {
  type LineColumn,
  type ParsedYaml,
  type ParseYamlOptions,
  type PositionOptions,
  registerFullYamlParser,
  scalarOffset,
  type ScalarStyle,
  type YamlPath,
  type YamlProblem,
} from "./yaml.ts";

const DEFAULT_MAX_ALIAS_COUNT = 50;
const DEFAULT_MAX_DEPTH = 200;

/**
 * Where the text first nests deeper than `limit` levels, by a line scan that never recurses:
 * block levels are the stack of growing indents (plus `- ` markers that open a list on the same
 * line), flow levels the open `[`/`{` outside quotes and comments. Block scalars (`|`, `>`) are
 * skipped. It may overcount odd layouts, never undercount, and the limit is far above real use.
 */
function findDeepNesting(text: string, limit: number): LineColumn | undefined {
  const indents: number[] = [];
  let flow = 0;
  let scalarIndent = -1;
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const indent = /^ */.exec(line)![0].length;
    const content = line.slice(indent);
    if (content === "" || content.startsWith("#")) continue;
    if (scalarIndent >= 0) {
      if (indent > scalarIndent) continue;
      scalarIndent = -1;
    }
    let column = indent;
    if (flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      // `- - - x` opens one list per marker on this line.
      while (line.startsWith("- ", column) || line.slice(column) === "-") {
        indents.push(column + 1);
        column += 2;
      }
    }
    let quote = "";
    for (; column < line.length; column++) {
      const char = line[column];
      if (quote) {
        if (char === quote) quote = "";
        continue;
      }
      const previous = column === 0 ? " " : line[column - 1];
      const boundary = /[\s[{,:]/.test(previous);
      if (char === "#" && /\s/.test(previous)) break;
      if ((char === "'" || char === '"') && boundary) quote = char;
      else if (char === "[" || char === "{") flow++;
      else if ((char === "]" || char === "}") && flow > 0) flow--;
      if (indents.length + flow > limit) return { line: index + 1, column: column + 1 };
    }
    if (flow === 0 && /(?:^|[\s:-])[|>][-+0-9]*\s*(?:#.*)?$/.test(line)) scalarIndent = indent;
    if (indents.length > limit) return { line: index + 1, column: indent + 1 };
  }
  return undefined;
}

/**
 * Parses YAML text with the `yaml` package, collecting every problem with its position.
 *
 * @example
 * ```ts
 * const parsed = parseYamlFull("a:\n  b: [1, 2]\n");
 * parsed.position(["a", "b", 1]); // { line: 2, column: 10 }
 * ```
 */
export function parseYamlFull(text: string, options: ParseYamlOptions = {}): ParsedYaml {
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  // The `yaml` package parses nested nodes recursively: deep input overflows its stack.
  const deep = findDeepNesting(text, maxDepth);
  if (deep !== undefined) {
    return {
      data: undefined,
      problems: [{
        ...deep,
        message: `nesting deeper than ${maxDepth} levels (lists and mappings inside each ` +
          "other); a workflow never needs that many, so flatten the data",
      }],
      position: () => deep,
    };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    // The package checks each key against every earlier key of its map (quadratic: a file
    // of 20,000 templates took seconds); `duplicateKeys` below does it with a set per map.
    uniqueKeys: false,
    version: "1.2",
    schema: "core",
    merge: true,
    prettyErrors: false,
  });
  const at = (offset: number): LineColumn => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const found: { offset: number; message: string }[] = doc.errors.map((error) => ({
    offset: error.pos[0],
    message: cleanMessage(error.message),
  }));
  for (const { offset, key } of duplicateKeys(doc)) {
    found.push({ offset, message: `duplicate key '${key}' (map keys must be unique)` });
  }
  if (found.length > doc.errors.length) found.sort((a, b) => a.offset - b.offset);
  const problems: YamlProblem[] = found.map(({ offset, message }) => ({ ...at(offset), message }));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount });
  } catch (error) {
    data = undefined;
    const message = error instanceof Error ? error.message : String(error);
    if (/alias/i.test(message)) {
      problems.push({
        ...at(firstAliasOffset(doc) ?? 0),
        message: `too many YAML alias expansions (limit ${maxAliasCount}); ` +
          "anchors that reference anchors grow exponentially (an alias bomb), so expand them " +
          "by hand or reuse fewer aliases",
      });
    } else if (!problems.length) {
      problems.push({ line: 1, column: 1, message: `cannot read YAML: ${cleanMessage(message)}` });
    }
  }

  const position = (path: YamlPath, opts: PositionOptions = {}): LineColumn => {
    let node: unknown = doc.contents;
    let last: LineColumn = { line: 1, column: 1 };
    for (let i = 0; i < path.length; i++) {
      node = resolveAlias(node, doc);
      const segment = path[i];
      const isLast = i === path.length - 1;
      if (isMap(node)) {
        const key = String(segment);
        const pair = node.items.length > INDEXED_MAP_SIZE
          ? pairsByKey(node).get(key)
          : node.items.find((item) => isPair(item) && keyText(item.key) === key);
        if (!pair) return last;
        const keyRange = (pair.key as YamlNode | null)?.range;
        if (keyRange) last = at(keyRange[0]);
        if (isLast && opts.key) return last;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (item === undefined) return last;
        node = item;
      } else {
        return last;
      }
      const range = (node as YamlNode | null)?.range;
      if (range && !(isScalar(node) && node.value === null && range[0] === range[1])) {
        last = at(range[0]);
      }
    }
    if (opts.offset !== undefined && opts.offset > 0 && isScalar(node)) {
      const style = styleOf(node);
      if (style === undefined) return last;
      return scalarOffset(style, node.value, opts.offset, last, text, lineCounter.lineStarts) ??
        last;
    }
    return last;
  };
  return { data, problems, position };
}

/** The `yaml` package appends " at line X, column Y" and a code frame; keep the first clause. */
function cleanMessage(message: string): string {
  const first = message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "").trim();
  return first.replace(/:$/, "");
}

/**
 * Keys that repeat an earlier key of the same map (scalar keys with equal values, as the
 * `yaml` package's `uniqueKeys` compares them), by one walk with a set per map. The walk
 * uses a stack, not recursion, and skips aliases (their targets are walked where defined).
 */
function duplicateKeys(doc: Document): { offset: number; key: string }[] {
  const out: { offset: number; key: string }[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = node.items.length > 1 ? new Set<unknown>() : undefined;
      for (const pair of node.items) {
        const key = pair.key;
        if (seen && isScalar(key)) {
          if (seen.has(key.value)) {
            out.push({ offset: key.range?.[0] ?? 0, key: String(key.value) });
          } else seen.add(key.value);
        } else if (isMap(key) || isSeq(key)) {
          stack.push(key);
        }
        if (isMap(pair.value) || isSeq(pair.value)) stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        if (isMap(item) || isSeq(item)) stack.push(item);
      }
    }
  }
  return out;
}

/** Maps longer than this get a key index on first use (shorter ones are searched). */
const INDEXED_MAP_SIZE = 16;

/** Each long map's pairs by key text, built on first use: positions in a map of thousands of
 * templates are then found in constant time instead of by a scan of the map. */
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items) {
      const key = isPair(item) ? keyText(item.key) : undefined;
      // The first pair wins, as the linear search did (a duplicate key is a problem anyway).
      if (key !== undefined && !index.has(key)) index.set(key, item);
    }
    pairIndexes.set(map, index);
  }
  return index;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function resolveAlias(node: unknown, doc: Document): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function firstAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** The style of a scalar node, as {@linkcode scalarOffset} names it. */
function styleOf(node: Scalar): ScalarStyle | undefined {
  switch (node.type) {
    case Scalar.PLAIN:
      return "plain";
    case Scalar.QUOTE_DOUBLE:
      return "double";
    case Scalar.QUOTE_SINGLE:
      return "single";
    case Scalar.BLOCK_LITERAL:
      return node.range ? "literal" : undefined;
    case Scalar.BLOCK_FOLDED:
      return "folded";
    default:
      return undefined;
  }
}

registerFullYamlParser(parseYamlFull);
