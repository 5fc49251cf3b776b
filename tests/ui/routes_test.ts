/**
 * The web UI's HTML routes through `api.request()` on every runtime: status codes, the CSP
 * with its nonce, cookie flags, login, CSRF refusal, masking and bad input.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiFor, waitForRun } from "../api/_fixture.ts";
import { fakeClockEngine } from "../_helpers.ts";
import { API_YAML } from "../api/_fixture.ts";
import { createApi, type WorkflowApi } from "../../src/api/mod.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";

const TOKEN = "ui-routes-token-31";
const FORM = "application/x-www-form-urlencoded";

/** The `name=value` of each Set-Cookie header. */
function cookiesOf(response: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const at = pair.indexOf("=");
    out.set(pair.slice(0, at), header);
  }
  return out;
}

function cookieValue(header: string | undefined): string {
  assert.ok(header, "the cookie is set");
  return header.split(";")[0].split("=").slice(1).join("=");
}

const csrfOf = (html: string) => /name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? "";

/** Logs in on an API with a token; returns the session's cookie header. */
async function logIn(api: WorkflowApi): Promise<string> {
  const page = await api.request("/ui/workflows");
  const loginCookie = cookieValue(cookiesOf(page).get("wf_login"));
  const html = await page.text();
  const response = await api.request("/ui/login", {
    method: "POST",
    headers: { "content-type": FORM, cookie: `wf_login=${loginCookie}` },
    body: new URLSearchParams({ csrf: csrfOf(html), token: TOKEN, next: "/ui/runs" }),
  });
  assert.equal(response.status, 303);
  return `wf_session=${cookieValue(cookiesOf(response).get("wf_session"))}`;
}

/** Opens a session on an API without a token (loopback); returns cookie and CSRF token. */
async function openSession(api: WorkflowApi, path = "/ui/workflows/greet") {
  const response = await api.request(path);
  assert.equal(response.status, 200);
  const cookie = `wf_session=${cookieValue(cookiesOf(response).get("wf_session"))}`;
  return { cookie, csrf: csrfOf(await response.text()) };
}

function postForm(api: WorkflowApi, path: string, cookie: string, fields: Record<string, string>) {
  return api.request(path, {
    method: "POST",
    headers: { "content-type": FORM, cookie },
    body: new URLSearchParams(fields),
  });
}

async function runCount(api: WorkflowApi): Promise<number> {
  const response = await api.request("/api/v1/runs");
  return ((await response.json()) as { runs: unknown[] }).runs.length;
}

