/**
 * A quick read of a config file's top level: the names and types of its templates, found by a
 * scan of its lines without parsing the YAML. Loading a config root scans every file and
 * parses one fully only when a template of it is first used (or `validate()` runs), so a
 * root of hundreds of files costs a line scan per file, not a YAML parse.
 *
 * The scan reads only the plain block layout templates are written in (`name:` at column 0,
 * `type:` at the first indent under it, or a single-template file's top-level `name:` and
 * `type:`). Whenever a file strays from it (flow maps, anchors used as values, quoted or
 * complex keys, tags, several documents, tabs, an unknown type, duplicate keys…) it returns
 * `undefined` and the caller parses the file as before, so the scan never has to agree with
 * YAML on anything but the plain layout: on valid YAML it finds exactly the templates the
 * parser finds.
 *
 * @module
 */

/** A template found by {@linkcode scanTemplates}. */
export interface ScannedTemplate {
  /** Its name: the top-level key, or the `name:` of a single-template file. */
  readonly name: string;
  /** Its `type:` (always one of `types`). */
  readonly type: string;
  /** 1-based line of its key (1 for a single-template file). */
  readonly line: number;
  /** 1-based column of its key (always 1). */
  readonly column: number;
  /** Where it sits in the document: `[name]`, or `[]` for a single-template file. */
  readonly base: readonly string[];
}

interface TopKey {
  readonly name: string;
  readonly line: number;
  /** Text after `key:` (comment removed); "" when a block value follows. */
  readonly inline: string;
  /** Indent of the block under the key (-1 before its first line). */
  childIndent: number;
  /** The block is a list (`- ` items), so the value is not a map. */
  list: boolean;
  /** Its `type:` value, when a line at the block's indent has one. */
  type?: string;
  /** More than one `type:` line (a duplicate key: let the parser report it). */
  types: number;
}

