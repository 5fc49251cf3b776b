/**
 * Runtime adapters and detection of the host runtime.
 *
 * @module
 */
import { createBunRuntime } from "./bun.ts";
import { createDenoRuntime } from "./deno.ts";
import { createNodeRuntime } from "./node.ts";
import type { Runtime } from "./types.ts";
import { hostName } from "./host.ts";

export type * from "./types.ts";
export { createBunRuntime } from "./bun.ts";
export { createDenoRuntime } from "./deno.ts";
export { createNodeRuntime } from "./node.ts";
export { hostName, loadHostRuntime } from "./host.ts";
export {
  createMemoryRuntime,
  FakeClock,
  FakeProcessTable,
  type MemoryRuntime,
  type MemoryRuntimeOptions,
} from "./memory.ts";

let detected: Runtime | undefined;

/**
 * Returns the adapter for the host runtime (Deno, Bun or Node), made once per process.
 *
 * @example
 * ```ts
 * const runtime = detectRuntime();
 * runtime.name; // "deno", "bun" or "node"
 * ```
 */
export function detectRuntime(): Runtime {
  if (detected) return detected;
  const host = hostName();
  detected = host === "deno"
    ? createDenoRuntime()
    : host === "bun"
    ? createBunRuntime()
    : createNodeRuntime();
  return detected;
}
