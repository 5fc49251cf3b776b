/**
 * Describes the process running the CLI (how to start it again, whether it loads
 * TypeScript task modules) so `workflow init` writes a starter that runs here.
 *
 * It reads the process through its globals, not `node:process`: on Deno that module loads the
 * Node compatibility layer, a large share of a short command's start-up. The search for `tsx`
 * (and its `node:` modules) is loaded only on a Node that cannot load TypeScript itself.
 *
 * @module
 */
import { hostName } from "../runtime/host.ts";
import type { CliHost } from "./_shared.ts";

const PACKAGE = "@ddeutil/workflow";

/** The parts of Node's and Bun's `process` global read here. */
interface NodeLikeProcess {
  readonly argv: readonly string[];
  readonly execArgv: readonly string[];
  readonly features?: { readonly typescript?: string | false };
  cwd(): string;
}

/** The parts of the `Deno` namespace read here. */
interface DenoLikeProcess {
  readonly mainModule?: string;
  cwd(): string;
}

const globals = globalThis as unknown as { process?: NodeLikeProcess; Deno?: DenoLikeProcess };

function currentDir(): string {
  return hostName() === "deno" ? globals.Deno!.cwd() : globals.process!.cwd();
}

/** The command that started this CLI, relative to `cwd` when it is a local file. */
export function cliCommand(cwd: string = currentDir()): string {
  const host = hostName();
  if (host === "deno") {
    const main = globals.Deno?.mainModule ?? "";
    const jsr = /^https:\/\/jsr\.io\/(@[^/]+\/[^/]+)\/[^/]+\/mod\.ts$/.exec(main);
    if (jsr) return `deno run -A jsr:${jsr[1]}`;
    return `deno run -A ${main.startsWith("file:") ? relative(cwd, new URL(main).pathname) : main}`;
  }
  const process = globals.process!;
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
export async function cliHost(): Promise<CliHost> {
  const host = hostName();
  const command = cliCommand();
  if (host !== "node" || globals.process?.features?.typescript) {
    return { command, needsModuleScope: host !== "deno", canImportTypeScript: () => true };
  }
  const { findTsxApi } = await import("../runtime/_node_import.ts");
  return {
    command,
    needsModuleScope: true,
    canImportTypeScript: (dir) => findTsxApi([dir, currentDir()]) !== undefined,
  };
}
