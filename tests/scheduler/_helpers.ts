/**
 * Helpers of the scheduler tests: an engine over inline YAML on a memory runtime whose fake
 * clock starts at a given instant.
 */
import { indexConfig } from "../../src/config/loader.ts";
import { Engine } from "../../src/engine.ts";
import { createMemoryRuntime, type MemoryRuntime } from "../../src/runtime/memory.ts";

/** Midnight UTC of the day most tests use. */
export const DAY = Date.parse("2026-03-02T00:00:00Z");

/** An engine over `yaml` whose clock (a `FakeClock`) starts at `now`. */
export async function fakeEngine(
  yaml: string,
  now = DAY,
): Promise<{ engine: Engine; runtime: MemoryRuntime }> {
  const runtime = createMemoryRuntime({ now });
  const engine = await Engine.create({
    runtime,
    config: indexConfig([{ path: "test.yml", text: yaml }]),
    settings: { timezone: "UTC" },
  });
  return { engine, runtime };
}

/** ISO text of an instant without milliseconds. */
export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(".000Z", "Z");
}

/** `count` instants from `start`, `stepMs` apart. */
export function every(start: number, stepMs: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i * stepMs);
}
