/**
 * Live progress of a run for terminals and CI logs: one line per job,
 * strategy and stage as it starts and ends, with a status mark and duration.
 *
 * @module
 */

import type { LifecycleDetail } from "../executor/events.ts";
import type { Status } from "../models/types.ts";

const MARKS: Record<Status, string> = {
  SUCCESS: "✓",
  FAILED: "✗",
  SKIP: "○",
  CANCEL: "⊘",
  WAIT: "…",
};

/** Formats a duration for humans: `850 ms`, `2.4 s`, `3 m 12 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} m ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Turns lifecycle events into progress lines; returns `undefined` for events it does not show. */
export function progressLine(
  detail: LifecycleDetail,
  options: { verbose?: boolean } = {},
): string | undefined {
  const depth = (detail.strategy ? 1 : 0) + (detail.nested ? detail.nested.length : 0);
  const indent = (level: number) => "  ".repeat(level + depth);
  const took = detail.durationMs === undefined ? "" : ` (${formatDuration(detail.durationMs)})`;
  const mark = detail.status ? MARKS[detail.status] : "";
  const error = detail.error ? ` — ${detail.error.message.split("\n")[0]}` : "";
  switch (detail.type) {
    case "run-start":
      return `▶ ${detail.workflow} (run ${detail.runId})`;
    case "run-end":
      return `${mark} ${detail.workflow} ${detail.status}${took}${error}`;
    case "job-start":
      return `  ▶ job ${detail.job}`;
    case "job-end":
      return `  ${mark} job ${detail.job} ${detail.status}${took}${error}`;
    case "strategy-start":
      return options.verbose ? `    ▶ strategy ${detail.strategy}` : undefined;
    case "strategy-end":
      return `    ${mark} strategy ${detail.strategy} ${detail.status}${took}${error}`;
    case "stage-start":
      return options.verbose ? `${indent(2)}▶ ${detail.stageName ?? detail.stage}` : undefined;
    case "stage-end":
      return `${indent(2)}${mark} ${
        detail.stageName ?? detail.stage
      } ${detail.status}${took}${error}`;
    case "log":
      if (detail.level === "debug" && !options.verbose) return undefined;
      return `${indent(3)}│ ${stripPrefix(detail.message ?? "")}`;
  }
}

function stripPrefix(message: string): string {
  return message.replace(/^\[(STAGE|JOB|WORKFLOW)\]: /, "");
}
