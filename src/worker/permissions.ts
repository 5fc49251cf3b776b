/**
 * Parses `WORKFLOW_CORE_RUN_PERMISSIONS`: what JavaScript `run:` stages may
 * touch. Only Deno can enforce it (each JavaScript worker is a `deno`
 * subprocess started with these `--allow-*` flags); Bun and Node refuse it.
 *
 * @module
 */

/** Deno permission names a run stage may be granted. */
export const RUN_PERMISSION_NAMES: readonly string[] = [
  "read",
  "write",
  "net",
  "env",
  "run",
  "sys",
  "ffi",
  "import",
];

/** Result of {@linkcode parseRunPermissions}: Deno flags, `"all"`, or why the value is bad. */
export type ParsedRunPermissions =
  | { readonly ok: true; readonly value: readonly string[] | "all" }
  | { readonly ok: false; readonly message: string };

const FLAG = new RegExp(`^--allow-(${RUN_PERMISSION_NAMES.join("|")})(=[^\\s]+)?$`);

/**
 * Reads a permissions value: `all` (the engine's own permissions), `none`, a
 * comma list of names (`read,env` → `--allow-read --allow-env`), or literal
 * flags separated by spaces (`--allow-read=/data,/tmp --allow-env=HOME`);
 * names and flags may be mixed.
 *
 * @example
 * ```ts
 * parseRunPermissions("read,env"); // { ok: true, value: ["--allow-read", "--allow-env"] }
 * parseRunPermissions("--allow-read=/data"); // { ok: true, value: ["--allow-read=/data"] }
 * ```
 */
export function parseRunPermissions(text: string): ParsedRunPermissions {
  const value = text.trim();
  if (value === "all") return { ok: true, value: "all" };
  if (value === "none") return { ok: true, value: [] };
  const flags: string[] = [];
  for (const token of value.split(/\s+/).filter(Boolean)) {
    if (token.startsWith("-")) {
      if (!FLAG.test(token)) {
        return { ok: false, message: `"${token}" is not a Deno --allow-<permission> flag` };
      }
      flags.push(token);
      continue;
    }
    for (const name of token.split(",").map((s) => s.trim()).filter(Boolean)) {
      if (!RUN_PERMISSION_NAMES.includes(name)) {
        return { ok: false, message: `"${name}" is not a permission name` };
      }
      flags.push(`--allow-${name}`);
    }
  }
  if (flags.length === 0) return { ok: false, message: "names no permission" };
  return { ok: true, value: [...new Set(flags)] };
}

/** The sentence every bad value's message ends with. */
export const RUN_PERMISSIONS_HINT = `use all, none, a comma list of ${
  RUN_PERMISSION_NAMES.join(", ")
}, or Deno flags such as --allow-read=/data`;
