/**
 * `@ddeutil/workflow`: a lightweight, metadata-driven workflow orchestrator.
 * Describe workflows in YAML (Workflow → Jobs → Stages, typed params,
 * `${{ }}` templates, cron schedules); run them from code, the `workflow`
 * CLI or the HTTP API, on Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 *
 * const engine = await Engine.create({ runtime: detectRuntime(), settings: { confPath: "./conf" } });
 * const result = await engine.execute("demo-hello", { name: "world" });
 * console.log(result.status, result.context.jobs);
 * await engine.close();
 * ```
 *
 * @module
 */

// The root API: everything `./core.ts` exports (web-standard), plus the host adapters and the
// socket server. Subpaths: `/events`, `/stores`, `/scheduler`, `/testing`, `/core`.
export * from "./core.ts";
export {
  createBunRuntime,
  createDenoRuntime,
  createNodeRuntime,
  detectRuntime,
} from "./src/runtime/mod.ts";
export { serve, type ServeOptions, type Server } from "./src/api/serve.ts";

// `deno run -A mod.ts <command>` (and `bun mod.ts <command>`) runs the CLI. No top-level
// await here, so the library entry stays loadable everywhere.
if ((import.meta as ImportMeta & { main?: boolean }).main) {
  import("./src/cli/main.ts").then(({ main }) => main());
}
