/**
 * `@ddeutil/workflow/testing`: run workflows in tests without touching the host. The memory
 * runtime keeps files in memory, reads env from an object and moves time only when the test
 * says so (`FakeClock`), so schedules, sleeps, timeouts and retries run in an instant.
 *
 * @example
 * ```ts
 * import { Engine, indexConfig } from "@ddeutil/workflow";
 * import { createMemoryRuntime } from "@ddeutil/workflow/testing";
 *
 * const config = indexConfig([{
 *   path: "wf.yml",
 *   text: "nap:\n  type: Workflow\n  jobs:\n    a:\n      stages:\n        - name: Nap\n          sleep: 60\n",
 * }]);
 * const runtime = createMemoryRuntime();
 * const engine = await Engine.create({ runtime, config });
 * const running = engine.execute("nap");
 * await runtime.clock.runUntilIdle(); // the 60 s sleep ends at once
 * console.log((await running).status); // "SUCCESS"
 * ```
 *
 * @module
 */

export {
  createMemoryRuntime,
  FakeClock,
  FakeProcessTable,
  type MemoryRuntime,
  type MemoryRuntimeOptions,
} from "./src/runtime/memory.ts";
