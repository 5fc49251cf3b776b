/**
 * What a web page can make a browser send to a workflow server on this machine: simple
 * cross-site POSTs (`text/plain`, form, multipart, no body type) and DNS rebinding (a foreign
 * `Host`). Each is sent over a real socket to a real server whose routes would run a shell
 * command writing a marker file; each must be refused and the file must not appear.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineFor } from "../_helpers.ts";
import { createApi } from "../../src/api/app.ts";
import { serve, type Server } from "../../src/api/serve.ts";
import type { Engine } from "../../src/engine.ts";
import { rawRequest, type RawResponse } from "./_http.ts";

const YAML = `
touch:
  type: Workflow
  params:
    marker: str
  jobs:
    write:
      stages:
        - name: Write
          bash: id -un > "\${{ params.marker }}"
`;

interface Running {
  readonly server: Server;
  readonly engine: Engine;
  readonly dir: string;
}

let markers = 0;

async function start(token: string): Promise<Running> {
  const engine = await engineFor(YAML, { traces: null, audits: null });
  // Inline jobs on, so the request checks alone stand between a page and a shell.
  const api = createApi(engine, { token, prefix: "/api/v1", enableJobExecute: true });
  const server = await serve(api, { hostname: "127.0.0.1", port: 0 });
  return { server, engine, dir: mkdtempSync(join(tmpdir(), "wf-attack-")) };
}

async function stop(running: Running): Promise<void> {
  await running.server.shutdown(1000);
  await running.engine.close();
  rmSync(running.dir, { recursive: true, force: true });
}

interface Attack {
  readonly name: string;
  readonly headers: Record<string, string>;
  /** The body, wrapped as this request kind sends it. */
  readonly wrap?: (json: string) => string;
  /** What a tokenless server answers: the Host and Origin checks come before the body's. */
  readonly refusal: "UnsupportedMediaType" | "ForeignOrigin" | "ForeignHost";
}

const workflowBody = (marker: string) => JSON.stringify({ params: { marker } });
const jobBody = (marker: string) =>
  JSON.stringify({ job: { stages: [{ name: "Pwn", bash: `id -un > '${marker}'` }] } });

/** The requests a page can make without a CORS preflight, and DNS rebinding. */
function attacks(port: number): Attack[] {
  const evil = "http://evil.example";
  return [
    {
      name: "text/plain POST from a foreign page",
      headers: { "Content-Type": "text/plain", Origin: evil },
      refusal: "ForeignOrigin",
    },
    {
      name: "text/plain POST without Origin",
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      refusal: "UnsupportedMediaType",
    },
    {
      name: "form-encoded POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      wrap: (json) => `${encodeURIComponent(json)}=`,
      refusal: "UnsupportedMediaType",
    },
    {
      name: "multipart POST",
      headers: { "Content-Type": "multipart/form-data; boundary=x" },
      wrap: (json) => `--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n${json}\r\n--x--\r\n`,
      refusal: "UnsupportedMediaType",
    },
    { name: "POST without Content-Type", headers: {}, refusal: "UnsupportedMediaType" },
    {
      name: "JSON POST with a foreign Origin",
      headers: { "Content-Type": "application/json", Origin: evil },
      refusal: "ForeignOrigin",
    },
    {
      name: "JSON POST with Origin null (sandboxed page)",
      headers: { "Content-Type": "application/json", Origin: "null" },
      refusal: "ForeignOrigin",
    },
    {
      name: "DNS rebinding: foreign Host and its own Origin",
      headers: {
        "Content-Type": "application/json",
        Host: `evil.example:${port}`,
        Origin: `http://evil.example:${port}`,
      },
      refusal: "ForeignHost",
    },
    {
      name: "foreign Host alone",
      headers: { "Content-Type": "text/plain", Host: `rebind.example:${port}` },
      refusal: "ForeignHost",
    },
    {
      name: "a name under a loopback-looking domain",
      headers: { "Content-Type": "application/json", Host: `127.0.0.1.nip.io:${port}` },
      refusal: "ForeignHost",
    },
  ];
}

const ROUTES = ["/api/v1/workflows/touch/execute", "/api/v1/job/execute"];

/** The attack's request to `path`, asking to write `marker`. */
function send(port: number, attack: Attack, path: string, marker: string) {
  const json = path.endsWith("job/execute") ? jobBody(marker) : workflowBody(marker);
  return rawRequest(port, "POST", path, {
    headers: attack.headers,
    body: attack.wrap ? attack.wrap(json) : json,
  });
}

function newMarker(dir: string): string {
  return join(dir, `marker-${++markers}`);
}

function assertJsonError(response: RawResponse, status: number, name?: string): void {
  assert.equal(response.closed, false, "the server answered");
  assert.equal(response.status, status, response.body);
  assert.match(response.headers["content-type"] ?? "", /application\/json/);
  const error = (response.json as { error?: { name: string; message: string } })?.error;
  assert.ok(error, `a JSON error body: ${response.body}`);
  if (name) assert.equal(error.name, name);
}

