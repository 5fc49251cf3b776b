// Small helpers shared by the model tests.
import { formatIssue } from "../../src/errors.ts";
import { IssueCollector } from "../../src/models/issues.ts";
import { STAGE_SYNTAX } from "../../src/stages/kinds.ts";
import type { Stage } from "../../src/models/types.ts";

/** Parses one stage and returns it with its formatted issues. */
export function stageOf(raw: unknown): { stage: Stage | undefined; issues: string[] } {
  const issues = new IssueCollector();
  const stage = STAGE_SYNTAX.parseStage(raw, ["stages", 0], issues);
  return { stage, issues: issues.issues.map(formatIssue) };
}

/** Runs `parse` with a fresh collector and returns its result and formatted issues. */
export function collect<T>(parse: (issues: IssueCollector) => T): { value: T; issues: string[] } {
  const issues = new IssueCollector();
  const value = parse(issues);
  return { value, issues: issues.issues.map(formatIssue) };
}
