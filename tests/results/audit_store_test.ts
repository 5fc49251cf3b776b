import { detectRuntime } from "../../src/runtime/mod.ts";
import { createMemoryRuntime } from "../../src/runtime/memory.ts";
import { openSqliteDatabase } from "../../src/runtime/sqlite.ts";
import { FileAuditStore } from "../../src/results/file_audit_store.ts";
import { MemoryAuditStore } from "../../src/results/memory_audit_store.ts";
import { SqliteAuditStore } from "../../src/results/sqlite_audit_store.ts";
import { openPostgres } from "../../src/runtime/postgres.ts";
import { PostgresAuditStore } from "../../src/results/postgres_audit_store.ts";
import { testDatabase } from "../_postgres.ts";
import { sqliteSkipReason, tempDir } from "./_helpers.ts";
import { auditStoreContract } from "./audit_contract.ts";

auditStoreContract("memory", () => Promise.resolve({ store: new MemoryAuditStore() }));

auditStoreContract("file on the in-memory runtime", () => {
  const { fs } = createMemoryRuntime();
  return Promise.resolve({
    store: new FileAuditStore(fs, "/audits"),
    reopen: () => Promise.resolve(new FileAuditStore(fs, "/audits")),
  });
}, { persistent: true });

auditStoreContract("file on the host runtime", () => {
  const dir = tempDir();
  const { fs } = detectRuntime();
  return Promise.resolve({
    store: new FileAuditStore(fs, `${dir.path}/audits`),
    reopen: () => Promise.resolve(new FileAuditStore(fs, `${dir.path}/audits`)),
    dispose: dir.remove,
  });
}, { persistent: true });

auditStoreContract("sqlite", async () => {
  const dir = tempDir();
  const path = `${dir.path}/audits.db`;
  return {
    store: new SqliteAuditStore(await openSqliteDatabase(path)),
    reopen: async () => new SqliteAuditStore(await openSqliteDatabase(path)),
    dispose: dir.remove,
  };
}, { persistent: true, skip: sqliteSkipReason });

auditStoreContract("postgres", async () => {
  const database = await testDatabase();
  const open = async () => PostgresAuditStore.open(await openPostgres(database.url));
  return { store: await open(), reopen: open, dispose: database.drop };
}, { persistent: true });
