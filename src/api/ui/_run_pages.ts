/**
 * The Runs page (history filtered by workflow, status and date, keyset-paged with the API's
 * cursor) and the Run page (the failing stage's error first, the DAG coloured by status, a
 * Gantt timeline, jobs with their matrix combinations and stages, logs, params, outputs, and
 * the cancel and re-run buttons).
 *
 * @module
 */

import { listRunsPage, readRunListQuery, RUN_STATUSES } from "../_run_list.ts";
import { ApiError } from "../errors.ts";
import type { Context } from "hono";
import type { ApiDeps } from "../route_table.ts";
import type { TraceRecord } from "../../results/trace_store.ts";
import { dagSvg, type GanttBar, ganttSvg } from "./_graph.ts";
import {
  csrfField,
  durationText,
  html,
  jsonBlock,
  type Markup,
  page,
  type PageFrame,
  raw,
  seg,
  statusBadge,
  statusWord,
  timeText,
} from "./_layout.ts";
import { firstFailure, type JobView, type RunView } from "./_run_view.ts";
import { runTable } from "./_workflow_pages.ts";

/** Runs per page of the Runs page. */
export const RUNS_PER_PAGE = 50;

/** The Runs page. A bad filter is shown above the form, with status 400. */
export async function runsPage(
  frame: PageFrame,
  deps: ApiDeps,
  c: Context,
): Promise<{ markup: Markup; status: 200 | 400 }> {
  const value = (name: string) => c.req.query(name) ?? "";
  let rows: Record<string, unknown>[] = [];
  let next: string | null = null;
  let problem = "";
  try {
    const query = readRunListQuery(c);
    const page = await listRunsPage(deps, {
      ...query,
      limit: c.req.query("limit") ? query.limit : RUNS_PER_PAGE,
    });
    rows = page.runs;
    next = page.next_cursor;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    problem = error.message;
  }
  const workflows = deps.engine.config.names("Workflow");
  const chosen = value("workflow");
  const status = value("status").toUpperCase();
  const keep = new URLSearchParams();
  for (const name of ["workflow", "status", "since", "until", "limit"]) {
    if (value(name)) keep.set(name, value(name));
  }
  const nextLink = next
    ? `${frame.base}/runs?${new URLSearchParams([...keep, ["cursor", next]])}`
    : "";
  const firstLink = `${frame.base}/runs${keep.size ? `?${keep}` : ""}`;
  const body = html`
    <h1>Runs</h1>
    <form class="filters" method="get" action="${frame
      .base}/runs" role="search" aria-label="Filter runs">
      <div><label for="f-workflow">Workflow</label><select id="f-workflow" name="workflow"><option value="">All workflows</option>${workflows
        .map((w) =>
          html`
            <option value="${w}" ${w === chosen ? raw(" selected") : ""}>${w}</option>
          `
        )}</select></div>
      <div><label for="f-status">Status</label><select id="f-status" name="status"><option value="">Any status</option>${RUN_STATUSES
        .map((s) =>
          html`
            <option value="${s}" ${s === status ? raw(" selected") : ""}>${statusWord(s)}</option>
          `
        )}</select></div>
      <div><label for="f-since">Started from (UTC)</label><input id="f-since" name="since" type="date" value="${value(
        "since",
      ).slice(0, 10)}"></div>
      <div><label for="f-until">Started before (UTC)</label><input id="f-until" name="until" type="date" value="${value(
        "until",
      ).slice(0, 10)}"></div>
      <div><button type="submit">Filter</button> <a href="${frame.base}/runs">Clear</a></div>
    </form>
    ${problem ? html`<div class="alert" role="alert">✗ ${problem}</div>` : ""}
    ${runTable(
      frame,
      rows,
      `${rows.length} run${rows.length === 1 ? "" : "s"} on this page, newest first`,
    )}
    <nav class="pager" aria-label="Pages">${c.req.query("cursor")
      ? html`<a href="${firstLink}">« Newest</a>`
      : ""}${nextLink ? html`<a href="${nextLink}" rel="next">Older runs »</a>` : ""}</nav>
  `;
  return {
    markup: page(frame, { title: "Runs", section: "runs", body }),
    status: problem ? 400 : 200,
  };
}

const LEVELS = ["debug", "info", "warning", "error"] as const;

