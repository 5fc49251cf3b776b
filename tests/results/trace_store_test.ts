import { detectRuntime } from "../../src/runtime/mod.ts";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";
import { openSqliteDatabase } from "../../src/runtime/sqlite.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import { SqliteTraceStore } from "../../src/results/sqlite_trace_store.ts";
import { openPostgres } from "../../src/runtime/postgres.ts";
import { PostgresTraceStore } from "../../src/results/postgres_trace_store.ts";
import { testDatabase } from "../_postgres.ts";
import { sqliteSkipReason, tempDir } from "./_helpers.ts";
import { traceStoreContract } from "./trace_contract.ts";

traceStoreContract("memory", () => Promise.resolve({ store: new MemoryTraceStore() }));

traceStoreContract("file on the in-memory runtime", () => {
  const { fs } = createMemoryRuntime();
  return Promise.resolve({
    store: new FileTraceStore(fs, "/logs"),
    reopen: () => Promise.resolve(new FileTraceStore(fs, "/logs")),
  });
}, { persistent: true });

traceStoreContract("file on the host runtime", () => {
  const dir = tempDir();
  const { fs } = detectRuntime();
  return Promise.resolve({
    store: new FileTraceStore(fs, `${dir.path}/logs`),
    reopen: () => Promise.resolve(new FileTraceStore(fs, `${dir.path}/logs`)),
    dispose: dir.remove,
  });
}, { persistent: true });

traceStoreContract("sqlite", async () => {
  const dir = tempDir();
  const path = `${dir.path}/traces.db`;
  return {
    store: new SqliteTraceStore(await openSqliteDatabase(path)),
    reopen: async () => new SqliteTraceStore(await openSqliteDatabase(path)),
    dispose: dir.remove,
  };
}, { persistent: true, skip: sqliteSkipReason });

traceStoreContract("postgres", async () => {
  const database = await testDatabase();
  const open = async () => PostgresTraceStore.open(await openPostgres(database.url));
  return { store: await open(), reopen: open, dispose: database.drop };
}, { persistent: true });
