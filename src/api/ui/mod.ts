/**
 * The web UI: server-rendered pages (`hono/html`) mounted on the API's Hono app at `/ui`,
 * one stylesheet and one small script served from memory, live updates from the run event
 * stream, browser sessions in place of the bearer token, CSRF tokens on every form that
 * changes something and a Content-Security-Policy with a per-response nonce.
 *
 * Pages read the engine, the run registry and the stores directly; what they change (start,
 * cancel, re-run, reload) goes through the API's own routes, in process, so the checks and
 * answers are the API's.
 *
 * @module
 */

import type { Context, Hono } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";
import { ConfigError, formatIssue } from "../../errors.ts";
import { checkLoopbackHost, checkLoopbackOrigin } from "../_request_guard.ts";
import { storedTrace } from "../_run_rows.ts";
import type { ApiDeps } from "../route_table.ts";
import { CLIENT_SCRIPT, STYLESHEET } from "./_assets.ts";
import type { Markup, PageFrame } from "./_layout.ts";
import { auditsPage, errorPage, loginPage, schedulesPage } from "./_other_pages.ts";
import { runPage, runsPage } from "./_run_pages.ts";
import { viewOfApiRun, viewOfRecords } from "./_run_view.ts";
import { type ParamFormState, workflowPage, workflowsPage } from "./_workflow_pages.ts";
import {
  LOGIN_COOKIE,
  randomToken,
  readCookie,
  type Session,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  SessionKeeper,
  setUiCookie,
} from "./session.ts";

/** Where the UI is mounted. */
export const UI_BASE = "/ui";

/** Largest form body the UI reads, bytes. */
const MAX_FORM_BYTES = 64 * 1024;

/** What {@linkcode mountUi} needs besides the route dependencies. */
export interface UiMount {
  /** The API's bearer token (`""` when none: loopback only, no login). */
  readonly token: string;
  /** Answers a request with the API's own app (for starting, cancelling and re-running). */
  readonly fetch: (request: Request, c: Context) => Promise<Response>;
}

/** `true` when `path` is served by the UI. */
export function isUiPath(path: string): boolean {
  return path === UI_BASE || path.startsWith(`${UI_BASE}/`);
}

/** The Content-Security-Policy of a page answered with `nonce`: nothing inline without it. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

function htmlResponse(markup: Markup | string, status: number, nonce: string): Response {
  return new Response(String(markup).trimStart(), {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": contentSecurityPolicy(nonce),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
      "x-frame-options": "DENY",
    },
  });
}

/** Where a login may send the browser on: a UI path of this server only. */
function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith(`${UI_BASE}/`) || next.startsWith("//") || /[\\\s]/.test(next)) {
    return `${UI_BASE}/workflows`;
  }
  return next;
}

async function readForm(
  c: Context,
): Promise<URLSearchParams | { status: number; message: string }> {
  const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    return {
      status: 415,
      message: `forms are sent as application/x-www-form-urlencoded, got ${
        type || "no Content-Type"
      }`,
    };
  }
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_FORM_BYTES) {
    return { status: 413, message: `the form is larger than ${MAX_FORM_BYTES} bytes` };
  }
  const bytes = await c.req.raw.arrayBuffer();
  if (bytes.byteLength > MAX_FORM_BYTES) {
    return { status: 413, message: `the form is larger than ${MAX_FORM_BYTES} bytes` };
  }
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

