/**
 * Path text helpers shared by the host filesystem adapters. They keep paths exactly as given
 * (no normalising), so listings start with the folder the caller passed.
 *
 * @module
 */

/** The folder part of `path` (`.` for a bare name, `/` for a root entry). */
export function parentOf(path: string): string {
  const index = path.lastIndexOf("/");
  if (index < 0) return ".";
  return index === 0 ? "/" : path.slice(0, index);
}

/** `dir/name` without doubling a trailing slash. */
export function childPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** A unique sibling path for atomic writes. */
export function tempSibling(path: string): string {
  return `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
}
