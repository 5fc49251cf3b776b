/**
 * A minimal release used when `createApi` is given no `release` function: skip a normal
 * release whose audit exists, run with `release.*` in the template scope, write the audit.
 * The scheduler's own release (with its full semantics) should be passed in when available.
 *
 * @module
 */

import { newRunId } from "../executor/ids.ts";
import { toJsonValue } from "../results/result.ts";
import { Masker } from "../util/mask.ts";
import type { ReleaseFunction } from "./scheduler_view.ts";

/** Runs one release of `name` at `logicalDate` (see module doc). */
export const basicRelease: ReleaseFunction = async (engine, name, logicalDate, options) => {
  const type = options.type ?? "normal";
  const audits = options.audits;
  if (type === "normal" && audits && await audits.exists(name, logicalDate)) {
    return { skipped: true };
  }
  const clock = engine.runtime.clock;
  const start = clock.now();
  const started = clock.monotonic();
  const runId = newRunId(start, name);
  const result = await engine.execute(name, options.params ?? {}, {
    runId,
    signal: options.signal,
    dryRun: type === "dryrun",
    extraScope: {
      release: {
        logical_date: new Date(logicalDate),
        execute_date: new Date(start),
        run_id: runId,
        timezone: engine.settings.timezone,
        type,
      },
    },
  });
  if (audits && type !== "dryrun") {
    const masker = new Masker();
    for (const secret of result.secrets) masker.add(secret);
    await audits.write({
      workflow: name,
      release: logicalDate,
      type,
      runId: result.runId,
      status: result.status,
      context: toJsonValue(result.context, (text) => masker.mask(text)) as Record<string, unknown>,
      durationMs: Math.max(0, clock.monotonic() - started),
      createdAt: clock.now(),
    });
  }
  return { skipped: false, result };
};
