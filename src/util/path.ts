/**
 * Pure POSIX path helpers for the core, which may not use the host's path module.
 * Paths use `/` separators (the {@linkcode Runtime} contract).
 *
 * @module
 */

/** Returns `true` when `path` starts at the root (`/`). */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/**
 * Resolves `.` and `..` segments and collapses repeated slashes.
 *
 * @example
 * ```ts
 * normalize("a//b/../c/"); // "a/c/"
 * ```
 */
export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = isAbsolute(path);
  const trailing = path.endsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(part);
  }
  let result = (absolute ? "/" : "") + out.join("/");
  if (result === "") return absolute ? "/" : ".";
  if (trailing && result !== "/") result += "/";
  return result;
}

/**
 * Joins segments with `/` and normalizes the result. Empty segments are skipped.
 *
 * @example
 * ```ts
 * join("conf", "a", "../b.yml"); // "conf/b.yml"
 * ```
 */
export function join(...parts: string[]): string {
  const kept = parts.filter((part) => part !== "");
  return kept.length === 0 ? "." : normalize(kept.join("/"));
}

/** The folder part of `path` (`"."` when there is none). */
export function dirname(path: string): string {
  if (path === "") return ".";
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  const trimmed = path.slice(0, end);
  const index = trimmed.lastIndexOf("/");
  if (index < 0) return ".";
  if (index === 0) return "/";
  let stop = index;
  while (stop > 1 && trimmed[stop - 1] === "/") stop--;
  return trimmed.slice(0, stop);
}

/** The last segment of `path`, without `suffix` when it ends with it. */
export function basename(path: string, suffix?: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  const trimmed = path.slice(0, end);
  let base = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  if (base === "" && trimmed === "/") base = "";
  if (suffix && base !== suffix && base.endsWith(suffix)) base = base.slice(0, -suffix.length);
  return base;
}

/** The extension of the last segment, with its dot (`".yml"`), or `""`. */
export function extname(path: string): string {
  const base = basename(path);
  const index = base.lastIndexOf(".");
  return index <= 0 ? "" : base.slice(index);
}

/**
 * Resolves `path` against `cwd` (an absolute folder) into an absolute, normalized path.
 *
 * @example
 * ```ts
 * resolve("/work", "conf/../x.yml"); // "/work/x.yml"
 * ```
 */
export function resolve(cwd: string, path: string): string {
  const absolute = isAbsolute(path) ? path : `${cwd}/${path}`;
  const result = normalize(absolute);
  return result.length > 1 && result.endsWith("/") ? result.slice(0, -1) : result;
}

/**
 * The path from `from` to `to`; both are made absolute against `/` first when relative.
 *
 * @example
 * ```ts
 * relative("/a/b", "/a/c/d"); // "../c/d"
 * ```
 */
export function relative(from: string, to: string): string {
  const fromParts = resolve("/", from).split("/").filter(Boolean);
  const toParts = resolve("/", to).split("/").filter(Boolean);
  let shared = 0;
  while (
    shared < fromParts.length && shared < toParts.length &&
    fromParts[shared] === toParts[shared]
  ) shared++;
  const up = fromParts.slice(shared).map(() => "..");
  return [...up, ...toParts.slice(shared)].join("/");
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The `import()` specifier of a module entry: a URL (`file:`, `https:`, `npm:`, …) is kept as it
 * is; a path is resolved against `cwd` and turned into a `file:` URL.
 */
export function moduleUrl(cwd: string, entry: string): string {
  if (URL_SCHEME.test(entry)) return entry;
  return new URL(`file://${isAbsolute(entry) ? entry : join(cwd, entry)}`).href;
}
