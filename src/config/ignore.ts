/**
 * `.confignore` rules (REFERENCE §1.1, practical form): a file is ignored when,
 * for some pattern `p`, its name matches the glob `p*`, or the tail of its path
 * matches `p/*` segment by segment (so `ignore/*` hides `ignore/x.yml`, and
 * `*_ignore` hides `a_ignore.yml` and `a_ignore_inside.yml`).
 *
 * @module
 */

/** Reads the patterns of a `.confignore` text: stripped lines, no blanks or `#` comments. */
export function parseIgnore(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) =>
    line !== "" && !line.startsWith("#")
  );
}

/**
 * `true` when `relativePath` (with `/` separators, relative to the config root) is hidden by
 * one of `patterns`.
 *
 * @example
 * ```ts
 * isIgnored("demo/01_wf_ignore_inside.yml", ["*_ignore"]); // true
 * ```
 */
export function isIgnored(relativePath: string, patterns: readonly string[]): boolean {
  const segments = relativePath.split("/").filter((s) => s !== "" && s !== ".");
  for (const pattern of patterns) {
    const parts = pattern.replace(/\/+$/, "").split("/").filter((s) => s !== "");
    if (!parts.length) continue;
    const withStar = [...parts.slice(0, -1), parts[parts.length - 1] + "*"];
    if (matchesTail(segments, withStar) || matchesTail(segments, [...parts, "*"])) return true;
  }
  return false;
}

function matchesTail(segments: readonly string[], pattern: readonly string[]): boolean {
  // A leading `**` stands for any one segment (Python ≤ 3.12 `PurePath.match`).
  const parts = pattern[0] === "**" ? pattern.slice(1) : pattern;
  if (parts.length > segments.length) return false;
  const tail = segments.slice(segments.length - parts.length);
  return parts.every((part, i) => globToRegExp(part).test(tail[i]));
}

const cache = new Map<string, RegExp>();

/** Converts one fnmatch segment (`*`, `?`, `[abc]`, `[!a]`) to an anchored RegExp. */
function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === "*") source += "[^/]*";
    else if (ch === "?") source += "[^/]";
    else if (ch === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) source += "\\[";
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith("!")) body = "^" + body.slice(1);
        source += `[${body.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else source += ch.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  re = new RegExp(`^${source}$`);
  cache.set(glob, re);
  return re;
}
