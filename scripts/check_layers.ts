/**
 * The layer check: the pure core (everything under `src/` except
 * `src/runtime/`, `src/cli/` and `src/api/serve.ts`) must not reach runtime
 * APIs or read the real clock, each third-party package is imported by
 * exactly one place, and a file imports only from its own layer or the layers
 * below it in {@linkcode LAYERS} (type-only imports included). Comments are ignored.
 *
 * Run: `node --import tsx scripts/check_layers.ts [srcDir]` or
 * `deno run -A scripts/check_layers.ts [srcDir]`; exits 1 listing `file:line`.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The layers of `src/`, lowest first: a folder, or a file directly in `src/`. A file may import
 * from its own layer and from the layers before it in this list, never from one after it; a
 * folder or root file missing here is a violation until it is given its place.
 */
export const LAYERS: readonly string[] = [
  "errors.ts",
  "version.ts",
  "runtime",
  "util",
  "template",
  "models",
  "stages",
  "config",
  "worker",
  "executor",
  "results",
  "scheduler",
  "telemetry",
  "settings.ts",
  "run_records.ts",
  "engine.ts",
  "recovery.ts",
  "api",
  "cli",
];

/** Options of {@linkcode checkSource} and {@linkcode checkLayers}. */
export interface CheckLayersOptions {
  /** The layer order to hold the files to, lowest first. @default LAYERS */
  readonly layers?: readonly string[];
}

/** One broken rule at a place in a file. */
export interface LayerViolation {
  /** Path relative to the scanned `src` folder, with `/` separators. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  readonly message: string;
}

interface Rule {
  readonly pattern: RegExp;
  readonly message: string;
  /** Whether `file` (relative to src) may do this. */
  readonly allowed: (file: string) => boolean;
}

const isHostLayer = (file: string) =>
  file.startsWith("runtime/") || file.startsWith("cli/") || file === "api/serve.ts";

// Import specifiers: `from "x"`, `import "x"`, `import("x")`, `require("x")`.
const importOf = (specifier: string) =>
  new RegExp(
    `(?:\\bfrom\\s*|\\bimport\\s*\\(?\\s*|\\brequire\\s*\\(\\s*)["'](?:${specifier})["']`,
  );
// A global used at the start of an expression (not `x.subprocess.` or `isDeno.`).
const global = (name: string, after: string) =>
  new RegExp(`(?<![\\w$])${name.replace(".", "\\.")}${after}`);

const RULES: readonly Rule[] = [
  {
    pattern: importOf("node:[^\"']+"),
    message: "imports a node:* module (only src/runtime, src/cli and src/api/serve.ts may)",
    allowed: isHostLayer,
  },
  {
    pattern: global("Deno", "\\."),
    message: "uses Deno.* (reach the host through the Runtime adapter)",
    allowed: isHostLayer,
  },
  {
    pattern: global("Bun", "\\."),
    message: "uses Bun.* (reach the host through the Runtime adapter)",
    allowed: isHostLayer,
  },
  {
    pattern: global("process", "\\."),
    message: "uses process.* (reach the host through the Runtime adapter)",
    allowed: isHostLayer,
  },
  {
    pattern: global("Date.now", "\\s*\\("),
    message: "calls Date.now() (use the injected Clock)",
    allowed: isHostLayer,
  },
  {
    pattern: /\bnew\s+Date\s*\(\s*\)/,
    message: "calls new Date() without a time (use the injected Clock)",
    allowed: isHostLayer,
  },
  {
    pattern: global("setTimeout", "\\s*\\("),
    message: "calls setTimeout() (use the injected Clock)",
    allowed: isHostLayer,
  },
  {
    pattern: global("setInterval", "\\s*\\("),
    message: "calls setInterval() (use the injected Clock)",
    allowed: isHostLayer,
  },
  {
    pattern: global("performance.now", "\\s*\\("),
    message: "calls performance.now() (use the injected Clock)",
    allowed: isHostLayer,
  },
  {
    pattern: importOf("croner(?:/[^\"']*)?"),
    message: "imports croner (only src/scheduler/cron.ts may)",
    allowed: (file) => file === "scheduler/cron.ts",
  },
  {
    pattern: importOf("hono(?:/[^\"']*)?|@hono/[^\"']+"),
    message: "imports hono (only files under src/api/ may)",
    allowed: (file) => file.startsWith("api/"),
  },
  {
    pattern: importOf("@dagrejs/[^\"']+"),
    message: "imports @dagrejs/dagre (only src/api/ui/_graph.ts may)",
    allowed: (file) => file === "api/ui/_graph.ts",
  },
  {
    pattern: importOf("@opentelemetry/[^\"']+"),
    message: "imports @opentelemetry (only src/telemetry/otel.ts may)",
    allowed: (file) => file === "telemetry/otel.ts",
  },
  {
    pattern: importOf("postgres(?:/[^\"']*)?"),
    message: "imports postgres (only src/runtime/postgres.ts may, lazily)",
    allowed: (file) => file === "runtime/postgres.ts",
  },
  {
    pattern: importOf("yaml(?:/[^\"']*)?"),
    message: "imports yaml (only src/config/yaml_full.ts may)",
    allowed: (file) => file === "config/yaml_full.ts",
  },
];

