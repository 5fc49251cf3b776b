/**
 * The Workflows page (every workflow with its schedule, last run and next fire time, and the
 * config's problems with file:line:col) and the Workflow page (description, params form, job
 * DAG, schedules with their next fire times, recent runs).
 *
 * @module
 */

import { formatIssue, isBlockingIssue } from "../../errors.ts";
import type { ParamSpec, Workflow } from "../../models/types.ts";
import { describeTime, nextRuns } from "../../scheduler/cron.ts";
import { listRunsPage } from "../_run_list.ts";
import type { ApiDeps } from "../route_table.ts";
import { dagSvg } from "./_graph.ts";
import {
  csrfField,
  html,
  type Markup,
  page,
  type PageFrame,
  seg,
  statusBadge,
  timeText,
} from "./_layout.ts";

/** A run row as `listRunsPage` gives it. */
type RunRow = Record<string, unknown>;

/** The newest runs of `workflow` (those this server remembers and the trace store's). */
export async function recentRuns(
  deps: ApiDeps,
  workflow: string,
  limit: number,
): Promise<RunRow[]> {
  const page = await listRunsPage(deps, { filter: { workflow }, limit, offset: 0 });
  return page.runs;
}

/** How many of the newest runs the Workflows page looks through for each workflow's last. */
export const LAST_RUN_SCAN = 1000;

/**
 * The newest run of each workflow among the newest {@linkcode LAST_RUN_SCAN} runs: one listing
 * of the trace store for the whole page (a file store reads its run folder once per listing).
 */
async function lastRuns(deps: ApiDeps): Promise<{ last: Map<string, RunRow>; all: boolean }> {
  const page = await listRunsPage(deps, { filter: {}, limit: LAST_RUN_SCAN, offset: 0 });
  const last = new Map<string, RunRow>();
  for (const row of page.runs) {
    const workflow = String(row.workflow);
    if (!last.has(workflow)) last.set(workflow, row);
  }
  return { last, all: page.next_cursor === null };
}

/** The soonest fire time of a workflow's `on:` schedules after `from`. */
function nextFire(workflow: Workflow, from: number): { at: number; timezone: string } | undefined {
  let best: { at: number; timezone: string } | undefined;
  for (const cron of workflow.on) {
    try {
      const [at] = nextRuns(cron.cronjob, from, 1, cron.timezone);
      if (at !== undefined && (!best || at < best.at)) best = { at, timezone: cron.timezone };
    } catch {
      // an invalid schedule is listed among the config's problems
    }
  }
  return best;
}

/** A table of run rows (shared by the Workflow and Runs pages). */
export function runTable(frame: PageFrame, rows: readonly RunRow[], caption: string): Markup {
  if (rows.length === 0) return html`<p class="muted">No runs.</p>`;
  return html`
    <table>
      <caption class="muted">${caption}</caption>
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Workflow</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Ended</th>
          <th scope="col">Re-run of</th>
        </tr>
      </thead>
      <tbody>${rows.map((row) => {
        const id = String(row.run_id);
        const start = row.started_at ? Date.parse(String(row.started_at)) : undefined;
        const end = row.ended_at ? Date.parse(String(row.ended_at)) : undefined;
        return html`
          <tr>
            <td><a class="mono" href="${frame.base}/runs/${seg(id)}">${id}</a></td>
            <td><a href="${frame.base}/workflows/${seg(String(row.workflow))}">${String(
              row.workflow,
            )}</a></td>
            <td>${statusBadge(String(row.status))}</td>
            <td>${timeText(start)}</td>
            <td>${timeText(end)}</td>
            <td>${row.rerun_of
              ? html`<a class="mono" href="${frame.base}/runs/${seg(String(row.rerun_of))}">${
                String(row.rerun_of)
              }</a>`
              : "—"}</td>
          </tr>
        `;
      })}</tbody>
    </table>
  `;
}

