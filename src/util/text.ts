/**
 * Small text helpers.
 *
 * @module
 */

/** Removes the indentation common to every non-blank line (like Python's `textwrap.dedent`). */
export function dedent(text: string): string {
  const lines = text.split("\n");
  let common: number | undefined;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const indent = line.length - line.trimStart().length;
    if (common === undefined || indent < common) common = indent;
  }
  if (!common) return text;
  return lines.map((line) => (line.trim() === "" ? line.trimStart() : line.slice(common))).join(
    "\n",
  );
}

/** A timeout for messages: whole seconds as `10s`, anything else in ms (`250ms`). */
export function formatTimeout(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
