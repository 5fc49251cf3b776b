/**
 * Which host runs this code, and its adapter loaded alone: the CLI starts faster when it does
 * not load the adapters (and their `node:` modules) of the two hosts it is not running on.
 *
 * @module
 */
import type { Runtime } from "./types.ts";

/** Which host this code runs on, judged by its globals. */
export function hostName(): "deno" | "bun" | "node" {
  const globals = globalThis as { Deno?: unknown; Bun?: unknown };
  if (globals.Deno !== undefined) return "deno";
  if (globals.Bun !== undefined) return "bun";
  return "node";
}

/**
 * The adapter for the host runtime, importing only that host's adapter module.
 * `detectRuntime()` gives the same adapter synchronously but loads all three.
 *
 * @example
 * ```ts
 * const runtime = await loadHostRuntime();
 * runtime.name; // "deno", "bun" or "node"
 * ```
 */
export async function loadHostRuntime(): Promise<Runtime> {
  switch (hostName()) {
    case "deno":
      return (await import("./deno.ts")).createDenoRuntime();
    case "bun":
      return (await import("./bun.ts")).createBunRuntime();
    default:
      return (await import("./node.ts")).createNodeRuntime();
  }
}
