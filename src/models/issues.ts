/**
 * Collecting validation problems with their positions. Model parsers never
 * throw on the first problem: they report every issue to an
 * {@linkcode IssueCollector} and return a best-effort model, so one
 * `validate` shows everything that is wrong.
 *
 * @module
 */

import type { ConfigIssue, SourcePosition } from "../errors.ts";

/** A path inside a template: map keys and list indexes. */
export type ModelPath = readonly (string | number)[];

/** Maps a path inside the *document* to a 1-based line and column. */
export type Locator = (
  path: ModelPath,
  options?: { readonly key?: boolean; readonly offset?: number },
) => { readonly line: number; readonly column: number };

/** Options of {@linkcode IssueCollector}. */
export interface IssueCollectorOptions {
  /** File named in every issue. */
  readonly file?: string;
  /** Position lookup; without it issues carry no line/column. */
  readonly locate?: Locator;
  /** Where the template sits inside the document (`["wf-name"]`, or `[]` for a
   * single-template file). Issue paths are relative to it. @default [] */
  readonly base?: ModelPath;
}

/** Options of {@linkcode IssueCollector.add}. */
export interface AddIssueOptions {
  /** Point at the key of the path's last segment rather than its value. */
  readonly key?: boolean;
  /** Locate this path instead of the issue's own path (e.g. an unknown key under a stage). */
  readonly at?: ModelPath;
  /** Character offset inside the string value at the located path. */
  readonly offset?: number;
}

/** Formats a path as `jobs.extract.stages[2].uses`. */
export function formatPath(path: ModelPath): string {
  // An index loop: `for…of` allocates an iterator result per segment while the code runs cold.
  let out = "";
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (typeof segment === "number") out += "[" + segment + "]";
    else out += out ? "." + segment : segment;
  }
  return out;
}

/** Accumulates {@linkcode ConfigIssue}s for one template. */
export class IssueCollector {
  /** Every blocking issue added so far (warnings are kept apart in `warnings`). */
  readonly issues: ConfigIssue[] = [];
  /** Every warning added so far (`severity: "warning"`): reported, never fatal. */
  readonly warnings: ConfigIssue[] = [];
  readonly #options: IssueCollectorOptions;

  /** Creates a collector for one file/template. */
  constructor(options: IssueCollectorOptions = {}) {
    this.#options = options;
  }

  /** Records a problem at `path` (relative to the template). */
  add(path: ModelPath, message: string, options: AddIssueOptions = {}): void {
    const { path: _located, ...where } = this.source(options.at ?? path, options);
    const formatted = formatPath(path);
    this.issues.push(formatted ? { ...where, path: formatted, message } : { ...where, message });
  }

  /** Records a warning at `path`: shown by `validate`, but the template still loads and runs. */
  warn(path: ModelPath, message: string, options: AddIssueOptions = {}): void {
    const { path: _located, ...where } = this.source(options.at ?? path, options);
    const formatted = formatPath(path);
    this.warnings.push({
      ...where,
      ...(formatted ? { path: formatted } : {}),
      message,
      severity: "warning",
    });
  }

  /** Where `path` is declared (file, line, column, formatted path). */
  source(path: ModelPath, options?: { key?: boolean; offset?: number }): SourcePosition {
    // Asked for every workflow, job and stage built: kept free of spreads and iterators.
    const { file, locate, base } = this.#options;
    const formatted = formatPath(path);
    const where: { file?: string; line?: number; column?: number; path?: string } = {};
    if (file !== undefined) where.file = file;
    if (locate) {
      const pos = locate(
        base === undefined || base.length === 0 ? path : base.concat(path),
        options === undefined ? undefined : { key: options.key, offset: options.offset },
      );
      where.line = pos.line;
      where.column = pos.column;
    }
    if (formatted) where.path = formatted;
    return where;
  }
}

/** Edit distance between two short strings (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2][j - 2] + 1);
      }
      rows[i].push(best);
    }
  }
  return rows[a.length][b.length];
}

/** The candidates closest to `word` (distance ≤ max(1, a third of its length)), best first. */
export function closest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const threshold = Math.min(Math.max(1, Math.floor(word.length / 3)), word.length - 1);
  const scored: [string, number][] = [];
  for (const candidate of candidates) {
    const a = word.toLowerCase();
    const b = candidate.toLowerCase();
    // A prefix (`string` → `str`) is as good a hint as a one-letter typo.
    const prefix = Math.min(a.length, b.length) >= 2 && (a.startsWith(b) || b.startsWith(a));
    const distance = prefix ? 1 : editDistance(a, b);
    if (distance <= threshold) scored.push([candidate, distance]);
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return scored.slice(0, limit).map(([candidate]) => candidate);
}

/** `"; did you mean 'echo'?"` or an empty string when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const [best] = closest(word, candidates, 1);
  return best === undefined ? "" : `; did you mean '${best}'?`;
}
