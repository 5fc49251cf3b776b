/**
 * Workflows: name, desc, params, on, jobs, max-job-parallel, timeout, tags;
 * plus the checks that span jobs (unknown `needs`, `needs` cycles) and the
 * static template checks.
 *
 * @module
 */

import type { Job, Workflow } from "./types.ts";
import { didYouMean, type IssueCollector, type ModelPath } from "./issues.ts";
import {
  checkKeys,
  describeValue,
  isRawMap,
  readDuration,
  readInteger,
  readString,
} from "./fields.ts";
import { parseParams } from "./params.ts";
import { dedent } from "../util/text.ts";
import { type OnOptions, parseOn } from "./on.ts";
import { parseJob } from "./job.ts";
import { checkWorkflowTemplates, type TemplateCheckOptions } from "./template_checks.ts";
import type { StageSyntax } from "./stage.ts";

/** Keys a workflow template accepts. */
export const WORKFLOW_KEYS = [
  "type",
  "name",
  "desc",
  "params",
  "on",
  "jobs",
  "max-job-parallel",
  "timeout",
  "tags",
] as const;

/** Options of {@linkcode parseWorkflow}. */
export interface ParseWorkflowOptions extends OnOptions, TemplateCheckOptions {
  /** The stage kinds (`STAGE_SYNTAX` of `src/stages/kinds.ts`): stages are parsed by them. */
  readonly stageSyntax: StageSyntax;
  /** Run the static template checks (syntax, unknown filters, undeclared references).
   * @default true */
  readonly checkTemplates?: boolean;
}

/**
 * Parses and validates a workflow template, reporting every problem to `issues`. Returns a
 * best-effort model; callers decide whether issues are fatal.
 */
export function parseWorkflow(
  name: string,
  raw: unknown,
  issues: IssueCollector,
  options: ParseWorkflowOptions,
): Workflow {
  const workflow: { -readonly [K in keyof Workflow]: Workflow[K] } = {
    name,
    params: {},
    on: [],
    jobs: {},
    tags: [],
    source: issues.source([]),
  };
  if (!isRawMap(raw)) {
    issues.add([], `expected a workflow mapping, got ${describeValue(raw)}`);
    return workflow;
  }
  checkKeys(raw, WORKFLOW_KEYS, [], issues);
  if (raw.type !== undefined && raw.type !== "Workflow") {
    issues.add(["type"], `expected type 'Workflow', got ${describeValue(raw.type)}`);
  }
  if (name.includes("${{")) issues.add([], `workflow name '${name}' must not contain a template`);
  const declared = readString(raw, "name", [], issues);
  if (declared !== undefined && declared !== name) {
    issues.add(["name"], `name '${declared}' differs from the template key '${name}'`);
  }
  const desc = readString(raw, "desc", [], issues);
  if (desc !== undefined) workflow.desc = dedent(desc);
  workflow.params = parseParams(raw.params, ["params"], issues).params;
  workflow.on = parseOn(raw.on, ["on"], issues, options);
  const maxJobParallel = readInteger(raw, "max-job-parallel", [], issues);
  if (typeof maxJobParallel === "number") workflow.maxJobParallel = maxJobParallel;
  const timeoutMs = readDuration(raw, "timeout", [], issues);
  if (timeoutMs !== undefined) workflow.timeoutMs = timeoutMs;
  workflow.tags = parseTags(raw.tags, ["tags"], issues);

  const jobs: Record<string, Job> = {};
  // A workflow without jobs (no `jobs:` or an empty one) is valid and runs to SUCCESS with
  // `jobs: {}`, as in the reference.
  if (raw.jobs === undefined || raw.jobs === null) {
    // nothing to parse
  } else if (!isRawMap(raw.jobs)) {
    issues.add(["jobs"], `expected a mapping of job id to job, got ${describeValue(raw.jobs)}`);
  } else {
    const ids = Object.keys(raw.jobs);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const job = raw.jobs[id];
      if (id.includes("${{")) {
        issues.add(["jobs", id], `job id '${id}' must not contain a template`);
      }
      jobs[id] = parseJob(id, job, ["jobs", id], issues, options.stageSyntax);
    }
  }
  workflow.jobs = jobs;
  checkNeeds(jobs, issues);
  if (options.checkTemplates !== false) checkWorkflowTemplates(raw, workflow, issues, options);
  return workflow;
}

function parseTags(raw: unknown, path: ModelPath, issues: IssueCollector): string[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === "string") return [raw];
  if (
    Array.isArray(raw) && raw.every((tag) => typeof tag === "string" || typeof tag === "number")
  ) {
    return raw.map(String);
  }
  issues.add(path, `expected a list of tags, got ${describeValue(raw)}`);
  return [];
}

/** Reports `needs` that name no job and every dependency cycle (`a -> b -> a`). */
function checkNeeds(jobs: Readonly<Record<string, Job>>, issues: IssueCollector): void {
  const ids = Object.keys(jobs);
  for (const job of Object.values(jobs)) {
    job.needs.forEach((need, index) => {
      if (need in jobs) return;
      const at = ["jobs", job.id, "needs"];
      const hint = didYouMean(need, ids) || `; jobs: ${ids.join(", ")}`;
      // A bare `needs: a` has no index; the locator then falls back to `needs` itself.
      issues.add(at, `needs unknown job '${need}'${hint}`, { at: [...at, index] });
    });
  }
  const state = new Map<string, "visiting" | "done">();
  const reported = new Set<string>();
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, "visiting");
    stack.push(id);
    for (const need of jobs[id].needs) {
      if (!(need in jobs)) continue;
      const seen = state.get(need);
      if (seen === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(need)), need];
        const key = [...cycle.slice(0, -1)].sort().join(",");
        if (!reported.has(key)) {
          reported.add(key);
          issues.add(
            ["jobs", id, "needs"],
            `dependency cycle: ${cycle.join(" -> ")}; remove one of these needs`,
          );
        }
      } else if (seen === undefined) {
        visit(need);
      }
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const id of ids) if (!state.has(id)) visit(id);
}
