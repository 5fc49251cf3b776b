/**
 * Load benchmark of the HTTP API: starts the server on loopback and, for each case, runs 32
 * concurrent clients for a bounded time, counting requests. Prints one JSON line per case:
 * `{"case":"m-api-list","runtime":"deno","rps":…,"requests":…,"errors":…,"seconds":…}`.
 *
 * Run: `deno run -A tests/bench/api_load.ts`, `bun tests/bench/api_load.ts`,
 * `node --import tsx tests/bench/api_load.ts`. Env: BENCH_SECONDS (default 10, max 10),
 * BENCH_CLIENTS (default 32).
 */
import process from "node:process";
import { createApi } from "../../src/api/app.ts";
import { serve } from "../../src/api/serve.ts";
import { engineFor } from "../_helpers.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";

const seconds = Math.min(10, Number(process.env.BENCH_SECONDS ?? 10));
const clients = Number(process.env.BENCH_CLIENTS ?? 32);

const engine = await engineFor(
  `
one-stage:
  type: Workflow
  params:
    name:
      type: str
      default: world
  jobs:
    only:
      stages:
        - name: Say
          echo: "hello \${{ params.name }}"
`,
  { traces: null, audits: null },
);
const api = createApi(engine, { token: "", prefix: "/api/v1", maxRuns: 1000 });
const server = await serve(api, { hostname: "127.0.0.1", port: 0 });

async function load(name: string, makeRequest: () => Request): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  let requests = 0;
  let errors = 0;
  const client = async () => {
    while (performance.now() < deadline) {
      try {
        const response = await fetch(makeRequest());
        await response.arrayBuffer();
        if (response.ok) requests++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  const elapsed = (performance.now() - started) / 1000;
  console.log(JSON.stringify({
    case: name,
    runtime: detectRuntime().name,
    clients,
    rps: Math.round(requests / elapsed),
    requests,
    errors,
    seconds: Number(elapsed.toFixed(2)),
  }));
}

try {
  await load("m-api-list", () => new Request(`${server.url}/api/v1/workflows`));
  await load("m-api-exec", () =>
    new Request(`${server.url}/api/v1/workflows/one-stage/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"params":{"name":"bench"}}',
    }));
} finally {
  await server.shutdown(1000);
  await engine.close();
}
