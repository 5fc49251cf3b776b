/**
 * The leak scan: one run that hands a secret param and an env secret through every path a
 * value can take (a trigger child, a matrix, a foreach, a stage name and id, a failing stage's
 * message, a stage printing its whole environment) with the server's API token set; then every
 * byte that leaves the engine (CLI text and JSON, file and SQLite traces and audits, API
 * responses, the event stream) is searched for the raw values. None may appear. With PostgreSQL
 * stores, the store URL's password is searched for too.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { Engine } from "../../src/engine.ts";
import { createApi } from "../../src/api/mod.ts";
import { type LifecycleDetail, onLifecycle } from "../../src/executor/events.ts";
import { FileAuditStore } from "../../src/results/file_audit_store.ts";
import { runCliCaptured, runtimeWithEnv, withProcessEnv } from "../_helpers.ts";
import { sqliteSkipReason } from "../results/_helpers.ts";
import { openPostgres } from "../../src/runtime/postgres.ts";
import { testDatabase } from "../_postgres.ts";

const PARAM_SECRET = "s3cr3t-PARAM-7f1c";
const ENV_SECRET = "s3cr3t-ENV-9a2b";
const API_TOKEN = "tok-API-5d3e";
const RAW = [PARAM_SECRET, ENV_SECRET, API_TOKEN];

const WORKFLOWS = `
leak-child:
  type: Workflow
  params:
    value: str
  jobs:
    use:
      stages:
        - name: Echo value
          id: echo
          echo: "child value \${{ params.value }}"
        - name: Print value
          id: print
          bash: echo "child printed \${{ params.value }}"

leak:
  type: Workflow
  params:
    password: secret
  jobs:
    prepare:
      stages:
        - name: Use env
          id: use-env
          bash: echo "env token \${MY_API_TOKEN}"
        - name: Items
          id: items
          run: "return { items: [password, token] };"
          vars:
            password: \${{ params.password }}
            token: \${MY_API_TOKEN}
        - name: Call child
          id: child
          trigger: leak-child
          params:
            value: "\${{ params.password }} \${MY_API_TOKEN}"
        - name: Each
          id: each
          foreach: "\${{ stages.items.outputs.items }}"
          stages:
            - name: Show item
              id: show
              echo: "item \${{ item }}"
    fan-out:
      needs: [prepare]
      strategy:
        matrix:
          target: "\${{ jobs.prepare.stages.items.outputs.items }}"
      stages:
        - name: "deploy \${{ matrix.target }}"
          id: "deploy-\${{ matrix.target }}"
          echo: "deploying to \${{ matrix.target }}"
    dump:
      needs: [prepare]
      stages:
        - name: Print environment
          id: env
          bash: env
    boom:
      needs: [prepare]
      stages:
        - name: Fail
          id: fail
          raise: "cannot log in with \${{ params.password }} and \${MY_API_TOKEN}"
`;

const real = detectRuntime();

async function tempDir(): Promise<string> {
  const dir = `/tmp/wf-leak-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await real.fs.mkdir(`${dir}/conf`);
  await real.fs.writeText(`${dir}/conf/leak.yml`, WORKFLOWS);
  return dir;
}

/** Every byte of every file under `path` (a file or a folder), as text. */
function bytesUnder(path: string): string {
  if (!existsSync(path)) return "";
  if (!statSync(path).isDirectory()) return readFileSync(path).toString("latin1");
  return readdirSync(path).map((entry) => bytesUnder(`${path}/${entry}`)).join("\n");
}

/** Every byte of a SQLite database and its side files. */
function sqliteBytes(path: string): string {
  return ["", "-wal", "-journal", "-shm"].map((suffix) => bytesUnder(path + suffix)).join("\n");
}

/** What a sink produced, checked for the raw values. */
class Scan {
  readonly sinks: Record<string, string> = {};
  /** Sinks that list runs and hold no value that could be a secret: no `***` expected. */
  readonly #unmasked = new Set<string>();

  add(name: string, text: string, options: { masks?: boolean } = {}): void {
    this.sinks[name] = (this.sinks[name] ?? "") + text;
    if (options.masks === false) this.#unmasked.add(name);
  }

