/**
 * Builds the npm package into `npm/`: ESM `.js` + `.d.ts` compiled by `tsc`
 * from the same `.ts` sources Deno and Bun run directly, a `package.json`
 * with `exports` and the `workflow` bin.
 *
 * Usage: npm run build:npm [-- --out DIR]   (node --import tsx scripts/build_npm.ts, or
 * deno run -A scripts/build_npm.ts)
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// `--out DIR` builds elsewhere (the packaging tests build into a temporary folder).
const outIndex = process.argv.indexOf("--out");
const out = outIndex >= 0 ? resolve(process.argv[outIndex + 1]) : join(root, "npm");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
// The package's entry points: `mod` is `.`, each other one the subpath of its name.
const ENTRIES = ["mod", "core", "events", "stores", "scheduler", "testing"];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const tsconfig = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2023", "DOM"],
    types: ["node"],
    declaration: true,
    rewriteRelativeImportExtensions: true,
    allowImportingTsExtensions: true,
    strict: true,
    skipLibCheck: true,
    outDir: out,
    rootDir: root,
  },
  files: [...ENTRIES.map((entry) => `${entry}.ts`), "src/cli/bin.ts"],
  include: ["src/**/*.ts"],
};
const configPath = join(root, "tsconfig.npm.json");
writeFileSync(configPath, JSON.stringify(tsconfig, null, 2));
try {
  execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", configPath], {
    cwd: root,
    stdio: "inherit",
  });
} finally {
  rmSync(configPath, { force: true });
}

const bin = join(out, "src", "cli", "bin.js");
writeFileSync(bin, "#!/usr/bin/env node\n" + readFileSync(bin, "utf8").replace(/^#!.*\n/, ""));
chmodSync(bin, 0o755);

const npmPackage = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  license: pkg.license,
  type: "module",
  engines: pkg.engines,
  main: "./mod.js",
  types: "./mod.d.ts",
  exports: Object.fromEntries(
    ENTRIES.map((entry) => [
      entry === "mod" ? "." : `./${entry}`,
      { types: `./${entry}.d.ts`, import: `./${entry}.js` },
    ]),
  ),
  bin: { workflow: "./src/cli/bin.js" },
  files: [
    ...ENTRIES.flatMap((entry) => [`${entry}.js`, `${entry}.d.ts`]),
    "src/",
    "README.md",
    "LICENSE",
  ],
  dependencies: pkg.dependencies,
};
writeFileSync(join(out, "package.json"), JSON.stringify(npmPackage, null, 2) + "\n");
for (const file of ["README.md", "LICENSE"]) {
  try {
    copyFileSync(join(root, file), join(out, file));
  } catch {
    // optional files
  }
}
console.log(`built ${pkg.name}@${pkg.version} into ${out}`);
