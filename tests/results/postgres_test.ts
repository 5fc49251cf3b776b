// What only the PostgreSQL stores do: migrations under an advisory lock, release claims across
// connections, clear errors without passwords, and selection through settings.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, StoreError } from "../../src/errors.ts";
import { openPostgres } from "../../src/runtime/postgres.ts";
import type { SqlClient } from "../../src/runtime/sql.ts";
import { PostgresAuditStore } from "../../src/results/postgres_audit_store.ts";
import {
  migratePostgres,
  POSTGRES_MIGRATIONS,
  type PostgresMigration,
} from "../../src/results/postgres_schema.ts";
import { PostgresTraceStore } from "../../src/results/postgres_trace_store.ts";
import { openStores, parseStoreUrl } from "../../src/results/stores.ts";
import { readSettings } from "../../src/settings.ts";
import { engineFor, runtimeWithEnv } from "../_helpers.ts";
import { freePort } from "../_postgres_server.mjs";
import { type TestDatabase, testDatabase } from "../_postgres.ts";

const LATEST = POSTGRES_MIGRATIONS.at(-1)!.version;

/** Runs `body` with a fresh database and a client on it, then drops both. */
async function withDatabase(body: (db: TestDatabase, sql: SqlClient) => Promise<void>) {
  const db = await testDatabase();
  const sql = await openPostgres(db.url);
  try {
    await body(db, sql);
  } finally {
    await sql.close();
    await db.drop();
  }
}