async function runCount(running: Running, headers: Record<string, string> = {}): Promise<number> {
  const response = await rawRequest(running.server.port, "GET", "/api/v1/runs", { headers });
  assert.equal(response.status, 200, response.body);
  return (response.json as { runs: unknown[] }).runs.length;
}

describe("browser-shaped attacks on a tokenless server", () => {
  let running: Running;
  before(async () => running = await start(""));
  after(() => stop(running));

  it("refuses each with 415 or 403 and runs nothing, on /workflows/{name}/execute and /job/execute", async () => {
    const port = running.server.port;
    for (const attack of attacks(port)) {
      for (const path of ROUTES) {
        const marker = newMarker(running.dir);
        const response = await send(port, attack, path, marker);
        const status = attack.refusal === "UnsupportedMediaType" ? 415 : 403;
        assertJsonError(response, status, attack.refusal);
        assert.equal(existsSync(marker), false, `${attack.name} on ${path} wrote the marker`);
      }
    }
    assert.equal(await runCount(running), 0, "no run was started");
  });

  it("names what it expects: application/json (415), a loopback Origin or Host (403)", async () => {
    const port = running.server.port;
    const plain = await rawRequest(port, "POST", "/api/v1/workflows/touch/execute", {
      headers: { "Content-Type": "text/plain" },
      body: workflowBody(newMarker(running.dir)),
    });
    assertJsonError(plain, 415, "UnsupportedMediaType");
    assert.match(plain.body, /application\/json/);
    assert.match(plain.body, /text\/plain/);
    const origin = await rawRequest(port, "POST", "/api/v1/workflows/touch/execute", {
      headers: { "Content-Type": "application/json", Origin: "http://evil.example" },
      body: workflowBody(newMarker(running.dir)),
    });
    assertJsonError(origin, 403, "ForeignOrigin");
    assert.match(origin.body, /evil\.example/);
    assert.match(origin.body, /WORKFLOW_API_TOKEN/);
    const host = await rawRequest(port, "GET", "/api/v1/workflows", {
      headers: { Host: "evil.example" },
    });
    assertJsonError(host, 403, "ForeignHost");
    assert.match(host.body, /loopback/);
  });

  it("still runs a JSON request addressed to a loopback host, from no or a loopback Origin", async () => {
    // The control: the same server does run what the attacks asked for when asked properly,
    // so the marker checks above can fail.
    const port = running.server.port;
    const cases: Record<string, string>[] = [
      {},
      { Origin: `http://localhost:${port}` },
      { Host: `localhost:${port}`, Origin: "http://127.0.0.1:5173" },
      { Host: `[::1]:${port}`, Origin: "https://[::1]" },
    ];
    for (const headers of cases) {
      const marker = newMarker(running.dir);
      const response = await rawRequest(port, "POST", "/api/v1/workflows/touch/execute", {
        headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
        body: workflowBody(marker),
      });
      assert.equal(response.status, 200, `${JSON.stringify(headers)}: ${response.body}`);
      assert.equal((response.json as { status: string }).status, "SUCCESS");
      assert.equal(existsSync(marker), true, `${JSON.stringify(headers)} ran the stage`);
    }
    const marker = newMarker(running.dir);
    const job = await rawRequest(port, "POST", "/api/v1/job/execute", {
      headers: { "Content-Type": "application/json" },
      body: jobBody(marker),
    });
    assert.equal(job.status, 200, job.body);
    assert.equal(existsSync(marker), true);
  });
});

describe("browser-shaped attacks on a server with a token", () => {
  let running: Running;
  before(async () => running = await start("s3cret"));
  after(() => stop(running));

  it("answers each with 401 and runs nothing", async () => {
    const port = running.server.port;
    for (const attack of attacks(port)) {
      for (const path of ROUTES) {
        const marker = newMarker(running.dir);
        const response = await send(port, attack, path, marker);
        assertJsonError(response, 401, "Unauthorized");
        assert.equal(existsSync(marker), false, `${attack.name} on ${path} wrote the marker`);
      }
    }
    const auth = { Authorization: "Bearer s3cret" };
    assert.equal(await runCount(running, auth), 0, "no run was started");
    // With the token, a non-JSON body is still refused; a JSON one runs.
    const marker = newMarker(running.dir);
    const plain = await rawRequest(port, "POST", "/api/v1/workflows/touch/execute", {
      headers: { ...auth, "Content-Type": "text/plain" },
      body: workflowBody(marker),
    });
    assertJsonError(plain, 415, "UnsupportedMediaType");
    assert.equal(existsSync(marker), false);
    const ok = await rawRequest(port, "POST", "/api/v1/workflows/touch/execute", {
      headers: { ...auth, "Content-Type": "application/json", Host: `workflows.example:${port}` },
      body: workflowBody(marker),
    });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(existsSync(marker), true);
  });
});