describe("web UI routes", () => {
  it("answers every page with HTML under a CSP whose nonce is on the one script and stylesheet", async () => {
    const { api } = await apiFor();
    const { cookie } = await openSession(api);
    const nonces = new Set<string>();
    for (
      const path of [
        "/ui/workflows",
        "/ui/workflows/greet",
        "/ui/runs",
        "/ui/schedules",
        "/ui/audits",
      ]
    ) {
      const response = await api.request(path, { headers: { cookie } });
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      const nonce = /script-src 'nonce-([A-Za-z0-9_-]{16,})'/.exec(csp)?.[1];
      assert.ok(nonce, `${path}: ${csp}`);
      assert.match(csp, new RegExp(`style-src 'nonce-${nonce}'`));
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /frame-ancestors 'none'/);
      const html = await response.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      assert.equal(scripts.length, 1, path);
      assert.match(scripts[0], new RegExp(`src="/ui/assets/app.js" nonce="${nonce}"`));
      assert.match(
        html,
        new RegExp(`<link rel="stylesheet" href="/ui/assets/app.css" nonce="${nonce}">`),
      );
      assert.doesNotMatch(html, /\sstyle="|\son[a-z]+="/, `${path} has no inline style or handler`);
      nonces.add(nonce);
    }
    assert.equal(nonces.size, 5, "each response has its own nonce");
    const css = await api.request("/ui/assets/app.css");
    assert.match(css.headers.get("content-type") ?? "", /^text\/css/);
    const js = await api.request("/ui/assets/app.js");
    assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);
  });

  it("without a token opens an HttpOnly, SameSite=Strict session for loopback only", async () => {
    const { api } = await apiFor();
    const response = await api.request("/ui/workflows");
    const session = cookiesOf(response).get("wf_session") ?? "";
    assert.match(session, /; HttpOnly/);
    assert.match(session, /; SameSite=Strict/);
    assert.match(session, /; Path=\/ui/);
    assert.doesNotMatch(session, /; Secure/, "plain http: no Secure flag");
    const https = await api.request("http://localhost/ui/workflows", {
      headers: { "x-forwarded-proto": "https" },
    });
    assert.match(cookiesOf(https).get("wf_session") ?? "", /; Secure/);
    const foreign = await api.request("http://workflows.example.com/ui/workflows", {
      headers: { host: "workflows.example.com" },
    });
    assert.equal(foreign.status, 403);
    assert.match(await foreign.text(), /not a loopback address/);
    const origin = await api.request("/ui/workflows", {
      headers: { origin: "https://evil.example" },
    });
    assert.equal(origin.status, 403);
  });

  it("with a token answers 401 with the login form, and logs in with the token only", async () => {
    const { api } = await apiFor({ token: TOKEN });
    const page = await api.request("/ui/runs?status=FAILED");
    assert.equal(page.status, 401);
    const html = await page.text();
    assert.match(html, /<form method="post" action="\/ui\/login">/);
    assert.match(html, /name="next" value="\/ui\/runs\?status=FAILED"/);
    assert.equal(cookiesOf(page).has("wf_session"), false);
    // The API's bearer header is no session for the UI.
    const bearer = await api.request("/ui/runs", { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(bearer.status, 401);
    const loginCookie = cookieValue(cookiesOf(page).get("wf_login"));
    const send = (fields: Record<string, string>, cookie = `wf_login=${loginCookie}`) =>
      api.request("/ui/login", {
        method: "POST",
        headers: { "content-type": FORM, cookie },
        body: new URLSearchParams(fields),
      });
    const wrong = await send({ csrf: csrfOf(html), token: "nope", next: "/ui/runs" });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /the token is wrong/);
    assert.equal(cookiesOf(wrong).has("wf_session"), false);
    const noCsrf = await send({ token: TOKEN }, "");
    assert.equal(noCsrf.status, 403);
    assert.equal(cookiesOf(noCsrf).has("wf_session"), false);
    const ok = await send({ csrf: csrfOf(html), token: TOKEN, next: "https://evil.example/x" });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/ui/workflows", "no open redirect");
    const session = cookiesOf(ok).get("wf_session") ?? "";
    assert.match(session, /; HttpOnly/);
    assert.match(session, /; SameSite=Strict/);
    const cookie = `wf_session=${cookieValue(session)}`;
    assert.equal((await api.request("/ui/runs", { headers: { cookie } })).status, 200);
    const forged = cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    assert.equal((await api.request("/ui/runs", { headers: { cookie: forged } })).status, 401);
  });

  it("ends a session when it expires and when logging out", async () => {
    const { engine, runtime } = await fakeClockEngine(API_YAML);
    const api = createApi(engine, { token: TOKEN });
    const cookie = await logIn(api);
    const page = await api.request("/ui/workflows", { headers: { cookie } });
    assert.equal(page.status, 200);
    await runtime.clock.advance(13 * 60 * 60 * 1000);
    assert.equal((await api.request("/ui/workflows", { headers: { cookie } })).status, 401);
    const again = await logIn(api);
    const csrf = csrfOf(
      await (await api.request("/ui/workflows", { headers: { cookie: again } })).text(),
    );
    const out = await postForm(api, "/ui/logout", again, { csrf });
    assert.equal(out.status, 303);
    assert.match(cookiesOf(out).get("wf_session") ?? "", /Max-Age=0/);
    assert.equal((await api.request("/ui/workflows", { headers: { cookie: again } })).status, 401);
  });

  it("refuses a form without the session's CSRF token, from another origin, or not form-encoded, and runs nothing", async () => {
    const { api } = await apiFor();
    const { cookie, csrf } = await openSession(api);
    const missing = await postForm(api, "/ui/workflows/greet/run", cookie, { "p.name": "x" });
    assert.equal(missing.status, 403);
    assert.match(await missing.text(), /CSRF token is missing or wrong/);
    const other = await openSession(api);
    const wrong = await postForm(api, "/ui/workflows/greet/run", cookie, { csrf: other.csrf });
    assert.equal(wrong.status, 403);
    const foreign = await api.request("/ui/workflows/greet/run", {
      method: "POST",
      headers: { "content-type": FORM, cookie, origin: "http://localhost:9999" },
      body: new URLSearchParams({ csrf }),
    });
    assert.equal(foreign.status, 403);
    const json = await api.request("/ui/workflows/greet/run", {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ csrf }),
    });
    assert.equal(json.status, 415);
    const noSession = await postForm(api, "/ui/workflows/greet/run", "", { csrf });
    assert.equal(noSession.status, 403);
    assert.equal(await runCount(api), 0);
    const put = await api.request("/ui/workflows", { method: "PUT", headers: { cookie } });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get("allow"), "GET, HEAD, POST");
  });

  it("starts a run from the form and masks its secret param everywhere it is shown", async () => {
    const { api } = await apiFor();
    const { cookie, csrf } = await openSession(api);
    const started = await postForm(api, "/ui/workflows/greet/run", cookie, {
      csrf,
      "p.name": "ada",
      "p.count": "2",
      "p.password": "hunter2-secret",
    });
    assert.equal(started.status, 303);
    const location = started.headers.get("location") ?? "";
    const runId = decodeURIComponent(location.split("/").pop() ?? "");
    assert.match(location, /^\/ui\/runs\//);
    await waitForRun(api, runId);
    const page = await api.request(location, { headers: { cookie } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.doesNotMatch(html, /hunter2-secret/);
    assert.match(html, /hello ada x2 \*\*\*/);
    assert.match(html, /&quot;password&quot;: &quot;\*\*\*&quot;/);
    // A refused form never echoes a secret back.
    const refused = await postForm(api, "/ui/workflows/greet/run", cookie, {
      csrf,
      "p.count": "two",
      "p.password": "hunter2-secret",
    });
    assert.equal(refused.status, 400);
    const again = await refused.text();
    assert.doesNotMatch(again, /hunter2-secret/);
    assert.match(again, /id="param-count-error" role="alert">✗ param &#39;count&#39; expects int/);
  });

  it("answers bad input with a page that says what is wrong", async () => {
    const { api } = await apiFor();
    const { cookie, csrf } = await openSession(api);
    const get = (path: string) => api.request(path, { headers: { cookie } });
    const noWorkflow = await get("/ui/workflows/nope");
    assert.equal(noWorkflow.status, 404);
    assert.match(await noWorkflow.text(), /workflow &#39;nope&#39; not found/);
    const noRun = await get("/ui/runs/20240101000000000000T0000000000");
    assert.equal(noRun.status, 404);
    const badStatus = await get("/ui/runs?status=BROKEN");
    assert.equal(badStatus.status, 400);
    assert.match(await badStatus.text(), /query parameter &#39;status&#39; must be one of/);
    const badCursor = await get("/ui/runs?cursor=%%%");
    assert.equal(badCursor.status, 400);
    const badDate = await get("/ui/runs?since=yesterday");
    assert.equal(badDate.status, 400);
    const missing = await postForm(api, "/ui/workflows/needy/run", cookie, { csrf });
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), /id="param-day-error"/);
    const huge = await postForm(api, "/ui/workflows/greet/run", cookie, {
      csrf,
      "p.name": "x".repeat(70_000),
    });
    assert.equal(huge.status, 413);
    const cancelEnded = await postForm(
      api,
      "/ui/runs/20240101000000000000T0000000000/cancel",
      cookie,
      {
        csrf,
      },
    );
    assert.equal(cancelEnded.status, 404);
    assert.equal(await runCount(api), 0);
    assert.equal((await get("/ui/nowhere")).status, 404);
  });

  it("pages through runs with the API's cursor and filters them", async () => {
    const { api } = await apiFor();
    const { cookie } = await openSession(api);
    for (let i = 0; i < 3; i++) {
      const response = await api.request("/api/v1/workflows/greet/execute", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(response.status, 200);
    }
    await api.request("/api/v1/workflows/broken/execute", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const first = await (await api.request("/ui/runs?limit=2", { headers: { cookie } })).text();
    const rows = (html: string) =>
      [...html.matchAll(/<a class="mono" href="\/ui\/runs\/([^"]+)"/g)].map((m) => m[1]);
    assert.equal(rows(first).length, 2);
    const next = /href="(\/ui\/runs\?[^"]*cursor=[^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll(
      "&amp;",
      "&",
    );
    assert.ok(next, "a link to the next page");
    const second = await (await api.request(next, { headers: { cookie } })).text();
    assert.equal(rows(second).length, 2);
    assert.deepEqual(rows(first).filter((id) => rows(second).includes(id)), []);
    const failed = await (await api.request("/ui/runs?status=FAILED", { headers: { cookie } }))
      .text();
    assert.equal(rows(failed).length, 1);
    assert.match(failed, /✗<\/span> FAILED/);
  });

  it("shows a failed run's error first and offers re-runs, not cancel", async () => {
    const { api } = await apiFor();
    const { cookie } = await openSession(api);
    const response = await api.request("/api/v1/workflows/broken/execute", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const { run_id: runId } = await response.json() as { run_id: string };
    const html = await (await api.request(`/ui/runs/${runId}`, { headers: { cookie } })).text();
    const main = html.slice(html.indexOf("<main"));
    const alert = main.indexOf("Failed at job");
    assert.ok(
      alert > 0 && alert < main.indexOf("<h2>Jobs</h2>"),
      "the error comes before the jobs",
    );
    assert.match(main, /something went wrong/);
    assert.match(main, /Re-run failed jobs/);
    assert.match(main, /Re-run all/);
    assert.doesNotMatch(main, /Cancel run/);
    assert.doesNotMatch(main, /data-live-events/, "an ended run's page does not listen");
  });

  it("is not served with ui: false", async () => {
    const { api } = await apiFor({ ui: false });
    const response = await api.request("/ui/workflows");
    assert.equal(response.status, 404);
    assert.match(response.headers.get("content-type") ?? "", /json/);
  });
  it("shows the scheduler's decisions with their reasons, newest first, and the audits of releases", async () => {
    const decisions = [
      {
        time: Date.UTC(2024, 0, 1, 8, 0),
        alias: "greet-night",
        workflow: "greet",
        schedule: "nightly",
        logicalTime: Date.UTC(2024, 0, 1, 8, 0),
        decision: "fired" as const,
        reason: "due at 08:00",
      },
      {
        time: Date.UTC(2024, 0, 1, 9, 0),
        alias: "greet",
        workflow: "greet",
        logicalTime: Date.UTC(2024, 0, 1, 9, 0),
        decision: "skipped-overlap" as const,
        reason: "the previous run is still going (overlap: skip)",
      },
    ];
    const { api } = await apiFor({
      scheduler: { decisions: () => decisions },
      audits: new MemoryAuditStore(),
    });
    const { cookie } = await openSession(api);
    const html = await (await api.request("/ui/schedules", { headers: { cookie } })).text();
    const skipped = html.indexOf("skipped-overlap");
    const fired = html.indexOf("fired");
    assert.ok(skipped > 0 && fired > skipped, "newest decision first");
    assert.match(html, /the previous run is still going \(overlap: skip\)/);
    assert.match(html, /30 23 \* \* \*/, "the schedule template's cron is listed");
    const none = await apiFor();
    const session = await openSession(none.api);
    const without = await (await none.api.request("/ui/schedules", {
      headers: { cookie: session.cookie },
    })).text();
    assert.match(without, /No scheduler runs in this server process/);
    const released = await api.request("/api/v1/workflows/greet/release", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ date: "2024-01-31T08:00:00Z" }),
    });
    assert.equal(released.status, 200);
    const audits = await (await api.request("/ui/audits?workflow=greet", { headers: { cookie } }))
      .text();
    assert.match(audits, /<time datetime="2024-01-31T08:00:00.000Z">/);
    assert.match(audits, /✓<\/span> SUCCESS/);
  });
});