/** A POST from another origin (its `Origin` names another host than the request's). */
function foreignOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return false;
  try {
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

interface UiState {
  session?: Session;
  frame: PageFrame;
}

/**
 * Registers the UI's routes on `app` under {@linkcode UI_BASE}. The caller's own middleware
 * must let UI paths through: the UI checks the method, the loopback rule (without a token)
 * and the session itself, answering HTML.
 */
export function mountUi(app: Hono, deps: ApiDeps, mount: UiMount): void {
  const sessions = new SessionKeeper(mount.token, deps.engine.runtime.clock);
  const base = UI_BASE;
  const states = new WeakMap<Request, UiState>();
  const stateOf = (c: Context): UiState => states.get(c.req.raw)!;
  const answer = (c: Context, markup: Markup | string, status = 200) => {
    const response = htmlResponse(markup, status, stateOf(c).frame.nonce);
    // A session opened for this request (no token: loopback only) rides along.
    for (const cookie of c.res.headers.getSetCookie()) {
      response.headers.append("set-cookie", cookie);
    }
    return response;
  };

  /** Calls the API in process with the token; the body is JSON. */
  const callApi = async (
    c: Context,
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<Response> => {
    const headers: Record<string, string> = {};
    if (mount.token) headers.authorization = `Bearer ${mount.token}`;
    if (method === "POST") headers["content-type"] = "application/json";
    const last = c.req.header("last-event-id");
    if (last) headers["last-event-id"] = last;
    const request = new Request(`http://localhost${deps.prefix}${path}`, {
      method,
      headers,
      body: method === "POST" ? JSON.stringify(body ?? {}) : undefined,
      signal: c.req.raw.signal,
    });
    return await mount.fetch(request, c);
  };
  const apiError = async (response: Response) => {
    const data = await response.json().catch(() => ({})) as {
      error?: { message?: string; field?: string };
    };
    return {
      message: data.error?.message ?? `the API answered ${response.status}`,
      field: data.error?.field,
    };
  };

  app.get(`${base}/assets/app.css`, () =>
    new Response(STYLESHEET, {
      headers: {
        "content-type": "text/css; charset=utf-8",
        "cache-control": "public, max-age=3600",
        "x-content-type-options": "nosniff",
      },
    }));
  app.get(`${base}/assets/app.js`, () =>
    new Response(CLIENT_SCRIPT, {
      headers: {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=3600",
        "x-content-type-options": "nosniff",
      },
    }));

  // Every other UI request: method, loopback rule, then the session (or the login page).
  app.use(`${base}/*`, async (c, next) => {
    const method = c.req.method;
    const nonce = randomToken(16);
    const frame: PageFrame = { base, nonce, canLogOut: sessions.loginRequired };
    states.set(c.req.raw, { frame });
    if (!["GET", "HEAD", "POST"].includes(method)) {
      const response = htmlResponse(
        errorPage(frame, "Method not allowed", `the UI answers GET, HEAD and POST, not ${method}`),
        405,
        nonce,
      );
      response.headers.set("allow", "GET, HEAD, POST");
      return response;
    }
    if (!sessions.loginRequired) {
      const refused = checkLoopbackHost(c.req.raw) ?? checkLoopbackOrigin(c.req.raw);
      if (refused) {
        return htmlResponse(errorPage(frame, "Not allowed", refused.message), 403, nonce);
      }
    }
    if (method === "POST" && foreignOrigin(c)) {
      return htmlResponse(
        errorPage(frame, "Refused", "this form was sent from another site"),
        403,
        nonce,
      );
    }
    if (c.req.path === `${base}/login`) return await next();
    let session = await sessions.verify(readCookie(c, SESSION_COOKIE));
    if (!session && !sessions.loginRequired && method !== "POST") {
      // Without a token (loopback only) a browser gets a session at once: it still carries
      // the CSRF token that forms need.
      const opened = await sessions.open();
      session = opened.session;
      setUiCookie(c, SESSION_COOKIE, opened.cookie, {
        path: base,
        maxAgeSeconds: SESSION_TTL_MS / 1000,
      });
    }
    if (!session) {
      if (method === "POST") {
        return htmlResponse(
          errorPage(
            frame,
            "Session expired",
            "your session has ended: open the page again (and log in) before sending the form",
          ),
          sessions.loginRequired ? 401 : 403,
          nonce,
        );
      }
      return loginAnswer(c, frame, undefined, 401);
    }
    const state: UiState = { session, frame: { ...frame, csrf: session.csrf } };
    states.set(c.req.raw, state);
    if (method === "POST") {
      const form = await readForm(c);
      if (!(form instanceof URLSearchParams)) {
        return htmlResponse(errorPage(state.frame, "Refused", form.message), form.status, nonce);
      }
      if (!(await sessions.csrfMatches(session, form.get("csrf") ?? undefined))) {
        return htmlResponse(
          errorPage(
            state.frame,
            "Refused",
            "the form's CSRF token is missing or wrong: open the page again and resend it",
          ),
          403,
          nonce,
        );
      }
      forms.set(c.req.raw, form);
    }
    await next();
  });
  const forms = new WeakMap<Request, URLSearchParams>();
  const formOf = (c: Context) => forms.get(c.req.raw)!;

  function loginAnswer(
    c: Context,
    frame: PageFrame,
    error: string | undefined,
    status: number,
    sentNext?: string,
  ): Response {
    const loginCsrf = randomToken();
    setUiCookie(c, LOGIN_COOKIE, loginCsrf, { path: base, maxAgeSeconds: 3600 });
    const url = new URL(c.req.url);
    const next = c.req.path === `${base}/login`
      ? safeNext(sentNext ?? url.searchParams.get("next") ?? undefined)
      : safeNext(`${url.pathname}${url.search}`);
    const response = htmlResponse(
      loginPage(frame, { next, loginCsrf, error }),
      status,
      frame.nonce,
    );
    for (const cookie of c.res.headers.getSetCookie()) {
      response.headers.append("set-cookie", cookie);
    }
    return response;
  }

  app.get(base, (c) => c.redirect(`${base}/workflows`, 303));
  app.get(`${base}/`, (c) => c.redirect(`${base}/workflows`, 303));

  app.get(`${base}/login`, async (c) => {
    const state = stateOf(c);
    if (!sessions.loginRequired) return c.redirect(`${base}/workflows`, 303);
    if (await sessions.verify(readCookie(c, SESSION_COOKIE))) {
      return c.redirect(safeNext(c.req.query("next")), 303);
    }
    return loginAnswer(c, state.frame, undefined, 200);
  });

  app.post(`${base}/login`, async (c) => {
    const { frame } = stateOf(c);
    if (!sessions.loginRequired) return c.redirect(`${base}/workflows`, 303);
    const form = await readForm(c);
    if (!(form instanceof URLSearchParams)) {
      return htmlResponse(errorPage(frame, "Refused", form.message), form.status, frame.nonce);
    }
    const expected = readCookie(c, LOGIN_COOKIE) ?? "";
    const given = form.get("csrf") ?? "";
    if (expected === "" || !(await timingSafeEqual(given, expected))) {
      return loginAnswer(
        c,
        frame,
        "the login form expired or did not come from this page: enter the token again",
        403,
        form.get("next") ?? undefined,
      );
    }
    if (!(await sessions.tokenMatches(form.get("token") ?? ""))) {
      return loginAnswer(c, frame, "the token is wrong", 401, form.get("next") ?? undefined);
    }
    const opened = await sessions.open();
    setUiCookie(c, SESSION_COOKIE, opened.cookie, {
      path: base,
      maxAgeSeconds: SESSION_TTL_MS / 1000,
    });
    setUiCookie(c, LOGIN_COOKIE, "", { path: base, maxAgeSeconds: 0 });
    return c.redirect(safeNext(form.get("next") ?? undefined), 303);
  });

  app.post(`${base}/logout`, (c) => {
    const { session } = stateOf(c);
    if (session) sessions.revoke(session);
    setUiCookie(c, SESSION_COOKIE, "", { path: base, maxAgeSeconds: 0 });
    return c.redirect(sessions.loginRequired ? `${base}/login` : `${base}/workflows`, 303);
  });

  app.get(`${base}/workflows`, async (c) => answer(c, await workflowsPage(stateOf(c).frame, deps)));

  const workflowOr404 = (c: Context, name: string): Response | undefined => {
    const entry = deps.engine.config.get(name);
    if (entry?.type === "Workflow") {
      try {
        deps.engine.config.workflow(name);
        return undefined;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return answer(
          c,
          errorPage(
            stateOf(c).frame,
            `Workflow ${name} is invalid`,
            error.issues.map(formatIssue).join("\n"),
          ),
          422,
        );
      }
    }
    return answer(c, errorPage(stateOf(c).frame, "Not found", `workflow '${name}' not found`), 404);
  };

  app.get(`${base}/workflows/:name`, async (c) => {
    const name = c.req.param("name");
    return workflowOr404(c, name) ?? answer(c, await workflowPage(stateOf(c).frame, deps, name));
  });

  app.post(`${base}/workflows/:name/run`, async (c) => {
    const name = c.req.param("name");
    const missing = workflowOr404(c, name);
    if (missing) return missing;
    const form = formOf(c);
    const values: Record<string, string> = {};
    const params: Record<string, string> = {};
    for (const [key, value] of form) {
      if (!key.startsWith("p.")) continue;
      values[key.slice(2)] = value;
      if (value !== "") params[key.slice(2)] = value;
    }
    const response = await callApi(c, "POST", `/workflows/${encodeURIComponent(name)}/execute`, {
      params,
      async: true,
    });
    if (response.status === 202) {
      const { run_id } = await response.json() as { run_id: string };
      return c.redirect(`${base}/runs/${encodeURIComponent(run_id)}`, 303);
    }
    const error = await apiError(response);
    const field = error.field?.startsWith("params.") ? error.field.slice(7) : "";
    const state: ParamFormState = {
      values: Object.fromEntries(
        Object.entries(values).filter(([key]) =>
          deps.engine.config.workflow(name).params[key]?.type !== "secret"
        ),
      ),
      errors: { [field]: error.message },
    };
    return answer(c, await workflowPage(stateOf(c).frame, deps, name, state), response.status);
  });

  app.get(`${base}/runs`, async (c) => {
    const { markup, status } = await runsPage(stateOf(c).frame, deps, c);
    return answer(c, markup, status);
  });

  const showRun = async (c: Context, runId: string, notice?: string, status = 200) => {
    const own = deps.runs.get(runId);
    let view;
    if (own) view = viewOfApiRun(own);
    else {
      const records = await storedTrace(deps, runId);
      if (records && records.length) view = viewOfRecords(runId, records);
    }
    if (!view) {
      return answer(c, errorPage(stateOf(c).frame, "Not found", `run '${runId}' not found`), 404);
    }
    let needs: Map<string, readonly string[]> | undefined;
    try {
      const workflow = deps.engine.config.workflow(view.workflow);
      needs = new Map(Object.values(workflow.jobs).map((job) => [job.id, job.needs]));
    } catch {
      needs = undefined; // the workflow left the config: the graph shows the jobs that ran
    }
    const markup = runPage(stateOf(c).frame, deps, view, {
      notice,
      needs,
      level: c.req.query("level") ?? "debug",
      search: c.req.query("q") ?? "",
    });
    return answer(c, markup, status);
  };

  app.get(`${base}/runs/:run_id`, async (c) => await showRun(c, c.req.param("run_id")));

  app.get(`${base}/runs/:run_id/events`, async (c) => {
    const response = await callApi(
      c,
      "GET",
      `/runs/${encodeURIComponent(c.req.param("run_id"))}/events`,
    );
    return new Response(response.body, { status: response.status, headers: response.headers });
  });

  app.post(`${base}/runs/:run_id/cancel`, async (c) => {
    const runId = c.req.param("run_id");
    const response = await callApi(c, "POST", `/runs/${encodeURIComponent(runId)}/cancel`);
    if (response.ok) return c.redirect(`${base}/runs/${encodeURIComponent(runId)}`, 303);
    const error = await apiError(response);
    return await showRun(c, runId, error.message, response.status);
  });

  app.post(`${base}/runs/:run_id/rerun`, async (c) => {
    const runId = c.req.param("run_id");
    const mode = formOf(c).get("mode") === "all" ? "all" : "failed";
    const response = await callApi(c, "POST", `/runs/${encodeURIComponent(runId)}/rerun`, { mode });
    if (response.status === 202) {
      const { run_id } = await response.json() as { run_id: string };
      return c.redirect(`${base}/runs/${encodeURIComponent(run_id)}`, 303);
    }
    const error = await apiError(response);
    return await showRun(c, runId, error.message, response.status);
  });

  app.post(`${base}/config/reload`, async (c) => {
    const response = await callApi(c, "POST", "/config/reload");
    if (response.ok) return c.redirect(`${base}/workflows`, 303);
    const data = await response.json().catch(() => ({})) as {
      issues?: { message: string }[];
      error?: { message?: string };
    };
    const message = data.error?.message ??
      `the config folder has errors, so the old config stays:\n${
        (data.issues ?? []).map((issue) => formatIssue(issue)).join("\n")
      }`;
    return answer(c, errorPage(stateOf(c).frame, "Config not reloaded", message), response.status);
  });

  app.get(`${base}/schedules`, (c) => answer(c, schedulesPage(stateOf(c).frame, deps)));

  app.get(
    `${base}/audits`,
    async (c) =>
      answer(c, await auditsPage(stateOf(c).frame, deps, c.req.query("workflow") || undefined)),
  );

  app.all(
    `${base}/*`,
    (c) => answer(c, errorPage(stateOf(c).frame, "Not found", `no page at ${c.req.path}`), 404),
  );
}