function matrixText(matrix: Readonly<Record<string, unknown>> | undefined): string {
  if (!matrix) return "";
  return Object.entries(matrix).map(([k, v]) =>
    `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
  )
    .join(", ");
}

function jobSection(job: JobView, now: number): Markup {
  const strategies = [...job.strategies.values()];
  const matrixJob = strategies.some((s) => s.id !== "");
  const blocks = strategies.map((strategy) => {
    const stages = [...strategy.stages.values()];
    const table = stages.length === 0 ? html`<p class="muted">No stage has run.</p>` : html`
      <table>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">Outputs / error</th>
          </tr>
        </thead>
        <tbody>${stages.map((stage) =>
          html`
            <tr>
              <td>${stage.name}${stage.name !== stage.id
                ? html`
                  <span class="muted mono">(${stage.id})</span>
                `
                : ""}${stage.kind
                ? html`
                  <span class="muted">${stage.kind}</span>
                `
                : ""}</td>
              <td>${statusBadge(stage.status)}${stage.attempts && stage.attempts > 1
                ? html`
                  <span class="muted">${stage.attempts} attempts</span>
                `
                : ""}</td>
              <td>${durationText(
                stage.start === undefined ? undefined : (stage.end ?? now) - stage.start,
              )}</td>
              <td>${stage.error
                ? html`<div class="error-text">${stage.error.name}: ${stage.error.message}</div>`
                : ""}${stage.outputs !== undefined && Object.keys(stage.outputs as object).length
                ? html`<details><summary>Outputs</summary>${
                  jsonBlock(stage.outputs, `Outputs of stage ${stage.id}`)
                }</details>`
                : ""}</td>
            </tr>
          `
        )}</tbody>
      </table>
    `;
    if (!matrixJob) return table;
    return html`<h4>Matrix ${
      matrixText(strategy.matrix) || html`
        <span class="mono">${strategy.id}</span> <span
          class="muted">(values not recorded in the trace store)</span>
      `
    } ${statusBadge(strategy.status)}</h4>${table}`;
  });
  return html`
    <details id="job-${job.id}"
      open><summary>Job <span class="mono">${job.id}</span> ${statusBadge(
        job.status,
      )} <span class="muted">${durationText(
        job.start === undefined ? undefined : (job.end ?? now) - job.start,
      )}</span></summary>${job.error
        ? html`<p class="error-text">${job.error.name}: ${job.error.message}</p>`
        : ""}${blocks}</details>
  `;
}

function logSection(logs: readonly TraceRecord[], level: string, search: string): Markup {
  const order = LEVELS.indexOf(level as typeof LEVELS[number]);
  const min = order < 0 ? 0 : order;
  const needle = search.toLowerCase();
  let shown = 0;
  const lines = logs.map((record) => {
    const rank = LEVELS.indexOf(record.level as typeof LEVELS[number]);
    const where = [record.job, record.stage].filter(Boolean).join(" › ");
    const text = `${
      new Date(record.time).toISOString().slice(11, 23)
    } ${record.level.toUpperCase()} ${where ? `${where} ` : ""}${record.message}`;
    const time = new Date(record.time).toISOString().slice(11, 23);
    const hidden = rank < min || (needle !== "" && !text.toLowerCase().includes(needle));
    if (!hidden) shown++;
    return html`
      <li class="l-${record.level}" data-level="${record.level}"
        ${hidden
          ? raw(" hidden")
          : ""}><span class="muted">${time}</span> <span class="lvl">${record.level
          .toUpperCase()}</span> <span class="muted">${where}</span> <span class="msg">${record
          .message}</span></li>
    `;
  });
  return html`
    <form id="log-filter" class="filters" method="get" role="search" aria-label="Filter logs">
      <div><label for="log-level">Lowest level</label><select id="log-level" name="level">${LEVELS
        .map((l) =>
          html`
            <option value="${l}" ${LEVELS[min] === l ? raw(" selected") : ""}>${l}</option>
          `
        )}</select></div>
      <div><label for="log-search">Search</label><input id="log-search" name="q" type="search" value="${search}"></div>
      <div><button type="submit">Filter</button></div>
    </form>
    <p id="log-count" class="muted" aria-live="polite">${shown} of ${logs.length} lines shown</p>
    <ul id="log-lines" class="logs" tabindex="0" aria-label="Log lines">${lines}</ul>
  `;
}

/** What the run page may offer, and a message to show above it. */
export interface RunPageOptions {
  /** An error from a cancel or re-run that was refused. */
  readonly notice?: string;
  /** The workflow's jobs and needs, when the workflow is still in the config. */
  readonly needs?: ReadonlyMap<string, readonly string[]>;
  /** Log filters (`level`, `q`). */
  readonly level: string;
  readonly search: string;
}

/** The Run page. */
export function runPage(
  frame: PageFrame,
  deps: ApiDeps,
  view: RunView,
  options: RunPageOptions,
): Markup {
  const now = deps.engine.runtime.clock.now();
  const running = view.status === "WAIT";
  const failure = firstFailure(view);
  const jobIds = new Set<string>([...(options.needs?.keys() ?? []), ...view.jobs.keys()]);
  const graphJobs = [...jobIds].map((id) => {
    const job = view.jobs.get(id);
    const duration = job?.start === undefined ? undefined : (job.end ?? now) - job.start;
    return {
      id,
      needs: options.needs?.get(id) ?? [],
      status: job?.status ?? (running ? "PENDING" : "SKIP"),
      detail: duration === undefined ? undefined : durationText(duration),
      href: job ? `#job-${id}` : undefined,
    };
  });
  const bars: GanttBar[] = [];
  for (const job of view.jobs.values()) {
    if (job.start === undefined) continue;
    const matrix = [...job.strategies.values()].filter((s) => s.id !== "" && s.start !== undefined);
    if (matrix.length > 1) {
      for (const s of matrix) {
        bars.push({
          label: `${job.id} [${matrixText(s.matrix) || s.id}]`,
          status: s.status,
          start: s.start!,
          end: s.end ?? now,
        });
      }
    } else bars.push({ label: job.id, status: job.status, start: job.start, end: job.end ?? now });
  }
  bars.sort((a, b) => a.start - b.start);
  const failed = failure
    ? html`
      <section class="alert" aria-labelledby="failure-title">
        <h2
          id="failure-title">✗ Failed at job <span class="mono">${failure.job
            .id}</span>${failure.strategy.id !== ""
            ? html`
              (${matrixText(failure.strategy.matrix) || failure.strategy.id})
            `
            : ""}, stage ${failure.stage.name}</h2>
        <pre>${failure.stage.error
          ? `${failure.stage.error.name}: ${failure.stage.error.message}`
          : "(no error message recorded)"}</pre>
      </section>
    `
    : view.error && view.status === "FAILED"
    ? html`
      <section class="alert" aria-labelledby="failure-title">
        <h2 id="failure-title">✗ The run failed</h2>
        <pre>${view.error.name}: ${view.error.message}</pre>
      </section>
    `
    : "";
  const actions = view.own
    ? html`<div class="actions">${
      running
        ? html`
          <form method="post"
            action="${frame.base}/runs/${seg(view.runId)}/cancel">${csrfField(
              frame,
            )}<button class="danger" type="submit">■ Cancel run</button></form>
        `
        : html`
          <form method="post"
            action="${frame.base}/runs/${seg(view.runId)}/rerun">${csrfField(
              frame,
            )}<input type="hidden" name="mode" value="failed"><button type="submit"${view.status ===
                "SUCCESS"
              ? raw(" disabled")
              : ""}>↻ Re-run failed jobs</button></form>
          <form method="post"
            action="${frame.base}/runs/${seg(view.runId)}/rerun">${csrfField(
              frame,
            )}<input type="hidden" name="mode" value="all"><button type="submit">↻ Re-run all</button></form>
        `
    }</div>`
    : html`
      <p
        class="muted">This run is known from the trace store only: it was started by another process or before this server started, so it cannot be cancelled or re-run from here.</p>
    `;
  const body = html`<h1>Run <span class="mono">${view.runId}</span></h1>
${options.notice ? html`<div class="alert" role="alert">✗ ${options.notice}</div>` : ""}
<div id="run-body">
<p><span id="run-status" role="status" aria-live="polite" aria-busy="${
    running ? "true" : "false"
  }">${statusBadge(view.status)}</span> Workflow <a href="${frame.base}/workflows/${
    seg(view.workflow)
  }">${view.workflow}</a></p>
${failed}
${actions}
<dl class="kv"><dt>Started</dt><dd>${timeText(view.start)}</dd><dt>Ended</dt><dd>${
    timeText(view.end)
  }</dd><dt>Duration</dt><dd>${
    durationText(view.start === undefined ? undefined : (view.end ?? now) - view.start)
  }</dd>${
    view.rerunOf
      ? html`
        <dt>Re-run of</dt>
        <dd><a class="mono" href="${frame.base}/runs/${seg(view.rerunOf)}">${view.rerunOf}</a></dd>
      `
      : ""
  }${
    view.parentRunId
      ? html`
        <dt>Started by</dt>
        <dd><a class="mono" href="${frame.base}/runs/${seg(view.parentRunId)}">${view
          .parentRunId}</a></dd>
      `
      : ""
  }</dl>
<h2>Jobs</h2>
${
    graphJobs.length
      ? dagSvg(graphJobs, `Jobs of run ${view.runId} by status`)
      : html`<p class="muted">No job yet.</p>`
  }
<h2>Timeline</h2>
${ganttSvg(bars, `Timeline of the jobs of run ${view.runId}`)}
<div class="jobs">${[...view.jobs.values()].map((job) => jobSection(job, now))}</div>
<h2>Params</h2>
${
    view.params
      ? jsonBlock(view.params, "Params")
      : html`<p class="muted">${
        running ? "Shown once the run has ended (secrets masked)." : "Not recorded for this run."
      }</p>`
  }
<h2>Logs</h2>
${
    view.truncated
      ? html`
        <p
          class="muted">The oldest lines were dropped: the run wrote more than this server keeps in memory.</p>
      `
      : ""
  }
${logSection(view.logs, options.level, options.search)}
</div>`;
  return page(frame, {
    title: `Run ${view.runId}`,
    section: "runs",
    body,
    mainAttributes: running
      ? html`
        data-live-events="${frame.base}/runs/${seg(view.runId)}/events"
      `
      : undefined,
  });
}
