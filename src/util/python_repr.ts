/**
 * Python `str()`/`repr()` rendering of plain values. Only used to compute ids
 * that must equal the reference engine's (strategy ids hash the Python repr of
 * a matrix combination).
 *
 * @module
 */

/** Python `repr()` of a string: single quotes unless the text has `'` and no `"`. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + quote;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + quote;
}

/** Python `repr()` of a JSON-like value (dict keys in insertion order). */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return pythonStringRepr(value);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return "[" + value.map(pythonRepr).join(", ") + "]";
  if (value instanceof Date) return pythonStringRepr(value.toISOString());
  if (typeof value === "object") {
    const parts = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`,
    );
    return "{" + parts.join(", ") + "}";
  }
  return pythonStringRepr(String(value));
}

/** Python `str()` of a value: strings as they are, everything else as `repr()`. */
export function pythonStr(value: unknown): string {
  return typeof value === "string" ? value : pythonRepr(value);
}
