/**
 * Describes the process running the CLI (how to start it again, whether it loads
 * TypeScript task modules) so `workflow init` writes a starter that runs here.
 *
 * @module
 */
import process from "node:process";
import { findTsxApi } from "../runtime/_node_import.ts";
import { hostName } from "../runtime/mod.ts";
import type { CliHost } from "./_shared.ts";

const PACKAGE = "@ddeutil/workflow";

/** The command that started this CLI, relative to `cwd` when it is a local file. */
export function cliCommand(cwd: string = process.cwd()): string {
  const host = hostName();
  if (host === "deno") {
    const main = (globalThis as { Deno?: { mainModule?: string } }).Deno?.mainModule ?? "";
    const jsr = /^https:\/\/jsr\.io\/(@[^/]+\/[^/]+)\/[^/]+\/mod\.ts$/.exec(main);
    if (jsr) return `deno run -A jsr:${jsr[1]}`;
    return `deno run -A ${main.startsWith("file:") ? relative(cwd, new URL(main).pathname) : main}`;
  }
  const script = (process.argv[1] ?? "").replaceAll("\\", "/");
  if (script.includes(`/node_modules/${PACKAGE}/`) || script.includes("/node_modules/.bin/")) {
    return host === "bun" ? `bunx --bun ${PACKAGE}` : `npx ${PACKAGE}`;
  }
  const flags = host === "node" ? process.execArgv.filter((a) => !a.startsWith("--inspect")) : [];
  return [host, ...flags, relative(cwd, script)].join(" ");
}

function relative(cwd: string, path: string): string {
  const base = cwd.replace(/\/+$/, "") + "/";
  return path.startsWith(base) ? path.slice(base.length) : path;
}

/** The {@linkcode CliHost} of this process. */
export function cliHost(): CliHost {
  const host = hostName();
  const features = process.features as { typescript?: string | false };
  return {
    command: cliCommand(),
    needsModuleScope: host !== "deno",
    canImportTypeScript: (dir) =>
      host !== "node" || Boolean(features.typescript) ||
      findTsxApi([dir, process.cwd()]) !== undefined,
  };
}
