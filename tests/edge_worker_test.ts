/**
 * The Worker file of `docs/edge.md`, taken from the doc as it is, bundled with esbuild and run
 * inside workerd (Cloudflare's runtime) through miniflare: a real edge host, which refuses
 * timers, random numbers and AbortControllers at module scope and I/O across requests.
 *
 * Miniflare is a Node library that starts the workerd binary; on a runtime where it cannot
 * start, the tests are skipped with the reason. Under Node (`npm test`) they always run.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const isNode = !("Deno" in globalThis) && !("Bun" in globalThis);

/** The fenced `ts` block of docs/edge.md that starts with `// worker.ts`, unchanged. */
function workerFileFromDoc(): string {
  const doc = readFileSync(`${root}docs/edge.md`, "utf8");
  const match = /```ts\n(\/\/ worker\.ts[\s\S]*?)```/.exec(doc);
  assert.ok(match, "docs/edge.md has a ```ts block starting with // worker.ts");
  return match[1];
}

const TOKEN = "edge-token-4c1d";

interface Worker {
  /** `token: null` sends no Authorization header. */
  fetch(
    path: string,
    init?: { method?: string; body?: unknown; token?: string | null },
  ): Promise<Response>;
  /** A request as a browser sends it: no token added, headers and body as given. */
  raw(path: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

/** Bundles the doc's Worker (its `@ddeutil/workflow/core` import mapped to this repo's
 * core.ts) and starts it in workerd. */
async function startWorker(): Promise<Worker> {
  const esbuild = await import("esbuild");
  const { Miniflare } = await import("miniflare");
  const bundle = await esbuild.build({
    stdin: {
      contents: workerFileFromDoc(),
      loader: "ts",
      resolveDir: root,
      sourcefile: "worker.ts",
    },
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    alias: { "@ddeutil/workflow/core": `${root}core.ts` },
    logLevel: "silent",
  });
  const mf = new Miniflare({
    // Modules given by hand: miniflare's own module walker rejects the bundle's dynamic
    // import() of task modules, which the Worker never reaches.
    modules: [{
      type: "ESModule",
      path: `${root}worker.mjs`,
      contents: bundle.outputFiles[0].text,
    }],
    modulesRoot: root,
    compatibilityDate: "2025-01-01",
    // Served on a public host name, as deployed: the token is what lets requests in.
    bindings: { WORKFLOW_API_TOKEN: TOKEN },
  });
  await mf.ready;
  return {
    async fetch(path, init = {}) {
      const method = init.method ?? "GET";
      const response = await mf.dispatchFetch(`https://workflows.example.com${path}`, {
        method,
        headers: {
          ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? TOKEN}` }),
          ...(method === "POST" ? { "content-type": "application/json" } : {}),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      // miniflare's Response is undici's; hand back a plain one to keep types simple.
      return new Response(await response.text(), {
        status: response.status,
        headers: Object.fromEntries(response.headers),
      });
    },
    async raw(path, init = {}) {
      const response = await mf.dispatchFetch(`https://workflows.example.com${path}`, {
        method: init.method ?? "GET",
        headers: init.headers as Record<string, string> | undefined,
        redirect: "manual",
        ...(init.body === undefined ? {} : { body: String(init.body) }),
      });
      const headers = new Headers();
      for (const [name, value] of response.headers) {
        if (name !== "set-cookie") headers.set(name, value);
      }
      for (const cookie of response.headers.getSetCookie()) headers.append("set-cookie", cookie);
      return new Response(await response.text(), { status: response.status, headers });
    },
    dispose: () => mf.dispose(),
  };
}

interface StageJson {
  status: string;
  outputs: Record<string, unknown>;
  errors?: { name: string; message: string };
  info: { start: string; end: string; duration_ms: number };
}

let worker: Worker | undefined;
let skipReason: string | undefined;

describe("the Worker file of docs/edge.md inside workerd (miniflare)", () => {
  before(async () => {
    try {
      worker = await startWorker();
    } catch (error) {
      // It must start under Node; elsewhere miniflare may not be able to drive workerd.
      if (isNode) throw error;
      skipReason = `miniflare cannot start workerd on this runtime: ${
        error instanceof Error ? error.message.split("\n")[0] : String(error)
      }`;
    }
  });
  after(async () => {
    await worker?.dispose();
  });

  // `timeout` only guards against a hang: a stream written from the run's request (another
  // request than the stream's) is held by workerd until the stream's own request does I/O,
  // its 15 s keep-alive, while every test here takes well under a second.
  const run = (name: string, test: (w: Worker) => Promise<void>) =>
    it(name, { timeout: 10_000 }, async (t) => {
      if (!worker) return t.skip(skipReason);
      await test(worker);
    });

  run(
    "runs echo, a 0.2 s sleep, a task, a stage timeout, a retry with delay and a matrix with real timestamps",
    async (w) => {
      const response = await w.fetch("/api/v1/workflows/edge-demo/execute", {
        method: "POST",
        body: { params: { name: "worker" } },
      });
      assert.equal(response.status, 200);
      const result = await response.json();
      assert.equal(result.status, "SUCCESS");
      const hello = result.context.jobs.hello;
      const stages = hello.stages as Record<string, StageJson>;
      assert.equal(stages.greet.status, "SUCCESS");
      // The real clock: the year the test runs in, not the fake clock's 1970.
      const year = new Date(result.context.info.start).getUTCFullYear();
      assert.equal(year, new Date().getUTCFullYear());
      assert.ok(result.run_id.startsWith(String(year)), result.run_id);
      // The sleep really slept (a fake clock would have hung or taken no time).
      assert.equal(stages.nap.status, "SUCCESS");
      assert.ok(Date.parse(stages.nap.info.end) - Date.parse(stages.nap.info.start) >= 190);
      assert.deepEqual(stages.shout.outputs, { text: "WORKER" });
      // The stage timeout fired; continue-on-error kept the job going.
      assert.equal(stages["too-slow"].status, "FAILED");
      assert.equal(stages["too-slow"].errors?.name, "StageTimeoutError");
      assert.match(stages["too-slow"].errors?.message ?? "", /timed out after 100ms/);
      // The retry waited its delay, then the second attempt succeeded.
      assert.equal(stages.flaky.status, "SUCCESS");
      assert.deepEqual(stages.flaky.outputs, { attempt: 2 });
      assert.ok(
        stages.flaky.info.duration_ms >= 90,
        `retry took ${stages.flaky.info.duration_ms} ms`,
      );
      const fanOut = result.context.jobs["fan-out"];
      assert.equal(fanOut.status, "SUCCESS");
      const deployed = Object.values(
        fanOut.strategies as Record<string, { stages: Record<string, StageJson> }>,
      ).map((strategy) => strategy.stages.deploy.outputs.text).sort();
      assert.deepEqual(deployed, ["WORKER-AP", "WORKER-EU", "WORKER-US"]);
    },
  );

  run("refuses a request without the Worker's token with a 401 and runs nothing", async (w) => {
    const response = await w.fetch("/api/v1/workflows/edge-demo/execute", {
      method: "POST",
      body: {},
      token: null,
    });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error.name, "Unauthorized");
    const wrong = await w.fetch("/api/v1/runs", { token: "not-the-token" });
    assert.equal(wrong.status, 401);
  });

  run("ends a workflow whose timeout fires CANCEL, with the timeout in its error", async (w) => {
    const response = await w.fetch("/api/v1/workflows/edge-deadline/execute", { method: "POST" });
    const result = await response.json();
    assert.equal(result.status, "CANCEL");
    assert.match(result.context.errors.message, /workflow 'edge-deadline' timed out after 200ms/);
  });

  run(
    "keeps an async run alive after its 202, streams its events from another request and shows it ended",
    async (w) => {
      const accepted = await w.fetch("/api/v1/workflows/edge-demo/execute", {
        method: "POST",
        body: { async: true },
      });
      assert.equal(accepted.status, 202);
      const { run_id: runId, status_url: statusUrl, events_url: eventsUrl } = await accepted.json();
      // Opened while the run is still going: the stream's request is not the run's request.
      const stream = w.fetch(eventsUrl).then((response) => response.text());
      let status = "WAIT";
      for (let poll = 0; poll < 200 && status === "WAIT"; poll++) {
        const response = await w.fetch(statusUrl);
        assert.equal(response.status, 200);
        status = (await response.json()).status;
        if (status === "WAIT") await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(status, "SUCCESS");
      const text = await stream;
      const events = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
      assert.equal(events[0], "run-start");
      assert.ok(events.includes("job-end"));
      assert.equal(events.at(-1), "end");
      const end = JSON.parse(text.trim().split("\n").at(-1)!.replace(/^data: /, ""));
      assert.deepEqual(end, { run_id: runId, status: "SUCCESS" });
      assert.match(text, /\[STAGE\]: Echo 'Greet': hello edge/);
    },
  );

  run(
    "validate reports bash: and run: stages as needing subprocesses and workers the Worker lacks",
    async (w) => {
      const response = await w.fetch("/api/v1/validate", {
        method: "POST",
        body: {
          name: "needs-host",
          template: {
            type: "Workflow",
            jobs: {
              build: {
                stages: [
                  { name: "Shell", bash: "echo hi" },
                  { name: "Code", run: "return { x: 1 };" },
                ],
              },
            },
          },
        },
      });
      const body = await response.json();
      assert.equal(body.ok, false);
      const messages = body.issues.map((issue: { message: string }) => issue.message);
      assert.equal(messages.length, 2);
      assert.match(messages[0], /bash: stage cannot run here: this runtime has no subprocesses/);
      assert.match(
        messages[1],
        /JavaScript run: stage cannot run here: this runtime has no workers/,
      );
    },
  );
  run("serves the web UI: a 401 login page, then the workflow's DAG once logged in", async (w) => {
    const page = await w.raw("/ui/workflows/edge-demo");
    assert.equal(page.status, 401);
    assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'nonce-/);
    const html = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const loginCookie = page.headers.getSetCookie().find((c) => c.startsWith("wf_login="));
    assert.ok(loginCookie && csrf, "the login form carries a CSRF token and its cookie");
    const login = await w.raw("/ui/login", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: loginCookie.split(";")[0],
      },
      body: new URLSearchParams({ csrf, token: TOKEN, next: "/ui/workflows/edge-demo" }).toString(),
    });
    assert.equal(login.status, 303);
    const session = login.headers.getSetCookie().find((c) => c.startsWith("wf_session="));
    assert.ok(session, "a session cookie is set");
    assert.match(session, /; HttpOnly/);
    assert.match(session, /; SameSite=Strict/);
    // Driven from Bun, miniflare hands the Worker the request under an http: URL.
    if (isNode) assert.match(session, /; Secure/, "https: the cookie is Secure");
    const shown = await w.raw("/ui/workflows/edge-demo", {
      headers: { cookie: session.split(";")[0] },
    });
    assert.equal(shown.status, 200);
    const body = await shown.text();
    assert.match(body, /<g class="node s-DEFINED" data-job="hello">/);
    assert.match(body, /<path class="edge"/);
  });
});