  /** Asserts every sink is non-empty, shows `***`, and holds none of the raw values. */
  assertClean(extra: readonly string[] = []): void {
    const leaks: string[] = [];
    for (const [name, text] of Object.entries(this.sinks)) {
      assert.ok(text.length > 0, `sink '${name}' is empty, so the scan would pass vacuously`);
      if (!this.#unmasked.has(name)) {
        assert.ok(text.includes("***"), `sink '${name}' shows no *** where a secret would be`);
      }
      for (const raw of [...RAW, ...extra]) if (text.includes(raw)) leaks.push(`${name}: ${raw}`);
    }
    assert.deepEqual(leaks, [], `raw secrets found:\n${leaks.join("\n")}`);
  }
}

const HOST_ENV = { MY_API_TOKEN: ENV_SECRET, WORKFLOW_API_TOKEN: API_TOKEN };

/** CLI run (text and --json), logs, runs and a release, with traces and audits at `urls`. */
async function scanCli(
  scan: Scan,
  label: string,
  dir: string,
  urls: { trace: string; audit: string },
): Promise<void> {
  const runtime = runtimeWithEnv({
    ...HOST_ENV,
    WORKFLOW_LOG_TRACE_URL: urls.trace,
    WORKFLOW_LOG_AUDIT_URL: urls.audit,
  });
  const cli = (args: string[]) => runCliCaptured([...args, "--conf", `${dir}/conf`], runtime);
  const password = ["-p", `password=${PARAM_SECRET}`];

  const text = await cli(["run", "leak", ...password]);
  assert.equal(text.code, 1, text.stderr);
  assert.match(text.stdout + text.stderr, /cannot log in with \*\*\* and \*\*\*/);
  scan.add(`${label} CLI text`, text.stdout + text.stderr);

  const json = await cli(["run", "leak", ...password, "--json"]);
  assert.equal(json.code, 1, json.stderr);
  scan.add(`${label} CLI --json`, json.stdout + json.stderr);
  const result = JSON.parse(json.stdout);
  const childRunId = result.context.jobs.prepare.stages.child.outputs.run_id as string;
  assert.match(JSON.stringify(result), /child printed \*\*\* \*\*\*/);
  const dumped = String(result.context.jobs.dump.stages.env.outputs.stdout);
  assert.match(dumped, /^MY_API_TOKEN=\*\*\*$/m, "the environment dump lost the env secret");
  assert.doesNotMatch(dumped, /WORKFLOW_API_TOKEN/);

  for (const runId of [result.run_id as string, childRunId]) {
    const logs = await cli(["logs", runId]);
    assert.equal(logs.code, 0, logs.stderr);
    scan.add(`${label} CLI logs`, logs.stdout + logs.stderr);
    const logsJson = await cli(["logs", runId, "--json"]);
    scan.add(`${label} CLI logs --json`, logsJson.stdout + logsJson.stderr);
  }
  const runs = await cli(["runs", "--json"]);
  scan.add(`${label} CLI runs`, runs.stdout + runs.stderr, { masks: false });

  const date = ["--date", "2024-01-01T08:00:00Z"];
  const release = await cli(["release", "leak", ...date, ...password]);
  assert.match(release.stdout, /FAILED leak/, release.stderr);
  scan.add(`${label} CLI release`, release.stdout + release.stderr, { masks: false });
  const forced = await cli(["release", "leak", ...date, "--force", ...password, "--json"]);
  assert.match(forced.stdout, /cannot log in with \*\*\* and \*\*\*/, forced.stderr);
  scan.add(`${label} CLI release --json`, forced.stdout + forced.stderr);
}

