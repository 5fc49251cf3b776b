/**
 * PostgreSQL access for the PostgreSQL stores: the {@linkcode SqlClient} port over the
 * `postgres` driver. This is the one module that loads the driver, and it does so on first use
 * (a dynamic import), so an engine without a `postgres://` store never loads it and the core
 * entry never reaches it.
 *
 * @module
 */

import { StoreError, UnsupportedError } from "../errors.ts";
import type { SqlClient, SqlQueryable, SqlRow, SqlValue } from "./sql.ts";

/** The part of the driver's API this module uses. */
interface DriverSql {
  unsafe(text: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  begin<T>(body: (tx: DriverSql) => Promise<T>): Promise<T>;
  listen(
    channel: string,
    onMessage: (payload: string) => void,
  ): Promise<{ unlisten(): Promise<void> }>;
  notify(channel: string, payload: string): Promise<unknown>;
  end(options?: { timeout?: number }): Promise<void>;
}

type DriverFactory = (url: string, options: Record<string, unknown>) => DriverSql;

/** Options of {@linkcode openPostgres}. */
export interface OpenPostgresOptions {
  /** Setting the URL came from, named in errors. @default "PostgreSQL URL" */
  readonly setting?: string;
  /** Most connections the pool opens. @default 10 */
  readonly maxConnections?: number;
  /** Seconds to wait for a connection before failing. @default 10 */
  readonly connectTimeoutSeconds?: number;
}

// The specifier sits in a variable so bundlers for the edge (which has no sockets) leave the
// driver out instead of failing on its `node:net` import.
const DRIVER = "postgres";

let driver: Promise<DriverFactory> | undefined;

function loadDriver(): Promise<DriverFactory> {
  driver ??= import(DRIVER).then(
    (module: { default?: unknown }) => {
      if (typeof module.default !== "function") {
        throw new UnsupportedError("the 'postgres' package does not export its client function");
      }
      return module.default as DriverFactory;
    },
    (error: unknown) => {
      driver = undefined;
      throw new UnsupportedError(
        `PostgreSQL stores need the 'postgres' package, which could not be loaded: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    },
  );
  return driver;
}

/** Why a connection failed, in words (driver codes and PostgreSQL SQLSTATEs). */
function describeFailure(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" && message !== "" ? message : String(error);
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused (is the server running, and on that host and port?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "unknown host";
    case "CONNECT_TIMEOUT":
      return "no answer before the connect timeout";
    case "28P01":
    case "28000":
      return `authentication failed: ${text}`;
    case "3D000":
      return `${text} (create it first, e.g. CREATE DATABASE)`;
    default:
      return text;
  }
}

/** Rows as a plain array (the driver's result is an array subclass with extra fields). */
function wrap(sql: DriverSql): SqlQueryable {
  return {
    query: async (text, params = []) => Array.from(await sql.unsafe(text, params as SqlValue[])),
  };
}

/**
 * Opens a connection pool to the PostgreSQL database at `url` (`postgres://user:password@host:
 * port/database`, or `postgresql://`; query parameters such as `sslmode=require` go to the
 * driver) and checks that it answers.
 *
 * @example
 * ```ts ignore
 * import { openPostgres } from "@ddeutil/workflow";
 * const client = await openPostgres("postgres://app:pw@localhost:5432/workflow");
 * console.log(await client.query("SELECT 1 AS one"));
 * await client.close();
 * ```
 *
 * @throws {StoreError} naming the setting and the URL (password hidden) when the server cannot
 *   be reached, refuses the credentials or has no such database.
 * @throws {UnsupportedError} when the driver cannot be loaded.
 */
export async function openPostgres(
  url: string,
  options: OpenPostgresOptions = {},
): Promise<SqlClient> {
  const setting = options.setting ?? "PostgreSQL URL";
  const password = safePassword(url);
  const hide = (text: string) => password ? text.replaceAll(password, "***") : text;
  const postgres = await loadDriver();
  let sql: DriverSql;
  try {
    sql = postgres(url, {
      max: options.maxConnections ?? 10,
      connect_timeout: options.connectTimeoutSeconds ?? 10,
      idle_timeout: 30,
      onnotice: () => {},
      // Statements are sent with their parameters each time: the stores build few distinct
      // statements, and unnamed ones keep working behind transaction-mode poolers.
      prepare: false,
    });
  } catch (error) {
    throw new StoreError(
      `${setting}: '${hideUrlPassword(url)}' is not a usable PostgreSQL URL: ${
        hide(describeFailure(error))
      }`,
    );
  }
  try {
    await sql.unsafe("SELECT 1");
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw new StoreError(
      `${setting}: cannot open the PostgreSQL store at '${hideUrlPassword(url)}': ${
        hide(describeFailure(error))
      }`,
    );
  }
  let closed: Promise<void> | undefined;
  return {
    query: wrap(sql).query,
    transaction: (body) => sql.begin((tx) => body(wrap(tx))),
    async listen(channel, onMessage) {
      const subscription = await sql.listen(channel, onMessage);
      return { close: () => subscription.unlisten() };
    },
    async notify(channel, payload) {
      await sql.notify(channel, payload);
    },
    close() {
      closed ??= sql.end({ timeout: 5 });
      return closed;
    },
  };
}

function safePassword(url: string): string {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : "";
  } catch {
    return "";
  }
}

/** `url` with its password as `***` (as `hideUrlPassword` in `src/util/secret_env.ts`, which
 * this layer cannot import). */
function hideUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:)[^/\s]*@/i, "$1***@");
}
