/**
 * Shared fixture of the web UI tests, the screenshots script and the UI benchmark: a config
 * folder with a few workflows (a DAG with a matrix, one that fails, one that runs long, one
 * with typed params, one with a config problem), written to a temp folder, and a real server
 * over it on a free loopback port.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ApiOptions,
  createApi,
  serve,
  type Server,
  type WorkflowApi,
} from "../../src/api/mod.ts";
import { Engine } from "../../src/engine.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import type { TraceStore } from "../../src/results/trace_store.ts";
import { detectRuntime } from "../../src/runtime/mod.ts";

/** The token of the token-protected servers. */
export const UI_TOKEN = "ui-token-5b2e91c4";

/** The config folder, file by file. */
export const UI_CONF: Readonly<Record<string, string>> = {
  "etl.yml": `
etl-daily:
  type: Workflow
  desc: Load yesterday's orders into the warehouse, one region at a time.
  on:
    - cronjob: "30 2 * * *"
      timezone: Asia/Bangkok
  params:
    run-date:
      type: date
      default: "2024-01-31"
      desc: Logical date of the load
    batch-size:
      type: int
      default: 500
    mode:
      type: choice
      options: [incremental, full]
    api-key:
      type: secret
      default: ""
  jobs:
    extract:
      stages:
        - name: Pull orders
          id: pull
          echo: "pulling orders of \${{ params.run-date }}"
    transform:
      needs: [extract]
      strategy:
        matrix:
          region: [eu, us]
      stages:
        - name: Clean
          id: clean
          echo: "cleaning \${{ matrix.region }} in batches of \${{ params.batch-size }}"
    load:
      needs: [transform]
      stages:
        - name: Write
          id: write
          echo: "writing \${{ params.mode }} load"
    report:
      needs: [load]
      stages:
        - name: Summary
          id: summary
          echo: done
`,
  "quick.yml": `
quick:
  type: Workflow
  desc: Two short steps that always succeed.
  jobs:
    first:
      stages:
        - name: Wait a little
          sleep: 2
        - name: Say hi
          id: hi
          echo: hi
    second:
      needs: [first]
      stages:
        - name: Wait again
          sleep: 0.4
`,
  "flaky.yml": `
flaky:
  type: Workflow
  desc: Its load job fails; its audit job does not depend on it.
  jobs:
    fetch:
      stages:
        - name: Fetch
          id: fetch
          echo: fetched
    load:
      needs: [fetch]
      stages:
        - name: Insert rows
          id: insert
          raise: "warehouse refused the batch: table orders is locked"
    audit:
      stages:
        - name: Count
          id: count
          echo: counted
`,
  "long.yml": `
long:
  type: Workflow
  desc: Sleeps for a minute (to be cancelled).
  jobs:
    nap:
      stages:
        - name: Sleep
          id: sleep
          sleep: 60
`,
  "nightly.yml": `
nightly:
  type: Schedule
  desc: Nightly releases
  workflows:
    - name: etl-daily
      alias: etl-night
      on:
        - cronjob: "0 23 * * *"
          timezone: UTC
`,
  "typo.yml": `
typo:
  type: Workflow
  jobs:
    only:
      stagse:
        - name: Misspelled
          echo: hi
`,
};

/** A running UI server over a temp copy of {@linkcode UI_CONF}. */
export interface UiServer {
  readonly url: string;
  readonly api: WorkflowApi;
  readonly engine: Engine;
  readonly server: Server;
  readonly traces: TraceStore;
  close(): Promise<void>;
}

/** Writes {@linkcode UI_CONF} into a new temp folder; returns the folder. */
export function writeUiConf(): string {
  const dir = mkdtempSync(join(tmpdir(), "wf-ui-"));
  mkdirSync(join(dir, "conf"));
  for (const [file, text] of Object.entries(UI_CONF)) writeFileSync(join(dir, "conf", file), text);
  return dir;
}

/** Starts a real server (port 0: a free one) over a temp conf folder. */
export async function startUiServer(
  options: { token?: string; traces?: TraceStore; api?: ApiOptions } = {},
): Promise<UiServer> {
  const dir = writeUiConf();
  const traces = options.traces ?? new MemoryTraceStore();
  const engine = await Engine.create({
    runtime: detectRuntime(),
    settings: { confPath: join(dir, "conf") },
    traces,
    audits: new MemoryAuditStore(),
  });
  const api = createApi(engine, { token: options.token ?? "", ...options.api });
  const server = await serve(api, { hostname: "127.0.0.1", port: 0, graceMs: 1000 });
  return {
    url: server.url,
    api,
    engine,
    server,
    traces,
    async close() {
      await server.shutdown(200);
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
