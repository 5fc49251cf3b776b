/**
 * A task that records how many calls run at once (`g/track@v1`), for the
 * concurrency tests of parallel and foreach stages.
 */
import { Registry, tag } from "../../src/stages/registry.ts";

/** One macrotask turn: every promise chain that can run now has run. */
const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Turns with no new call after which a short round is let go (a limit set too low). */
const QUIET_TURNS = 20;

/**
 * A registry with `g/track@v1` and the peak number of concurrent calls it saw.
 *
 * Calls wait on a gate instead of a fixed hold: the gate opens when `expectedPeak` calls are in
 * flight (or all `total` calls have started), then each call waits one more turn before it
 * ends, so an engine that starts more than it may is seen doing so. Should fewer calls than
 * `expectedPeak` ever run at once, the gate opens once no new call has come for a few turns,
 * so the test fails on `peak()` instead of hanging.
 */
export function concurrencyTracker(
  expectedPeak: number,
  total: number,
): { registry: Registry; peak: () => number; calls: () => unknown[] } {
  let active = 0;
  let peak = 0;
  const calls: unknown[] = [];
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => (open = resolve));
  const release = () => {
    open();
    gate = new Promise<void>((resolve) => (open = resolve));
  };
  const releaseWhenQuiet = async (seen: number) => {
    for (let i = 0; i < QUIET_TURNS; i++) {
      await turn();
      if (calls.length !== seen) return; // a newer call watches from here on
    }
    release();
  };
  const track = tag("v1", { alias: "track" })(async (args) => {
    active++;
    peak = Math.max(peak, active);
    calls.push(args.value);
    const round = gate;
    if (active >= expectedPeak || calls.length === total) release();
    else void releaseWhenQuiet(calls.length);
    await round;
    await turn();
    active--;
    return { value: args.value };
  });
  return {
    registry: new Registry().register("g", [track]),
    peak: () => peak,
    calls: () => calls,
  };
}
