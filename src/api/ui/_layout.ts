/**
 * The page shell of the web UI (head, navigation, main landmark) and the small pieces every
 * page shares: status badges that show a symbol and a word (never colour alone), times,
 * durations and JSON blocks. Markup is written with `hono/html`, which escapes every value
 * placed into it.
 *
 * @module
 */

import { html as honoHtml, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** Rendered markup. */
export type Markup = HtmlEscapedString;

export { raw };

/**
 * `hono/html`'s tagged template, typed for what the UI does with it: every value placed in is
 * plain data or markup (never a promise), so the result is ready at once.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  return honoHtml(strings, ...values) as Markup;
}

/** What the shell needs from the request. */
export interface PageFrame {
  /** Where the UI is mounted, e.g. `/ui`. */
  readonly base: string;
  /** The response's CSP nonce. */
  readonly nonce: string;
  /** The session's CSRF token (absent on the login page). */
  readonly csrf?: string;
  /** Shows the log-out button. */
  readonly canLogOut: boolean;
}

const NAV: readonly [string, string][] = [
  ["workflows", "Workflows"],
  ["runs", "Runs"],
  ["schedules", "Schedules"],
  ["audits", "Audits"],
];

const STATUS_SYMBOL: Readonly<Record<string, string>> = {
  SUCCESS: "✓",
  FAILED: "✗",
  CANCEL: "■",
  SKIP: "⤼",
  WAIT: "●",
  PENDING: "○",
};

/** The word shown for a status: a run still going reads "RUNNING" (its stored status is WAIT). */
export function statusWord(status: string): string {
  return status === "WAIT" ? "RUNNING" : status;
}

/** A status badge: symbol and word, coloured by class. */
export function statusBadge(status: string, id?: string): Markup {
  const symbol = STATUS_SYMBOL[status] ?? "?";
  return html`
    <span class="status s-${status}" ${id ? raw(` id="${id}"`) : ""}
      data-status="${status}"><span aria-hidden="true">${symbol}</span> ${statusWord(status)}</span>
  `;
}

/** An epoch-ms time as `YYYY-MM-DD HH:MM:SS UTC` in a `<time>` element. */
export function timeText(ms: number | undefined | null): Markup | string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return "—";
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")} UTC</time>`;
}

/** A duration in ms as `850 ms`, `12.3 s`, `4 min 05 s` or `2 h 03 min`. */
export function durationText(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** JSON of `value` in a `<pre>` block (already masked data only). */
export function jsonBlock(value: unknown, label: string): Markup {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? "null";
  } catch (error) {
    text = `(cannot be shown as JSON: ${error instanceof Error ? error.message : String(error)})`;
  }
  return html`<pre tabindex="0" aria-label="${label}">${text}</pre>`;
}

/** The hidden CSRF field of a form that changes something. */
export function csrfField(frame: PageFrame): Markup {
  return html`<input type="hidden" name="csrf" value="${frame.csrf ?? ""}">`;
}

/** `encodeURIComponent` for path segments placed into links. */
export const seg = (text: string): string => encodeURIComponent(text);

/**
 * A whole page: `<!doctype html>`, the stylesheet and script (both under the response's
 * nonce), a skip link, the navigation with the current section marked, and `body` inside
 * `<main id="main">`.
 */
export function page(
  frame: PageFrame,
  options: {
    title: string;
    section?: string;
    body: Markup | string;
    /** Attributes of `<main>` (the run page names its event stream here). */
    mainAttributes?: Markup;
  },
): Markup {
  const { base, nonce } = frame;
  const nav = html`
    <nav aria-label="Main">
      <ul>${NAV.map(([path, label]) =>
        html`<li><a href="${base}/${path}"${
          options.section === path ? raw(' aria-current="page"') : ""
        }>${label}</a></li>`
      )}</ul>
    </nav>
  `;
  const logout = frame.canLogOut && frame.csrf
    ? html`
      <form method="post"
        action="${base}/logout">${csrfField(frame)}<button type="submit">Log out</button></form>
    `
    : "";
  return html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>${options.title} · workflow</title>
        <link rel="stylesheet" href="${base}/assets/app.css" nonce="${nonce}">
        <script src="${base}/assets/app.js" nonce="${nonce}" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header><a class="brand" href="${base}/workflows">workflow</a>${nav}${logout}</header>
        <main id="main" tabindex="-1" ${options.mainAttributes ?? ""}>
    ${options.body}
        </main>
      </body>
    </html>
  `;
}
