// PostgreSQL for the tests (not a test file itself): a fresh database per call of
// `testDatabase()`, on the server that scripts/test_all.mjs started for the whole run
// (`WF_TEST_POSTGRES_URL`), or, when a file runs on its own, on a server this process
// starts once and stops when it exits.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { openPostgres } from "../src/runtime/postgres.ts";

/** Environment variable holding the admin URL of a server started for the whole run. Not a
 * `WORKFLOW_*` name: the engine treats those holding a URL with a password as its own
 * credentials, masking them in every run. */
export const TEST_POSTGRES_ENV = "WF_TEST_POSTGRES_URL";

let ownServer: Promise<string> | undefined;

/** Admin URL (database `postgres`) of the test server, starting one when none was given. */
export function testServerUrl(): Promise<string> {
  const given = process.env[TEST_POSTGRES_ENV];
  if (given) return Promise.resolve(given);
  ownServer ??= startOwnServer();
  return ownServer;
}

/** Starts a supervisor process that runs a server for as long as this process lives. */
async function startOwnServer(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "wf-pg-url-"));
  const urlFile = join(dir, "url");
  const script = new URL("./_postgres_supervisor.mjs", import.meta.url).pathname;
  const args = "Deno" in globalThis ? ["run", "-A", script] : [script];
  const child = spawn(process.execPath, [...args, String(process.pid), urlFile], {
    stdio: "ignore",
  });
  child.unref();
  try {
    // initdb and start take about a second; allow a loaded machine a minute.
    for (let waited = 0; !existsSync(urlFile); waited += 50) {
      if (waited > 60_000 || child.exitCode !== null) {
        throw new Error(`the test PostgreSQL server did not start (exit code ${child.exitCode})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return readFileSync(urlFile, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A database made for one test. */
export interface TestDatabase {
  /** Its URL, with the password. */
  readonly url: string;
  /** Its name. */
  readonly name: string;
  /** Drops it (closing whatever is still connected). */
  drop(): Promise<void>;
}

let counter = 0;

/** Creates an empty database on the test server. */
export async function testDatabase(): Promise<TestDatabase> {
  const adminUrl = await testServerUrl();
  const name = `wf_test_${process.pid}_${Date.now().toString(36)}_${++counter}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    drop: () => admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(url: string, statement: string): Promise<void> {
  const client = await openPostgres(url, { maxConnections: 1 });
  try {
    await client.query(statement);
  } finally {
    await client.close();
  }
}