describe("leak scan", () => {
  it("no raw secret or API token reaches the CLI, the file stores, the API or the event stream", async () => {
    const dir = await tempDir();
    const scan = new Scan();
    await withProcessEnv(HOST_ENV, async () => {
      await scanCli(scan, "file", dir, { trace: `${dir}/traces`, audit: `${dir}/audits` });
      scan.add("file traces", bytesUnder(`${dir}/traces`));
      scan.add("file audits", bytesUnder(`${dir}/audits`));

      // The API over the same config, its events subscribed directly and through SSE.
      const events: LifecycleDetail[] = [];
      const engine = await Engine.create({
        runtime: runtimeWithEnv({ ...HOST_ENV, WORKFLOW_LOG_TRACE_URL: `${dir}/api-traces` }),
        settings: { confPath: `${dir}/conf` },
      });
      onLifecycle(engine.events, (detail) => events.push(detail));
      const api = createApi(engine, {
        prefix: "/api/v1",
        audits: new FileAuditStore(real.fs, `${dir}/api-audits`),
      });
      const headers = {
        "content-type": "application/json",
        authorization: `Bearer ${API_TOKEN}`,
      };
      const get = async (path: string) => {
        const response = await api.request(`/api/v1${path}`, { headers });
        const text = await response.text();
        assert.equal(response.status, 200, `${path}: ${text}`);
        return text;
      };
      const post = async (path: string, body: unknown) => {
        const response = await api.request(`/api/v1${path}`, {
          method: "POST",
          headers,
          body: JSON.stringify(body),
        });
        const text = await response.text();
        assert.equal(response.status, 200, `${path}: ${text}`);
        return text;
      };
      const executed = await post("/workflows/leak/execute", {
        params: { password: PARAM_SECRET },
      });
      scan.add("API execute", executed);
      const result = JSON.parse(executed);
      const runId = result.run_id as string;
      const childRunId = result.context.jobs.prepare.stages.child.outputs.run_id as string;
      await engine.flush();
      scan.add("API runs", await get("/runs"), { masks: false });
      scan.add("API run", await get(`/runs/${runId}`));
      scan.add("API traces", await get(`/runs/${runId}/traces`));
      scan.add("API traces", await get(`/runs/${childRunId}/traces`));
      scan.add("API events (SSE)", await get(`/runs/${runId}/events`));
      scan.add(
        "API release",
        await post("/workflows/leak/release", {
          date: "2024-01-01T08:00:00Z",
          params: { password: PARAM_SECRET },
        }),
      );
      scan.add("API audits", await get("/audits"));
      scan.add("API audits", await get("/audits/leak"));
      await engine.close();
      scan.add("event stream", JSON.stringify(events));
      assert.ok(events.some((e) => e.workflow === "leak-child"), "no child events were seen");
      scan.add("API trace files", bytesUnder(`${dir}/api-traces`));
      scan.add("API audit files", bytesUnder(`${dir}/api-audits`));
    });
    scan.assertClean();
  });

  it(
    "no raw secret or API token reaches the SQLite trace and audit stores",
    { skip: sqliteSkipReason ?? false },
    async () => {
      const dir = await tempDir();
      const scan = new Scan();
      await withProcessEnv(HOST_ENV, async () => {
        await scanCli(scan, "sqlite", dir, {
          trace: `sqlite:${dir}/traces.db`,
          audit: `sqlite:${dir}/audits.db`,
        });
      });
      scan.add("sqlite traces", sqliteBytes(`${dir}/traces.db`));
      scan.add("sqlite audits", sqliteBytes(`${dir}/audits.db`));
      scan.assertClean();
    },
  );

  it("no raw secret, API token or store password reaches the PostgreSQL stores", async () => {
    const dir = await tempDir();
    const db = await testDatabase();
    const password = decodeURIComponent(new URL(db.url).password);
    const scan = new Scan();
    try {
      // In the process environment too, so the stage that prints its environment would show it.
      await withProcessEnv({ ...HOST_ENV, WORKFLOW_STORE_URL: db.url }, async () => {
        await scanCli(scan, "postgres", dir, { trace: db.url, audit: db.url });
      });
      const sql = await openPostgres(db.url);
      try {
        for (const table of ["workflow_trace_records", "workflow_trace_runs", "workflow_audits"]) {
          const rows = await sql.query(`SELECT * FROM ${table}`);
          scan.add(`postgres ${table}`, JSON.stringify(rows), {
            masks: table !== "workflow_trace_runs",
          });
        }
      } finally {
        await sql.close();
      }
    } finally {
      await db.drop();
    }
    scan.assertClean([password]);
  });
});
