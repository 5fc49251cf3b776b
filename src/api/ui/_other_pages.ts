/**
 * The Schedules page (schedule templates, workflows with `on:`, and the in-process scheduler's
 * decision ledger with reasons), the Audits page, and the login / 401 page.
 *
 * @module
 */

import { describeTime, nextRuns } from "../../scheduler/cron.ts";
import { auditStore } from "../routes/audits.ts";
import type { ApiDeps } from "../route_table.ts";
import {
  durationText,
  html,
  type Markup,
  page,
  type PageFrame,
  raw,
  seg,
  statusBadge,
  timeText,
} from "./_layout.ts";

/** Most scheduler decisions shown. */
const MAX_DECISIONS = 200;
/** Most audit records shown. */
const MAX_AUDITS = 200;

const DECISION_SYMBOL: Readonly<Record<string, string>> = {
  fired: "▶",
  "caught-up": "↷",
  queued: "…",
  "skipped-overlap": "⤼",
  deduplicated: "⇄",
  missed: "⚠",
};

/** The Schedules page. */
export function schedulesPage(frame: PageFrame, deps: ApiDeps): Markup {
  const config = deps.engine.config;
  const now = deps.engine.runtime.clock.now();
  const rows: Markup[] = [];
  const problems: string[] = [];
  const next = (cronjob: string, timezone: string) => {
    try {
      const [at] = nextRuns(cronjob, now, 1, timezone);
      return at === undefined
        ? "—"
        : html`${describeTime(at, timezone).local} ${timezone} <span class="muted">(${
          timeText(at)
        })</span>`;
    } catch (error) {
      return html`<span class="error-text">✗ ${
        error instanceof Error ? error.message : String(error)
      }</span>`;
    }
  };
  for (const name of config.names("Schedule")) {
    try {
      const schedule = config.schedule(name);
      for (const item of schedule.workflows) {
        let on = item.on;
        if (!on.length) {
          try {
            on = config.workflow(item.name).on;
          } catch {
            on = [];
          }
        }
        for (const cron of on) {
          rows.push(html`
            <tr>
              <td>${name}</td>
              <td>${item.alias}</td>
              <td><a href="${frame.base}/workflows/${seg(item.name)}">${item.name}</a></td>
              <td><code>${cron.cronjob}</code> ${cron.timezone}</td>
              <td>${next(cron.cronjob, cron.timezone)}</td>
            </tr>
          `);
        }
      }
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const name of config.names("Workflow")) {
    let on;
    try {
      on = config.workflow(name).on;
    } catch {
      continue; // listed on the Workflows page
    }
    for (const cron of on) {
      rows.push(html`
        <tr>
          <td class="muted">(its own <code>on:</code>)</td>
          <td>${name}</td>
          <td><a href="${frame.base}/workflows/${seg(name)}">${name}</a></td>
          <td><code>${cron.cronjob}</code> ${cron.timezone}</td>
          <td>${next(cron.cronjob, cron.timezone)}</td>
        </tr>
      `);
    }
  }
  const decisions = deps.scheduler
    ? deps.scheduler.decisions().slice(-MAX_DECISIONS).reverse()
    : undefined;
  const ledger = decisions === undefined
    ? html`
      <p
        class="note">No scheduler runs in this server process, so there is no decision ledger here. Start one with <code>workflow serve --schedule</code> or pass <code>scheduler</code> to <code>createApi</code>.</p>
    `
    : decisions.length === 0
    ? html`<p class="muted">The scheduler has made no decision yet.</p>`
    : html`
      <table>
        <caption class="muted">The ${decisions.length} newest decisions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Decided at</th>
            <th scope="col">Release</th>
            <th scope="col">Workflow</th>
            <th scope="col">Logical time</th>
            <th scope="col">Decision</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>${decisions.map((d) =>
          html`
            <tr>
              <td>${timeText(d.time)}</td>
              <td>${d.alias}${d.schedule
                ? html`
                  <span class="muted">(${d.schedule})</span>
                `
                : ""}</td>
              <td><a href="${frame.base}/workflows/${seg(d.workflow)}">${d.workflow}</a></td>
              <td>${timeText(d.logicalTime)}</td>
              <td><strong>${DECISION_SYMBOL[d.decision] ?? "•"} ${d.decision}</strong></td>
              <td>${d.reason}</td>
            </tr>
          `
        )}</tbody>
      </table>
    `;
  const body = html`<h1>Schedules</h1>
${
    rows.length
      ? html`
        <table>
          <thead>
            <tr>
              <th scope="col">Schedule</th>
              <th scope="col">Release</th>
              <th scope="col">Workflow</th>
              <th scope="col">Cron</th>
              <th scope="col">Next fire time</th>
            </tr>
          </thead>
          <tbody>${rows}</tbody>
        </table>
      `
      : html`<p class="muted">No schedule in the config.</p>`
  }
${
    problems.length
      ? html`<ul>${problems.map((p) => html`<li class="error-text">✗ ${p}</li>`)}</ul>`
      : ""
  }
<h2>Scheduler decisions</h2>
${ledger}`;
  return page(frame, { title: "Schedules", section: "schedules", body });
}

/** The Audits page (optionally of one workflow). */
export async function auditsPage(
  frame: PageFrame,
  deps: ApiDeps,
  workflow: string | undefined,
): Promise<Markup> {
  let table: Markup;
  if (!deps.audits) {
    table = html`
      <p
        class="note">No audit store is configured: set <code>WORKFLOW_LOG_AUDIT_URL</code> (or <code>WORKFLOW_LOG_AUDIT_PATH</code> with <code>WORKFLOW_LOG_AUDIT_ENABLE_WRITE=true</code>).</p>
    `;
  } else {
    const records = await auditStore(deps).list(workflow, { limit: MAX_AUDITS });
    table = records.length === 0
      ? html`<p class="muted">No audit record${workflow ? ` of ${workflow}` : ""}.</p>`
      : html`
        <table>
          <caption class="muted">${records.length} release${records.length === 1
            ? ""
            : "s"}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Workflow</th>
              <th scope="col">Release (logical time)</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Run</th>
              <th scope="col">Duration</th>
              <th scope="col">Written</th>
            </tr>
          </thead>
          <tbody>${records.map((r) =>
            html`
              <tr>
                <td><a href="${frame.base}/audits?workflow=${encodeURIComponent(r.workflow)}">${r
                  .workflow}</a></td>
                <td>${timeText(r.release)}</td>
                <td>${r.type}</td>
                <td>${statusBadge(r.status)}</td>
                <td><a class="mono" href="${frame.base}/runs/${seg(r.runId)}">${r.runId}</a></td>
                <td>${durationText(r.durationMs)}</td>
                <td>${timeText(r.createdAt)}</td>
              </tr>
            `
          )}</tbody>
        </table>
      `;
  }
  const names = deps.engine.config.names("Workflow");
  const body = html`
    <h1>Audits${workflow
      ? html`
        of <span class="mono">${workflow}</span>
      `
      : ""}</h1>
    <form class="filters" method="get" action="${frame.base}/audits" role="search"
      aria-label="Filter audits">
      <div><label for="a-workflow">Workflow</label><select id="a-workflow" name="workflow"><option value="">All workflows</option>${names
        .map((n) =>
          html`
            <option value="${n}" ${n === workflow ? raw(" selected") : ""}>${n}</option>
          `
        )}</select></div>
      <div><button type="submit">Filter</button></div>
    </form>
    ${table}
  `;
  return page(frame, { title: "Audits", section: "audits", body });
}

/** The login page, answered 401 to every request without a valid session. */
export function loginPage(
  frame: PageFrame,
  options: { next: string; loginCsrf: string; error?: string },
): Markup {
  const body = html`<div class="login"><h1>Log in</h1>
<p>This server needs its API token (<code>WORKFLOW_API_TOKEN</code>). It is exchanged once for a session cookie; the token itself is not stored in the browser.</p>
${options.error ? html`<div class="alert" role="alert">✗ ${options.error}</div>` : ""}
<form method="post" action="${frame.base}/login">
<input type="hidden" name="csrf" value="${options.loginCsrf}">
<input type="hidden" name="next" value="${options.next}">
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button class="primary" type="submit">Log in</button>
</form></div>`;
  return page(frame, { title: "Log in", body });
}

/** A page for an error (unknown workflow or run, refused form…). */
export function errorPage(frame: PageFrame, title: string, message: string): Markup {
  return page(frame, {
    title,
    body: html`
      <h1>${title}</h1>
      <div class="alert" role="alert">✗ ${message}</div>
      <p><a href="${frame.base}/workflows">Back to the workflows</a></p>
    `,
  });
}
