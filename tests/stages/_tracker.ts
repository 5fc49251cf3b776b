/**
 * A task that records how many calls run at once (`g/track@v1`), for the
 * concurrency tests of parallel and foreach stages.
 */
import { Registry, tag } from "../../src/stages/registry.ts";

/** A registry with `g/track@v1` and the peak number of concurrent calls it saw. */
export function concurrencyTracker(
  holdMs = 30,
): { registry: Registry; peak: () => number; calls: () => unknown[] } {
  let active = 0;
  let peak = 0;
  const calls: unknown[] = [];
  const track = tag("v1", { alias: "track" })(async (args) => {
    active++;
    peak = Math.max(peak, active);
    calls.push(args.value);
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    active--;
    return { value: args.value };
  });
  return {
    registry: new Registry().register("g", [track]),
    peak: () => peak,
    calls: () => calls,
  };
}
