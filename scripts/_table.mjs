// Prints a Markdown table whose first two columns are text (left-aligned) and the rest figures
// (right-aligned): the output of the bench scripts.

/** Prints `header` and `rows` (arrays of strings) as a Markdown table on stdout. */
export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    "| " + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") +
    " |";
  console.log(line(header));
  console.log(
    "| " + widths.map((w, i) => (i < 2 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ") +
      " |",
  );
  for (const row of rows) console.log(line(row));
}
