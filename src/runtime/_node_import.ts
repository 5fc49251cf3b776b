/**
 * Imports user modules (task groups, filter modules) on Node, TypeScript ones included.
 * Node ≥ 22.18 strips types itself; an older Node (or TypeScript syntax Node cannot strip)
 * loads the module through the user's own `tsx`, found from the module's folder or the
 * working folder. Without either, the error names the three ways out.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Error codes Node gives when it cannot load a `.ts` module by itself. */
const NEEDS_LOADER = new Set([
  "ERR_UNKNOWN_FILE_EXTENSION", // Node < 22.18 (or type stripping turned off)
  "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX", // enums, parameter properties, … (not erasable)
  "ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING", // a .ts file under node_modules
]);

const TYPESCRIPT = /\.[cm]?tsx?(?:[?#].*)?$/;

let tsxRegistered: Promise<boolean> | undefined;

/**
 * Where the ESM API of `tsx` is installed for a project, or `undefined`.
 *
 * @param fromDirs folders whose `node_modules` (and their parents') are searched, in order
 */
export function findTsxApi(fromDirs: readonly string[]): string | undefined {
  for (const dir of fromDirs) {
    try {
      const packageJson = createRequire(`${dir.replace(/\/+$/, "")}/_.js`).resolve(
        "tsx/package.json",
      );
      const exportsField = JSON.parse(readFileSync(packageJson, "utf8")).exports?.["./esm/api"];
      const entry = typeof exportsField === "string"
        ? exportsField
        : exportsField?.import?.default ?? exportsField?.import;
      if (typeof entry === "string") return new URL(entry, pathToFileURL(packageJson)).href;
    } catch {
      // not installed there: try the next folder
    }
  }
  return undefined;
}

function registerTsx(fromDirs: readonly string[]): Promise<boolean> {
  tsxRegistered ??= (async () => {
    const api = findTsxApi(fromDirs);
    if (!api) return false;
    const { register } = await import(api) as { register: () => unknown };
    register();
    return true;
  })();
  return tsxRegistered;
}

/** The message for a TypeScript module this Node cannot load, naming the ways out. */
export function typeScriptHint(specifier: string, nodeVersion: string): string {
  return `Node ${nodeVersion} cannot load the TypeScript module ${specifier} by itself. ` +
    "Either run Node >= 22.18 (it strips types natively), add tsx to your project " +
    "(npm install --save-dev tsx), or write the module as .js";
}

/**
 * Imports `specifier` (a `file:` URL or any specifier Node resolves); a `.ts` module that
 * Node cannot load natively goes through the project's `tsx` when there is one.
 *
 * @param cwd the working folder, searched for `tsx` after the module's own folder
 * @throws {Error} with {@linkcode typeScriptHint}'s message when nothing can load a `.ts` module.
 */
export async function importNodeModule(
  specifier: string,
  cwd: string,
): Promise<Record<string, unknown>> {
  try {
    return await import(specifier);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (!TYPESCRIPT.test(specifier) || typeof code !== "string" || !NEEDS_LOADER.has(code)) {
      throw error;
    }
    const dirs = specifier.startsWith("file:")
      ? [fileURLToPath(new URL(".", specifier)), cwd]
      : [cwd];
    if (!(await registerTsx(dirs))) {
      throw new Error(
        code === "ERR_UNKNOWN_FILE_EXTENSION"
          ? typeScriptHint(specifier, process.versions.node)
          : `${(error as Error).message}; add tsx to your project ` +
            "(npm install --save-dev tsx) to load it, or write the module as .js",
        { cause: error },
      );
    }
    // Node remembers the failed load of this exact URL: ask again under another one.
    return await import(`${specifier}${specifier.includes("?") ? "&" : "?"}tsx`);
  }
}
