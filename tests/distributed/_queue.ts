// Helpers of the distributed tests (not a test file itself): a config folder with a 3-job
// workflow whose stages append side-effect lines to a marker file, a PostgreSQL database, and
// `workflow worker` processes on it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestDatabase, testDatabase } from "../_postgres.ts";
import { openPostgres } from "../../src/runtime/postgres.ts";
import { PostgresRunStore } from "../../src/results/postgres_run_store.ts";
import { type CliProcess, startCli, waitFor } from "../recovery/_process.ts";

export interface Queue {
  readonly dir: string;
  readonly marks: string;
  readonly db: TestDatabase;
  readonly store: PostgresRunStore;
  /** Env of every process: the stores in the test database. */
  readonly env: Record<string, string>;
  worker(args?: readonly string[]): Promise<CliProcess>;
  enqueue(
    workflow: string,
    runId: string,
    params?: Record<string, unknown>,
    labels?: string[],
  ): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * `three`: jobs first → second → third, each appending `<n> <job>` to the marker file; the
 * second sleeps `${{ params.pause }}` seconds first. `gpu-only`: one job on `runs-on` labels
 * [gpu]. `quick`: one echo stage.
 */
export async function setupQueue(): Promise<Queue> {
  const dir = mkdtempSync(join(tmpdir(), "wf-queue-")).replaceAll("\\", "/");
  mkdirSync(`${dir}/conf`);
  const marks = `${dir}/marks`;
  const mark = (job: string) => `echo "\${{ params.n }} ${job}" >> ${marks}`;
  writeFileSync(
    `${dir}/conf/three.yml`,
    `three:
  type: Workflow
  params:
    n: str
    pause:
      type: str
      default: "0"
  jobs:
    first:
      stages:
        - name: mark
          bash: '${mark("first")}'
    second:
      needs: [first]
      stages:
        - name: mark
          bash: 'sleep \${{ params.pause }}; ${mark("second")}'
    third:
      needs: [second]
      stages:
        - name: mark
          bash: '${mark("third")}'
gpu-only:
  type: Workflow
  params:
    n: str
  jobs:
    train:
      runs-on:
        type: self_hosted
        with:
          labels: [gpu]
      stages:
        - name: mark
          bash: '${mark("train")}'
quick:
  type: Workflow
  jobs:
    only:
      stages:
        - name: hello
          echo: hello
`,
  );
  const db = await testDatabase();
  const store = await PostgresRunStore.open(await openPostgres(db.url));
  const env = { WORKFLOW_STORE_URL: db.url, WORKFLOW_LOG_TRACE_ENABLE_WRITE: "true" };
  const started: CliProcess[] = [];
  return {
    dir,
    marks,
    db,
    store,
    env,
    async worker(args = []) {
      const worker = startCli(["worker", "--conf", `${dir}/conf`, "--poll", "1", ...args], env);
      started.push(worker);
      await waitFor(
        "the worker to start",
        () => worker.output().includes("concurrency"),
        30_000,
        worker.output,
      );
      return worker;
    },
    async enqueue(workflow, runId, params = {}, labels = []) {
      await store.enqueue({ runId, workflow, params, labels, queuedAt: Date.now() });
    },
    async dispose() {
      for (const worker of started) {
        if (worker.child.exitCode === null && worker.child.signalCode === null) {
          worker.child.kill("SIGKILL");
          await worker.exited;
        }
      }
      await store.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
