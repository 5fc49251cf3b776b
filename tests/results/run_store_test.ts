import { detectRuntime } from "../../src/runtime/mod.ts";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";
import { openSqliteDatabase } from "../../src/runtime/sqlite.ts";
import { FileRunStore } from "../../src/results/file_run_store.ts";
import { MemoryRunStore } from "../../src/results/memory_run_store.ts";
import { SqliteRunStore } from "../../src/results/sqlite_run_store.ts";
import { PostgresRunStore } from "../../src/results/postgres_run_store.ts";
import { openPostgres } from "../../src/runtime/postgres.ts";
import { testDatabase } from "../_postgres.ts";
import { sqliteSkipReason, tempDir } from "./_helpers.ts";
import { runStoreContract } from "./run_contract.ts";

runStoreContract("memory", () => Promise.resolve({ store: new MemoryRunStore() }));

runStoreContract("file on the in-memory runtime", () => {
  const { fs } = createMemoryRuntime();
  return Promise.resolve({
    store: new FileRunStore(fs, "/runs"),
    reopen: () => Promise.resolve(new FileRunStore(fs, "/runs")),
  });
}, { persistent: true });

runStoreContract("file on the host runtime", () => {
  const dir = tempDir();
  const { fs } = detectRuntime();
  return Promise.resolve({
    store: new FileRunStore(fs, `${dir.path}/runs`),
    reopen: () => Promise.resolve(new FileRunStore(fs, `${dir.path}/runs`)),
    dispose: dir.remove,
  });
}, { persistent: true });

runStoreContract("sqlite", async () => {
  const dir = tempDir();
  const path = `${dir.path}/runs.db`;
  return {
    store: new SqliteRunStore(await openSqliteDatabase(path)),
    reopen: async () => new SqliteRunStore(await openSqliteDatabase(path)),
    dispose: dir.remove,
  };
}, { persistent: true, skip: sqliteSkipReason });

runStoreContract("postgres", async () => {
  const db = await testDatabase();
  const open = async () => PostgresRunStore.open(await openPostgres(db.url));
  return { store: await open(), reopen: open, dispose: db.drop };
}, { persistent: true });