/**
 * Blanks out comments (keeping line breaks, so line numbers stay true). Strings and template
 * literals are kept; a `//` inside them is not a comment.
 */
export function stripComments(source: string): string {
  let out = "";
  let i = 0;
  let quote: string | null = null;
  while (i < source.length) {
    const char = source[i];
    const next = source[i + 1];
    if (quote) {
      out += char;
      if (char === "\\") {
        out += next ?? "";
        i += 2;
        continue;
      }
      if (char === quote || (char === "\n" && quote !== "`")) quote = null;
      i++;
      continue;
    }
    if (char === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    if (char === "/" && next === "*") {
      i += 2;
      while (i < source.length && !(source[i] === "*" && source[i + 1] === "/")) {
        if (source[i] === "\n") out += "\n";
        i++;
      }
      i += 2;
      continue;
    }
    if (char === '"' || char === "'" || char === "`") quote = char;
    out += char;
    i++;
  }
  return out;
}

/** The layer a path relative to `src/` belongs to: its first folder, or the file itself. */
export function layerOf(file: string): string {
  const slash = file.indexOf("/");
  return slash === -1 ? file : file.slice(0, slash);
}

// Relative specifiers of static imports and re-exports (`from "./x"`, type-only ones too),
// side-effect imports (`import "./x"`) and dynamic imports with a literal (`import("./x")`).
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.\.?\/[^"']*)["']/g;

function layerViolations(
  file: string,
  lines: readonly string[],
  layers: readonly string[],
): LayerViolation[] {
  const own = layerOf(file);
  const rank = layers.indexOf(own);
  if (rank === -1) {
    return [{
      file,
      line: 1,
      message: `is in "${own}", which has no place in the layer order ` +
        "(add it to LAYERS in scripts/check_layers.ts)",
    }];
  }
  const violations: LayerViolation[] = [];
  lines.forEach((text, index) => {
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      const target = posix.normalize(posix.join(posix.dirname(file), match[1]));
      const layer = layerOf(target);
      const message = target.startsWith("../")
        ? `imports ${match[1]} from outside src/`
        : layers.indexOf(layer) > rank
        ? `imports ${match[1]} from layer "${layer}", which stands above "${own}" ` +
          "(a layer imports only its own folder and the layers below it)"
        : undefined;
      if (message) violations.push({ file, line: index + 1, message });
    }
  });
  return violations;
}

/**
 * Checks one file's text; `file` is its path relative to `src/`.
 *
 * @param file The file's path relative to `src/`, with `/` separators.
 * @param source The file's text.
 * @param options The layer order to check its imports against.
 */
export function checkSource(
  file: string,
  source: string,
  options: CheckLayersOptions = {},
): LayerViolation[] {
  const violations: LayerViolation[] = [];
  const lines = stripComments(source).split("\n");
  for (const rule of RULES) {
    if (rule.allowed(file)) continue;
    lines.forEach((text, index) => {
      if (rule.pattern.test(text)) {
        violations.push({ file, line: index + 1, message: rule.message });
      }
    });
  }
  violations.push(...layerViolations(file, lines, options.layers ?? LAYERS));
  return violations.sort((a, b) => a.line - b.line);
}

function listTsFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = `${dir}/${name}`;
    const relative = prefix + name;
    if (statSync(full).isDirectory()) out.push(...listTsFiles(full, `${relative}/`));
    else if (name.endsWith(".ts")) out.push(relative);
  }
  return out;
}

/**
 * Checks every `.ts` file below `srcDir` (a path, or a `file:` URL of the folder).
 *
 * @param srcDir The `src` folder to check.
 * @param options The layer order to hold it to.
 *
 * @example
 * ```ts
 * const violations = checkLayers("src");
 * for (const v of violations) console.log(`src/${v.file}:${v.line}: ${v.message}`);
 * ```
 */
export function checkLayers(
  srcDir: string | URL,
  options: CheckLayersOptions = {},
): LayerViolation[] {
  const root = (typeof srcDir === "string" ? srcDir : fileURLToPath(srcDir)).replace(/\/$/, "");
  return listTsFiles(root).flatMap((file) =>
    checkSource(file, readFileSync(`${root}/${file}`, "utf8"), options)
  );
}

function main(): void {
  const arg = process.argv[2];
  const srcDir = arg ?? fileURLToPath(new URL("../src", import.meta.url));
  const violations = checkLayers(srcDir);
  const shown = arg ?? "src";
  for (const v of violations) console.error(`${shown}/${v.file}:${v.line}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`layer check: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log("layer check: ok");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
