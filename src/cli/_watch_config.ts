/**
 * `workflow serve --watch`: reloads the engine's config when its folder changes, a short
 * quiet time after the last change, one reload at a time.
 *
 * @module
 */

import type { ConfigReport } from "../engine.ts";
import type { CliEngine } from "./engine_port.ts";
import { formatIssue, isBlockingIssue } from "../errors.ts";

/** Options of {@linkcode watchConfig}. */
export interface WatchConfigOptions {
  /** Stops watching. */
  readonly signal: AbortSignal;
  /** Quiet time after the last change before reloading, ms. @default 200 */
  readonly debounceMs?: number;
  /** Receives one line per reload (its result). */
  readonly write: (line: string) => void;
}

/** The line that reports one reload. */
export function reloadLine(report: ConfigReport | Error): string {
  if (report instanceof Error) return `config not reloaded: ${report.message}\n`;
  if (report.ok) {
    const warnings = report.issues.length ? `, ${report.issues.length} warning(s)` : "";
    return `config reloaded: ${report.count} template(s)${warnings}\n`;
  }
  const blocking = report.issues.filter(isBlockingIssue);
  return `config not reloaded (the old one stays): ${blocking.length} issue(s), first: ` +
    `${formatIssue(blocking[0])}\n`;
}

/**
 * Watches `engine.settings.confPath` through the runtime's `fs.watch` until `signal` aborts.
 *
 * @throws {Error} when the runtime cannot watch files.
 */
export async function watchConfig(engine: CliEngine, options: WatchConfigOptions): Promise<void> {
  const { fs, clock } = engine.runtime;
  if (!fs.watch) throw new Error("this runtime cannot watch files, so --watch is not available");
  const debounceMs = options.debounceMs ?? 200;
  let quiet: AbortController | undefined;
  let reloading: Promise<void> = Promise.resolve();
  const reload = () => {
    reloading = reloading.then(async () => {
      if (options.signal.aborted) return;
      let report: ConfigReport | Error;
      try {
        report = await engine.reloadConfig({ signal: options.signal });
      } catch (error) {
        report = error instanceof Error ? error : new Error(String(error));
      }
      if (!options.signal.aborted) options.write(reloadLine(report));
    });
  };
  const changed = () => {
    quiet?.abort();
    const current = quiet = new AbortController();
    clock.sleep(debounceMs, { signal: AbortSignal.any([current.signal, options.signal]) }).then(
      () => {
        if (quiet === current) reload();
      },
      () => {}, // a later change (or the stop) cut the quiet time short
    );
  };
  await fs.watch(engine.settings.confPath, changed, { signal: options.signal });
  quiet?.abort();
  await reloading;
}