// A plain key the scan is sure of: no quotes, spaces, `:` or `#`, not starting with an
// indicator, a digit or a sign (numbers), and not a bool or null word (checked apart).
const TOP_KEY = /^([A-Za-z_$][^\s:#]*)[ ]*:(?:[ ]+(.*))?$/;
const NON_STRING_WORD = /^(?:true|True|TRUE|false|False|FALSE|null|Null|NULL|~)$/;
const TYPE_LINE = /^type[ ]*:(?:[ ]+(.*))?$/;
const PLAIN_VALUE = /^[A-Za-z_][^#:]*?$/;

/**
 * The templates of a YAML text by a line scan, or `undefined` when the text strays from the
 * plain layout the scan reads (the caller then parses it).
 *
 * @example
 * ```ts
 * scanTemplates("wf-a:\n  type: Workflow\n", ["Workflow"]);
 * // [{ name: "wf-a", type: "Workflow", line: 1, column: 1, base: ["wf-a"] }]
 * ```
 */
export function scanTemplates(
  text: string,
  types: readonly string[],
): ScannedTemplate[] | undefined {
  const keys: TopKey[] = [];
  const seen = new Set<string>();
  let current: TopKey | undefined;
  let started = false;
  let lineStart = 0;
  for (let lineNumber = 1; lineStart <= text.length; lineNumber++) {
    let end = text.indexOf("\n", lineStart);
    if (end < 0) end = text.length;
    let line = text.slice(lineStart, end);
    lineStart = end + 1;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line === "") continue;
    const first = line.charCodeAt(0);
    if (first === 32 /* space */) {
      if (!current) return undefined; // an indented document: rare, leave it to the parser
      if (current.inline !== "") continue; // lines of a scalar value
      let indent = 1;
      while (line.charCodeAt(indent) === 32) indent++;
      const rest = line.slice(indent);
      if (rest === "" || rest[0] === "#") continue;
      if (rest[0] === "\t") return undefined;
      if (current.childIndent < 0) {
        current.childIndent = indent;
        current.list = rest === "-" || rest.startsWith("- ");
      }
      if (indent < current.childIndent) return undefined;
      if (indent > current.childIndent || current.list) continue;
      // A key of the template's own map: only `type` matters, but a key the scan cannot
      // read for sure (quoted, complex, merged) might be one.
      const c = rest[0];
      if (c === "-") continue; // a list under the previous key, at the map's own indent
      if (c === '"' || c === "'" || c === "?" || c === "{" || c === "[") return undefined;
      if (rest.startsWith("<<")) return undefined;
      const typeLine = TYPE_LINE.exec(rest);
      if (typeLine) {
        current.types++;
        current.type = scalarText(typeLine[1] ?? "");
        continue;
      }
      if (!valueEndsOnItsLine(rest)) return undefined;
      continue;
    }
    if (first === 35 /* # */) continue;
    if (first === 45 /* - */ && (line === "-" || line[1] === " ") && current?.inline === "") {
      // A list at column 0 under the previous key: its value is a list, not a template.
      if (current.childIndent > 0) return undefined;
      current.childIndent = 0;
      current.list = true;
      continue;
    }
    if (line === "---" || line.startsWith("--- #")) {
      if (started) return undefined; // a second document
      started = true;
      continue;
    }
    const match = TOP_KEY.exec(line);
    if (!match || NON_STRING_WORD.test(match[1]) || seen.has(match[1])) return undefined;
    started = true;
    const inline = stripComment(match[2] ?? "");
    // `key: &anchor` followed by a block is still a block; other values must be plain,
    // quoted on one line, or a block scalar (`|`, `>`); flow maps, aliases and tags are
    // left to the parser.
    const value = /^&[^\s]+$/.test(inline) ? "" : inline;
    if (value !== "") {
      const c = value[0];
      if (c === "{" || c === "[" || c === "*" || c === "!" || c === "&" || c === "@") {
        return undefined;
      }
      if ((c === '"' || c === "'") && !closesOnItsLine(value)) return undefined;
    }
    seen.add(match[1]);
    current = {
      name: match[1],
      line: lineNumber,
      inline: value,
      childIndent: -1,
      list: false,
      types: 0,
    };
    keys.push(current);
  }
  if (seen.has("name") || seen.has("type")) return singleTemplate(keys, types);
  const found: ScannedTemplate[] = [];
  for (const key of keys) {
    if (key.types === 0 || key.inline !== "" || key.list) continue;
    if (key.types > 1 || key.type === undefined || !types.includes(key.type)) return undefined;
    found.push({ name: key.name, type: key.type, line: key.line, column: 1, base: [key.name] });
  }
  return found;
}

/** A file that is one template (`name:` and `type:` at the top), if the scan is sure. */
function singleTemplate(
  keys: readonly TopKey[],
  types: readonly string[],
): ScannedTemplate[] | undefined {
  const name = keys.find((key) => key.name === "name");
  const type = keys.find((key) => key.name === "type");
  if (!name || !type) return undefined;
  const nameText = scalarText(name.inline);
  const typeText = scalarText(type.inline);
  if (nameText === undefined || typeText === undefined || !types.includes(typeText)) {
    return undefined;
  }
  return [{ name: nameText, type: typeText, line: 1, column: 1, base: [] }];
}

/** The string a one-line scalar reads as, when the scan is sure it is one (else undefined). */
function scalarText(raw: string): string | undefined {
  const value = stripComment(raw);
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'")) {
    const quote = value[0];
    const inner = value.slice(1, -1);
    if (value[value.length - 1] !== quote || inner.includes(quote) || inner.includes("\\")) {
      return undefined;
    }
    return inner;
  }
  if (!PLAIN_VALUE.test(value) || NON_STRING_WORD.test(value)) return undefined;
  return value;
}

/** The text before a ` #` comment, trimmed (quotes are not looked into: callers check). */
function stripComment(value: string): string {
  if (value.startsWith("#")) return "";
  const hash = value.indexOf(" #");
  return (hash < 0 ? value : value.slice(0, hash)).trim();
}

/** Whether a quoted value closes on its line. */
function closesOnItsLine(value: string): boolean {
  const quote = value[0];
  for (let i = 1; i < value.length; i++) {
    if (quote === '"' && value[i] === "\\") i++;
    else if (value[i] === quote) {
      if (quote === "'" && value[i + 1] === "'") i++;
      else return true;
    }
  }
  return false;
}

/** Whether the value of a `key: value` line ends on it (no open quote or bracket). */
function valueEndsOnItsLine(rest: string): boolean {
  const colon = rest.search(/:(?: |$)/);
  if (colon < 0) return true; // not a key line the scan understands; the parser will judge
  const value = rest.slice(colon + 1).trim();
  const c = value[0];
  if (c === '"' || c === "'") return closesOnItsLine(value);
  if (c === "[" || c === "{") {
    let depth = 0;
    let quote = "";
    for (let i = 0; i < value.length; i++) {
      const ch = value[i];
      if (quote) {
        if (ch === "\\" && quote === '"') i++;
        else if (ch === quote) quote = "";
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === "[" || ch === "{") depth++;
      else if (ch === "]" || ch === "}") depth--;
      else if (ch === "#" && value[i - 1] === " ") break;
    }
    return depth === 0 && quote === "";
  }
  return true;
}