async function tables(sql: SqlClient): Promise<string[]> {
  const rows = await sql.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
     ORDER BY table_name`,
  );
  return rows.map((row) => String(row.table_name));
}

describe("PostgreSQL migrations", () => {
  it("six processes starting together migrate the database once", async () => {
    await withDatabase(async (db, sql) => {
      const clients = await Promise.all(Array.from({ length: 6 }, () => openPostgres(db.url)));
      try {
        const applied = await Promise.all(clients.map((client) => migratePostgres(client)));
        assert.deepEqual(
          applied.filter((versions) => versions.length > 0),
          [POSTGRES_MIGRATIONS.map((m) => m.version)],
          "exactly one migrator applied the migrations",
        );
      } finally {
        await Promise.all(clients.map((client) => client.close()));
      }
      const recorded = await sql.query(`SELECT version, name FROM workflow_migrations`);
      assert.deepEqual(
        recorded.map((row) => Number(row.version)),
        POSTGRES_MIGRATIONS.map((m) => m.version),
      );
      assert.deepEqual(await tables(sql), [
        "workflow_audits",
        "workflow_migrations",
        "workflow_release_claims",
        "workflow_run_jobs",
        "workflow_runs",
        "workflow_trace_records",
        "workflow_trace_runs",
      ]);
      assert.deepEqual(await migratePostgres(sql), [], "a migrated database is left alone");
    });
  });

  it("a failing migration keeps nothing of itself and says which one failed", async () => {
    await withDatabase(async (_db, sql) => {
      await migratePostgres(sql);
      const broken: PostgresMigration = {
        version: LATEST + 1,
        name: "half done",
        statements: [`CREATE TABLE workflow_half (id INT)`, `ALTER TABLE nowhere ADD x INT`],
      };
      await assert.rejects(
        migratePostgres(sql, [...POSTGRES_MIGRATIONS, broken]),
        (error: unknown) => {
          assert.ok(error instanceof StoreError);
          assert.match(error.message, new RegExp(`migration ${LATEST + 1} \\(half done\\) failed`));
          assert.match(error.message, /nowhere/);
          return true;
        },
      );
      assert.ok(!(await tables(sql)).includes("workflow_half"), "the first statement rolled back");
      const versions = await sql.query(`SELECT max(version) AS v FROM workflow_migrations`);
      assert.equal(Number(versions[0].v), LATEST);
    });
  });

  it("refuses a database migrated by a newer engine", async () => {
    await withDatabase(async (_db, sql) => {
      await migratePostgres(sql);
      await sql.query(`INSERT INTO workflow_migrations (version, name) VALUES ($1, 'future')`, [
        LATEST + 5,
      ]);
      await assert.rejects(
        PostgresTraceStore.open(sql),
        new RegExp(`schema version ${LATEST + 5}, newer than this engine knows \\(${LATEST}\\)`),
      );
    });
  });
});

describe("PostgresAuditStore.claim()", () => {
  it("lets exactly one of many connections claim a release, the others learn the winner", async () => {
    await withDatabase(async (db) => {
      const stores = await Promise.all(
        Array.from({ length: 8 }, async () => PostgresAuditStore.open(await openPostgres(db.url))),
      );
      try {
        const release = Date.UTC(2024, 0, 1, 8);
        const claims = await Promise.all(
          stores.map((store, i) => store.claim("daily", release, `scheduler-${i}`)),
        );
        const winners = claims.flatMap((claim, i) => claim.won ? [`scheduler-${i}`] : []);
        assert.equal(winners.length, 1, JSON.stringify(claims));
        for (const claim of claims) {
          if (!claim.won) assert.equal(claim.owner, winners[0]);
        }
        // Another release, or another workflow at the same time, is a separate claim.
        assert.deepEqual(await stores[0].claim("daily", release + 60_000, "late"), { won: true });
        assert.deepEqual(await stores[1].claim("hourly", release, "other"), { won: true });
        assert.deepEqual(await stores[2].claim("daily", release, "again"), {
          won: false,
          owner: winners[0],
        });
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });
  });
});

describe("PostgreSQL store errors", () => {
  let db: TestDatabase;
  before(async () => db = await testDatabase());
  after(() => db.drop());

  const withPassword = (url: string, password: string) => {
    const parsed = new URL(url);
    parsed.password = password;
    return parsed.href;
  };

  it("a wrong password names the setting, never the password", async () => {
    const url = withPassword(db.url, "not-the-Secret-42");
    await assert.rejects(
      openStores({ fs: undefined!, cwd: () => "/" }, {
        traceUrl: url,
        traceSetting: "WORKFLOW_STORE_URL",
      }),
      (error: unknown) => {
        assert.ok(error instanceof StoreError);
        assert.match(error.message, /^WORKFLOW_STORE_URL: cannot open the PostgreSQL store at/);
        assert.match(error.message, /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
        assert.match(error.message, /authentication failed/);
        assert.doesNotMatch(error.message, /not-the-Secret-42/);
        return true;
      },
    );
  });

  it("an unreachable server says connection refused, password hidden", async () => {
    const url = `postgres://app:Hidden-pw-7@127.0.0.1:${await freePort()}/workflow`;
    await assert.rejects(openPostgres(url, { setting: "WORKFLOW_LOG_AUDIT_URL" }), (error) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /^WORKFLOW_LOG_AUDIT_URL: cannot open the PostgreSQL store/);
      assert.match(error.message, /connection refused/);
      assert.doesNotMatch(error.message, /Hidden-pw-7/);
      return true;
    });
  });

  it("a database that does not exist is named", async () => {
    const url = new URL(db.url);
    url.pathname = "/no_such_db";
    await assert.rejects(openPostgres(url.href, { setting: "settings.auditUrl" }), (error) => {
      assert.match(String(error), /settings\.auditUrl: .*no_such_db.*does not exist/);
      return true;
    });
  });

  it("malformed PostgreSQL URLs are a ConfigError naming the setting, password hidden", () => {
    const cases: [string, RegExp][] = [
      ["postgres://app:p@ss:w0rd@db:5432:1/workflow", /is not a valid PostgreSQL URL/],
      ["postgres://app:Top-Secret@db.example.com:5432", /names no database/],
      ["postgres://app:Top-Secret@db.example.com:99999/wf", /is not a valid PostgreSQL URL/],
    ];
    for (const [url, problem] of cases) {
      assert.throws(() => parseStoreUrl(url, "WORKFLOW_STORE_URL"), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, /^WORKFLOW_STORE_URL: /);
        assert.match(error.message, problem);
        assert.doesNotMatch(error.message, /Top-Secret|w0rd/);
        return true;
      });
    }
    assert.deepEqual(parseStoreUrl("postgresql://app:pw@db:5432/wf?sslmode=require"), {
      kind: "postgres",
      url: "postgresql://app:pw@db:5432/wf?sslmode=require",
    });
  });

  it("a bad WORKFLOW_STORE_URL is reported at start-up by readSettings", () => {
    assert.throws(
      () =>
        readSettings((name) =>
          name === "WORKFLOW_STORE_URL" ? "postgres://app:Sekrit-1@db:5432" : undefined
        ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /WORKFLOW_STORE_URL: .*names no database/);
        assert.doesNotMatch(error.message, /Sekrit-1/);
        return true;
      },
    );
  });
});

