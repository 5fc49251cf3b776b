/**
 * SQLite access for the SQLite trace and audit stores, behind a tiny driver interface:
 * `node:sqlite` (`DatabaseSync`) on Deno 2 and Node ≥ 22.5, `bun:sqlite` on Bun. Node 20 has
 * neither, and opening a database there rejects with an `UnsupportedError`.
 *
 * @module
 */

import { UnsupportedError } from "../errors.ts";

/** Values SQLite binds and returns. */
export type SqliteValue = string | number | bigint | null | Uint8Array;

/** One open database (synchronous, like both underlying drivers). */
export interface SqliteDatabase {
  /** Runs one or more statements without parameters (DDL, pragmas, transactions). */
  exec(sql: string): void;
  /** Runs one statement with positional `?` parameters; returns the changed row count. */
  run(sql: string, params?: readonly SqliteValue[]): { changes: number };
  /** Runs a query with positional `?` parameters; returns every row as an object. */
  all(sql: string, params?: readonly SqliteValue[]): Record<string, SqliteValue>[];
  /** Closes the database. */
  close(): void;
}

/** Opens databases. */
export interface SqliteDriver {
  /** `"node:sqlite"` or `"bun:sqlite"`. */
  readonly name: string;
  /** Opens (creating when missing) the database file at `path`; `":memory:"` for a private
   * in-memory database. */
  open(path: string): SqliteDatabase;
}

interface Statement {
  run(...params: SqliteValue[]): { changes: number | bigint };
  all(...params: SqliteValue[]): unknown[];
}

interface NativeDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): Statement;
  close(): void;
}

type DatabaseConstructor = new (path: string, options?: Record<string, unknown>) => NativeDatabase;

function wrap(native: NativeDatabase): SqliteDatabase {
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, statement = native.prepare(sql));
    return statement;
  };
  return {
    exec(sql) {
      native.exec(sql);
    },
    run(sql, params = []) {
      const result = prepare(sql).run(...params);
      return { changes: Number(result?.changes ?? 0) };
    },
    all(sql, params = []) {
      return prepare(sql).all(...params) as Record<string, SqliteValue>[];
    },
    close() {
      statements.clear();
      native.close();
    },
  };
}

let cached: Promise<SqliteDriver> | undefined;

/**
 * Loads the SQLite driver of the current runtime (once).
 *
 * @throws {UnsupportedError} when the runtime has no SQLite module (Node < 22.5).
 */
export function loadSqliteDriver(): Promise<SqliteDriver> {
  cached ??= load();
  return cached;
}

async function load(): Promise<SqliteDriver> {
  const isBun = "Bun" in globalThis;
  const specifier = isBun ? "bun:sqlite" : "node:sqlite";
  let module: Record<string, unknown>;
  try {
    module = await import(specifier) as Record<string, unknown>;
  } catch (error) {
    throw new UnsupportedError(
      `SQLite stores need ${specifier}, which this runtime does not have ` +
        `(it comes with Deno 2, Bun and Node >= 22.5). Use a file store (a folder path) ` +
        `or "memory:" instead.`,
      { cause: error },
    );
  }
  const Database = (isBun ? module.Database : module.DatabaseSync) as
    | DatabaseConstructor
    | undefined;
  if (typeof Database !== "function") {
    throw new UnsupportedError(`${specifier} does not export a usable database class.`);
  }
  return {
    name: specifier,
    open(path) {
      return wrap(isBun ? new Database(path, { create: true }) : new Database(path));
    },
  };
}

/**
 * Opens a SQLite database with the runtime's driver, in WAL mode with a busy timeout so
 * several processes can share it.
 *
 * @throws {UnsupportedError} when the runtime has no SQLite module.
 */
export async function openSqliteDatabase(path: string): Promise<SqliteDatabase> {
  const driver = await loadSqliteDriver();
  const db = driver.open(path);
  if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}