/** The Workflows page. */
export async function workflowsPage(frame: PageFrame, deps: ApiDeps): Promise<Markup> {
  const config = deps.engine.config;
  const now = deps.engine.runtime.clock.now();
  const rows: Markup[] = [];
  const { last: lastOf, all: sawAll } = await lastRuns(deps);
  for (const name of config.names("Workflow")) {
    let workflow: Workflow | undefined;
    try {
      workflow = config.workflow(name);
    } catch {
      workflow = undefined;
    }
    if (!workflow) {
      rows.push(html`
        <tr>
          <th scope="row"><a href="${frame.base}/workflows/${seg(name)}">${name}</a></th>
          <td colspan="4"><span class="error-text">✗ invalid</span> — see the problems below</td>
        </tr>
      `);
      continue;
    }
    const last = lastOf.get(name);
    const next = nextFire(workflow, now);
    rows.push(html`
      <tr>
        <th scope="row"><a href="${frame.base}/workflows/${seg(name)}">${name}</a>${workflow.desc
          ? html`<div class="muted">${firstLine(workflow.desc)}</div>`
          : ""}</th>
        <td>${workflow.on.length
          ? workflow.on.map((o) =>
            html`<div><code>${o.cronjob}</code> <span class="muted">${o.timezone}</span></div>`
          )
          : html`<span class="muted">manual</span>`}</td>
        <td>${last
          ? html`<a href="${frame.base}/runs/${seg(String(last.run_id))}">${
            statusBadge(String(last.status))
          }</a>`
          : sawAll
          ? html`<span class="muted">no run yet</span>`
          : html`
            <a class="muted"
              href="${frame.base}/runs?workflow=${encodeURIComponent(
                name,
              )}">none in the newest ${LAST_RUN_SCAN} runs</a>
          `}</td>
        <td>${last ? timeText(Date.parse(String(last.started_at))) : "—"}</td>
        <td>${next
          ? html`${timeText(next.at)}<div class="muted">${
            describeTime(next.at, next.timezone).local
          } ${next.timezone}</div>`
          : "—"}</td>
      </tr>
    `);
  }
  const issues = config.validate();
  const problems = issues.length === 0
    ? html`<p>✓ No problems found in the config.</p>`
    : html`<ul>${
      issues.map((issue) =>
        html`<li class="mono">${isBlockingIssue(issue) ? "✗ " : "⚠ "}${formatIssue(issue)}</li>`
      )
    }</ul>`;
  const blocking = issues.filter(isBlockingIssue).length;
  const body = html`
    <h1>Workflows</h1>
    ${rows.length === 0 ? html`<p class="muted">No workflow in the config.</p>` : html`
      <table>
        <thead>
          <tr>
            <th scope="col">Workflow</th>
            <th scope="col">Schedule</th>
            <th scope="col">Last run</th>
            <th scope="col">Last started</th>
            <th scope="col">Next fire time</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    `}
    <h2
      id="problems">Config problems (${blocking} error${blocking === 1
        ? ""
        : "s"}, ${issues.length - blocking} warning${issues.length - blocking === 1
        ? ""
        : "s"})</h2>
    ${problems}
    ${frame.csrf
      ? html`
        <form method="post"
          action="${frame.base}/config/reload">${csrfField(
            frame,
          )}<button type="submit">Reload the config</button></form>
      `
      : ""}
  `;
  return page(frame, { title: "Workflows", section: "workflows", body });
}

function firstLine(text: string): string {
  const line = text.trim().split("\n")[0];
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}

/** What the params form shows after a refused submission. */
export interface ParamFormState {
  /** The values sent, by param name. */
  readonly values: Readonly<Record<string, string>>;
  /** The engine's error by param name (`""` for an error of no single param). */
  readonly errors: Readonly<Record<string, string>>;
}

function defaultText(param: ParamSpec): string {
  const value = param.default;
  if (value === undefined || value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function paramField(param: ParamSpec, state: ParamFormState | undefined): Markup {
  const id = `param-${param.name}`;
  const error = state?.errors[param.name];
  const sent = state?.values[param.name];
  // A secret's default is never shown, as the API masks it.
  const value = sent ?? (param.type === "secret" ? "" : defaultText(param));
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hintId, error ? errorId : ""].filter(Boolean).join(" ");
  const common = html`id="${id}" name="p.${param.name}" aria-describedby="${described}"${
    error
      ? html`
        aria-invalid="true"
      `
      : ""
  }${
    param.required && param.default === undefined
      ? html`
        required
      `
      : ""
  }`;
  let input: Markup;
  switch (param.type) {
    case "choice":
      input = html`<select ${common}>${
        param.default === undefined ? html`<option value="">— choose —</option>` : ""
      }${
        (param.options ?? []).map((o) =>
          html`
            <option value="${String(o)}" ${String(o) === value
              ? html`
                selected
              `
              : ""}>${String(o)}</option>
          `
        )
      }</select>`;
      break;
    case "bool":
      input = html`
        <select
          ${common}><option value=""${value === ""
            ? html`
              selected
            `
            : ""}>(default)</option><option value="true"${value === "true"
            ? html`
              selected
            `
            : ""}>true</option><option value="false"${value === "false"
            ? html`
              selected
            `
            : ""}>false</option></select>
      `;
      break;
    case "map":
    case "array":
      input = html`<textarea ${common} rows="3" spellcheck="false">${value}</textarea>`;
      break;
    case "int":
    case "float":
      input = html`<input ${common} type="text" inputmode="decimal" value="${value}">`;
      break;
    case "secret":
      input = html`<input ${common} type="password" autocomplete="off" value="">`;
      break;
    default:
      input = html`<input ${common} type="text" value="${value}">`;
  }
  const expects: Record<string, string> = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    datetime: "an ISO date-time, e.g. 2024-01-31T08:00:00",
    date: "an ISO date, e.g. 2024-01-31",
    choice: "one of the options",
    map: "a JSON object",
    array: "a JSON array",
    secret: "a secret (masked in every record)",
  };
  const facts = [
    param.type,
    param.required ? "required" : "optional",
    param.default !== undefined && param.type === "secret" ? "has a default" : "",
    param.default !== undefined && param.type !== "secret" ? `default ${defaultText(param)}` : "",
  ].filter(Boolean).join(", ");
  return html`
    <div
      class="field"><label for="${id}">${param.name}${param.required
        ? html`
          <span aria-hidden="true">*</span>
        `
        : ""}</label>${input}<div class="hint" id="${hintId}">${facts}: ${expects[param.type] ??
        ""}${param.desc
        ? html`
          — ${param.desc}
        `
        : ""}</div>${error
        ? html`<div class="error-text" id="${errorId}" role="alert">✗ ${error}</div>`
        : ""}</div>
  `;
}

