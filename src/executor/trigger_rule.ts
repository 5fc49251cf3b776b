/**
 * Trigger rules: whether a job runs given the final statuses of its needs.
 * Names and meanings follow Airflow, where they come from; the reference's
 * counting bug in `one_success` is not kept (see ARCHITECTURE.md).
 *
 * @module
 */

import type { Status, TriggerRule } from "../models/types.ts";

/** What to do with a job once every need has ended. */
export type RuleDecision = "run" | "skip";

/**
 * Decides a job from its needs' statuses. A cancelled need counts as failed.
 *
 * @example
 * ```ts
 * decideTriggerRule("all_success", ["SUCCESS", "FAILED"]); // "skip"
 * decideTriggerRule("all_done", ["SUCCESS", "FAILED"]); // "run"
 * ```
 */
export function decideTriggerRule(rule: TriggerRule, needs: readonly Status[]): RuleDecision {
  if (needs.length === 0) return "run";
  let success = 0, failed = 0, skipped = 0;
  for (const status of needs) {
    if (status === "SUCCESS") success++;
    else if (status === "SKIP") skipped++;
    else failed++;
  }
  let run: boolean;
  switch (rule) {
    case "all_success":
      run = success === needs.length;
      break;
    case "all_failed":
      run = failed === needs.length;
      break;
    case "all_done":
      run = true;
      break;
    case "one_failed":
      run = failed >= 1;
      break;
    case "one_success":
      run = success >= 1;
      break;
    case "none_failed":
      run = failed === 0;
      break;
    case "none_skipped":
      run = skipped === 0;
      break;
  }
  return run ? "run" : "skip";
}