describe("choosing PostgreSQL stores", () => {
  const YAML = `
hello:
  type: Workflow
  jobs:
    only:
      stages:
        - name: Say
          echo: hi
`;

  it("WORKFLOW_STORE_URL puts traces and audits in one database, shared by one pool", async () => {
    await withDatabase(async (db, sql) => {
      const runtime = runtimeWithEnv({ WORKFLOW_STORE_URL: db.url });
      const settings = readSettings((name) => runtime.env.get(name));
      assert.equal(settings.traceUrl, db.url);
      assert.equal(settings.auditUrl, db.url);
      const engine = await engineFor(YAML, { runtime });
      try {
        const result = await engine.execute("hello", {});
        assert.equal(result.status, "SUCCESS");
        await engine.tracesWritten(result.runId);
        await engine.audits!.write({
          workflow: "hello",
          release: 0,
          type: "normal",
          runId: result.runId,
          status: result.status,
          context: { jobs: { only: { status: "SUCCESS" } } },
          durationMs: 1,
          createdAt: 1,
        });
      } finally {
        await engine.close();
      }
      const runs = await sql.query(`SELECT run_id, status FROM workflow_trace_runs`);
      assert.equal(runs.length, 1);
      assert.equal(runs[0].status, "SUCCESS");
      const audits = await sql.query(
        `SELECT workflow, context->'jobs'->'only'->>'status' AS job FROM workflow_audits`,
      );
      assert.deepEqual(audits, [{ workflow: "hello", job: "SUCCESS" }], "context is JSON data");
      const records = await sql.query(
        `SELECT count(*)::int AS n, count(DISTINCT run_id)::int AS runs FROM workflow_trace_records`,
      );
      assert.ok(Number(records[0].n) > 2 && records[0].runs === 1, JSON.stringify(records));
    });
  });

  it("a store's own URL wins over WORKFLOW_STORE_URL, and code wins over both", () => {
    const env: Record<string, string> = {
      WORKFLOW_STORE_URL: "postgres://app:pw@db:5432/all",
      WORKFLOW_LOG_AUDIT_URL: "sqlite:./audits.db",
    };
    const fromEnv = readSettings((name) => env[name]);
    assert.equal(fromEnv.traceUrl, env.WORKFLOW_STORE_URL);
    assert.equal(fromEnv.auditUrl, "sqlite:./audits.db");
    const inCode = readSettings((name) => env[name], {
      storeUrl: "postgres://app:pw@db:5432/code",
      traceUrl: "memory:",
    });
    assert.equal(inCode.traceUrl, "memory:");
    assert.equal(inCode.auditUrl, "postgres://app:pw@db:5432/code");
    const off = readSettings((name) =>
      ({ ...env, WORKFLOW_LOG_TRACE_ENABLE_WRITE: "false" })[name]
    );
    assert.equal(off.traceUrl, null, "writing switched off stays off");
  });

  it("an engine whose store server refuses its password fails at create, naming the setting", async () => {
    await withDatabase(async (db) => {
      const url = new URL(db.url);
      url.password = "Wrong-Pass-99";
      const runtime = runtimeWithEnv({ WORKFLOW_STORE_URL: url.href });
      await assert.rejects(engineFor(YAML, { runtime }), (error: unknown) => {
        assert.ok(error instanceof StoreError);
        assert.match(error.message, /^WORKFLOW_STORE_URL: cannot open the PostgreSQL store/);
        assert.doesNotMatch(error.message, /Wrong-Pass-99/);
        return true;
      });
      await assert.rejects(
        engineFor(YAML, { runtime, settings: { storeUrl: url.href } }),
        /^StoreError: settings\.storeUrl: cannot open/,
      );
    });
  });
});

describe("SqlClient notifications", () => {
  it("listen() receives what notify() sends from another pool, once committed", async () => {
    await withDatabase(async (db, sql) => {
      const other = await openPostgres(db.url);
      const got: string[] = [];
      let arrived!: () => void;
      const second = new Promise<void>((resolve) => arrived = resolve);
      const subscription = await sql.listen("workflow_test", (payload) => {
        got.push(payload);
        if (got.length === 2) arrived();
      });
      try {
        await other.notify("workflow_test", "run-1");
        await other.transaction(async (tx) => {
          await tx.query(`SELECT pg_notify('workflow_test', 'run-2')`);
        });
        await second;
        assert.deepEqual(got, ["run-1", "run-2"]);
      } finally {
        await subscription.close();
        await other.close();
      }
    });
  });
});