/** The Workflow page; `state` re-shows a refused params form. */
export async function workflowPage(
  frame: PageFrame,
  deps: ApiDeps,
  name: string,
  state?: ParamFormState,
): Promise<Markup> {
  const workflow = deps.engine.config.workflow(name);
  const entry = deps.engine.config.get(name);
  const now = deps.engine.runtime.clock.now();
  const params = Object.values(workflow.params);
  const general = state?.errors[""];
  const form = html`<form class="params" method="post" action="${frame.base}/workflows/${
    seg(name)
  }/run" novalidate>
${csrfField(frame)}
${
    general
      ? html`<div class="alert" role="alert"><strong>✗ Not started:</strong> ${general}</div>`
      : ""
  }
${
    params.length
      ? params.map((p) => paramField(p, state))
      : html`<p class="muted">This workflow takes no params.</p>`
  }
<div><button class="primary" type="submit">▶ Run ${name}</button></div></form>`;
  const schedules = workflow.on.length === 0
    ? html`<p class="muted">No <code>on:</code> schedule: this workflow runs when started.</p>`
    : workflow.on.map((cron) => {
      let times: number[] = [];
      let problem = "";
      try {
        times = nextRuns(cron.cronjob, now, 10, cron.timezone);
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      return html`<h3><code>${cron.cronjob}</code> in ${cron.timezone}</h3>${
        problem
          ? html`<p class="error-text">✗ ${problem}</p>`
          : html`<ol class="mono">${
            times.map((t) =>
              html`<li>${
                describeTime(t, cron.timezone).local
              } ${cron.timezone} <span class="muted">(${timeText(t)})</span></li>`
            )
          }</ol>`
      }`;
    });
  const jobs = Object.values(workflow.jobs);
  const runs = await recentRuns(deps, name, 10);
  const body = html`<h1>Workflow <span class="mono">${name}</span></h1>
${workflow.desc ? html`<p>${workflow.desc}</p>` : ""}
<dl class="kv"><dt>Defined in</dt><dd class="mono">${
    entry ? `${entry.file}:${entry.line}` : "—"
  }</dd>
<dt>Jobs</dt><dd>${jobs.length}</dd>${
    workflow.tags.length
      ? html`
        <dt>Tags</dt>
        <dd>${workflow.tags.join(", ")}</dd>
      `
      : ""
  }</dl>
<h2>Run it</h2>
${form}
<h2>Jobs</h2>
${
    dagSvg(
      jobs.map((job) => ({
        id: job.id,
        needs: job.needs,
        detail: `${job.stages.length} stage${job.stages.length === 1 ? "" : "s"}${
          job.strategy ? " · matrix" : ""
        }`,
      })),
      `Jobs of ${name} and what each needs`,
    )
  }
<h2>Schedules</h2>
${schedules}
<h2>Recent runs</h2>
${runTable(frame, runs, `The ${runs.length} newest runs of ${name}`)}
<p><a href="${frame.base}/runs?workflow=${encodeURIComponent(name)}">All runs of ${name}</a></p>`;
  return page(frame, { title: name, section: "workflows", body });
}
