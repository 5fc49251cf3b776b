/**
 * Chooses trace, audit and run stores from config values: a folder path → file store,
 * `memory:` → memory store, `sqlite:<file>` → SQLite store, `postgres://…` → PostgreSQL store.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { Runtime, RuntimeEnv } from "../runtime/types.ts";
import type { SqliteDatabase } from "../runtime/sqlite.ts";
import type { SqlClient } from "../runtime/sql.ts";
import type { OpenPostgresOptions } from "../runtime/postgres.ts";
import { hideUrlPassword } from "../util/secret_env.ts";
import { joinPath } from "./_fs.ts";
import type { AuditRecord, AuditStore } from "./audit_store.ts";
import type { TraceRecord, TraceStore } from "./trace_store.ts";
import type { RunStore } from "./run_store.ts";
import { readBooleanSetting } from "../util/bool.ts";

/** Where a store lives, parsed from a store URL. */
export type StoreLocation =
  | { readonly kind: "memory" }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string };

/** Text listing the store URL forms, for error messages. */
const FORMS = "a folder path, 'memory:', 'sqlite:<file>' or 'postgres://user:password@host/db'";

const issue = (setting: string | undefined, message: string) =>
  new ConfigError([setting ? { path: setting, message } : { message }]);

/**
 * Parses a store URL:
 * - `memory:` → in-memory store;
 * - `sqlite:<file>` (e.g. `sqlite:./workflow.db`, `sqlite::memory:`) → SQLite store;
 * - `postgres://user:password@host:5432/database` (or `postgresql://`) → PostgreSQL store;
 * - `file:<path>`, `file:///abs/path` or a plain path (`./logs`) → file store;
 * - `{"type": "file"|"sqlite"|"memory", "path": "..."}` (the reference's JSON form).
 *
 * @param setting name of the setting it came from, used in error messages
 * @throws {ConfigError} for an empty value, an unknown scheme or a malformed PostgreSQL URL
 *   (the message never shows the URL's password).
 */
export function parseStoreUrl(value: string, setting?: string): StoreLocation {
  const text = value.trim();
  if (text === "") {
    throw issue(setting, `store URL is empty: use ${FORMS}`);
  }
  if (text.startsWith("{")) return parseJsonLocation(text, setting);
  if (text === "memory:" || text === "memory://") return { kind: "memory" };
  if (text.startsWith("sqlite:")) {
    const path = text.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") {
      throw issue(setting, `'${text}' names no database file: use 'sqlite:./workflow.db'`);
    }
    return { kind: "sqlite", path };
  }
  if (/^postgres(?:ql)?:/i.test(text)) {
    return { kind: "postgres", url: checkPostgresUrl(text, setting) };
  }
  if (text.startsWith("file://")) {
    return { kind: "file", path: decodeURIComponent(new URL(text).pathname) };
  }
  if (text.startsWith("file:")) return { kind: "file", path: text.slice("file:".length) };
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(text);
  if (scheme) {
    throw issue(
      setting,
      `unsupported store URL scheme '${scheme[1]}:' in '${hideUrlPassword(text)}': use ${FORMS}`,
    );
  }
  return { kind: "file", path: text };
}

/** `text` when it is a usable PostgreSQL URL, else a {@linkcode ConfigError} (password hidden). */
function checkPostgresUrl(text: string, setting: string | undefined): string {
  const shown = hideUrlPassword(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw issue(
      setting,
      `'${shown}' is not a valid PostgreSQL URL: use postgres://user:password@host:5432/database ` +
        `(percent-encode special characters in the password)`,
    );
  }
  if (url.pathname.replace(/^\//, "") === "") {
    throw issue(
      setting,
      `'${shown}' names no database: add it, e.g. postgres://…@${url.host}/workflow`,
    );
  }
  return text;
}

function parseJsonLocation(text: string, setting: string | undefined): StoreLocation {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw issue(setting, `store URL '${text}' is not valid JSON`);
  }
  const { type, path } = (data ?? {}) as { type?: unknown; path?: unknown };
  if (type === "memory") return { kind: "memory" };
  if ((type === "file" || type === "sqlite") && typeof path === "string" && path !== "") {
    return { kind: type, path };
  }
  throw issue(
    setting,
    `store URL '${text}' needs "type" of "file", "sqlite" or "memory" and, for file and ` +
      `sqlite, a non-empty "path"`,
  );
}

/** What the stores need of a run's `Masker`: secret values → `***` in text and in data. */
export interface StoreMasker {
  /** How many secret values it knows (0: nothing to mask). */
  readonly size: number;
  /** `text` with every known secret replaced. */
  mask(text: string): string;
  /** A copy of `value` with every string (keys included) masked. */
  maskValue<T>(value: T): T;
}

/** Options of {@linkcode openStores}. */
export interface OpenStoresOptions {
  /** Trace store URL; absent → no trace store. */
  readonly traceUrl?: string;
  /** Audit store URL; absent → no audit store. */
  readonly auditUrl?: string;
  /** Run store URL; absent → no run store. */
  readonly runUrl?: string;
  /** Masks every trace message and audit context on write. */
  readonly masker?: StoreMasker;
  /** Opens SQLite databases. @default `openSqliteDatabase` from `src/runtime/sqlite.ts` */
  readonly openSqlite?: (path: string) => Promise<SqliteDatabase>;
  /** Opens PostgreSQL connection pools. @default `openPostgres` from `src/runtime/postgres.ts` */
  readonly openPostgres?: (url: string, options: OpenPostgresOptions) => Promise<SqlClient>;
  /** Name of the setting the trace URL came from, for error messages. @default "traceUrl" */
  readonly traceSetting?: string;
  /** Name of the setting the audit URL came from, for error messages. @default "auditUrl" */
  readonly auditSetting?: string;
  /** Name of the setting the run store URL came from, for error messages. @default "runUrl" */
  readonly runSetting?: string;
}

/** The stores {@linkcode openStores} opened. */
export interface Stores {
  /** Trace store, or `null` when no trace URL was given. */
  readonly trace: TraceStore | null;
  /** Audit store, or `null` when no audit URL was given. */
  readonly audit: AuditStore | null;
  /** Run store, or `null` when no run URL was given. */
  readonly run: RunStore | null;
  /** Closes the stores. */
  close(): Promise<void>;
}

/**
 * Opens the trace, audit and run stores named by `options`. Relative paths resolve against the
 * runtime's working folder. With the runtime's `clock`, a file trace store reuses its run
 * folder listing while nothing there changed.
 *
 * @throws {ConfigError} for a malformed URL.
 * @throws {UnsupportedError} for a SQLite URL on a runtime without SQLite (Node 20).
 */
export async function openStores(
  runtime: Pick<Runtime, "fs" | "cwd"> & Partial<Pick<Runtime, "clock">>,
  options: OpenStoresOptions = {},
): Promise<Stores> {
  // Each store's module is imported when a URL names it, so an engine without stores (the
  // CLI running one workflow) loads none of them.
  const openSqlite = options.openSqlite ??
    (async (path: string) => (await import("../runtime/sqlite.ts")).openSqliteDatabase(path));
  const sqlitePath = (path: string) =>
    path === ":memory:" || path.startsWith("/") || /^[a-zA-Z]:[\\/]/.test(path)
      ? path
      : joinPath(runtime.cwd(), path.replace(/^\.\//, ""));
  const postgres = sharedPostgres(options.openPostgres);
  const traceSetting = options.traceSetting ?? "traceUrl";
  const auditSetting = options.auditSetting ?? "auditUrl";
  const runSetting = options.runSetting ?? "runUrl";

  let trace: TraceStore | null = null;
  if (options.traceUrl !== undefined) {
    const location = parseStoreUrl(options.traceUrl, traceSetting);
    trace = location.kind === "memory"
      ? new (await import("./memory_trace_store.ts")).MemoryTraceStore()
      : location.kind === "file"
      ? new (await import("./file_trace_store.ts")).FileTraceStore(runtime.fs, location.path, {
        clock: runtime.clock,
      })
      : location.kind === "sqlite"
      ? new (await import("./sqlite_trace_store.ts")).SqliteTraceStore(
        await openSqlite(sqlitePath(location.path)),
      )
      : await withClient(
        await postgres(location.url, traceSetting),
        async (client) =>
          (await import("./postgres_trace_store.ts")).PostgresTraceStore.open(client),
      );
    if (options.masker) trace = maskTraceStore(trace, options.masker);
  }
  let audit: AuditStore | null = null;
  if (options.auditUrl !== undefined) {
    try {
      const location = parseStoreUrl(options.auditUrl, auditSetting);
      audit = location.kind === "memory"
        ? new (await import("./memory_audit_store.ts")).MemoryAuditStore()
        : location.kind === "file"
        ? new (await import("./file_audit_store.ts")).FileAuditStore(runtime.fs, location.path)
        : location.kind === "sqlite"
        ? new (await import("./sqlite_audit_store.ts")).SqliteAuditStore(
          await openSqlite(sqlitePath(location.path)),
        )
        : await withClient(
          await postgres(location.url, auditSetting),
          async (client) =>
            (await import("./postgres_audit_store.ts")).PostgresAuditStore.open(client),
        );
    } catch (error) {
      await trace?.close();
      throw error;
    }
    if (options.masker) audit = maskAuditStore(audit, options.masker);
  }
  let run: RunStore | null = null;
  if (options.runUrl !== undefined) {
    try {
      const location = parseStoreUrl(options.runUrl, runSetting);
      run = location.kind === "memory"
        ? new (await import("./memory_run_store.ts")).MemoryRunStore()
        : location.kind === "file"
        ? new (await import("./file_run_store.ts")).FileRunStore(runtime.fs, location.path)
        : location.kind === "sqlite"
        ? new (await import("./sqlite_run_store.ts")).SqliteRunStore(
          await openSqlite(sqlitePath(location.path)),
        )
        : await withClient(
          await postgres(location.url, runSetting),
          async (client) => (await import("./postgres_run_store.ts")).PostgresRunStore.open(client),
        );
    } catch (error) {
      await Promise.all([trace?.close(), audit?.close()]);
      throw error;
    }
  }
  return {
    trace,
    audit,
    run,
    async close() {
      await Promise.all([trace?.close(), audit?.close(), run?.close()]);
    },
  };
}

/** `open(client)`, closing `client` when that fails (a store owns its client once open). */
async function withClient<T>(
  client: SqlClient,
  open: (client: SqlClient) => Promise<T>,
): Promise<T> {
  try {
    return await open(client);
  } catch (error) {
    await client.close();
    throw error;
  }
}

/**
 * Opens PostgreSQL pools so that stores on the same URL share one pool (closed when the last
 * of them closes it), e.g. the trace and audit stores of one `WORKFLOW_STORE_URL`.
 */
function sharedPostgres(
  open: OpenStoresOptions["openPostgres"],
): (url: string, setting: string) => Promise<SqlClient> {
  const pools = new Map<string, { client: Promise<SqlClient>; users: number }>();
  return async (url, setting) => {
    let pool = pools.get(url);
    if (!pool) {
      const opener = open ??
        (async (url: string, options: OpenPostgresOptions) =>
          (await import("../runtime/postgres.ts")).openPostgres(url, options));
      pool = { client: opener(url, { setting }), users: 0 };
      pools.set(url, pool);
    }
    pool.users++;
    const client = await pool.client;
    const shared = pool;
    let closed = false;
    return {
      query: (text, params) => client.query(text, params),
      transaction: (body) => client.transaction(body),
      listen: (channel, onMessage) => client.listen(channel, onMessage),
      notify: (channel, payload) => client.notify(channel, payload),
      close: async () => {
        if (closed) return;
        closed = true;
        if (--shared.users === 0) {
          pools.delete(url);
          await client.close();
        }
      },
    };
  };
}

/** A trace store that masks every message with `masker` before writing to `store`. */
export function maskTraceStore(store: TraceStore, masker: StoreMasker): TraceStore {
  return {
    write(records: readonly TraceRecord[]) {
      if (masker.size === 0) return store.write(records);
      return store.write(
        records.map((record) => ({ ...record, message: masker.mask(record.message) })),
      );
    },
    listRuns: (options) => store.listRuns(options),
    getTrace: (runId) => store.getTrace(runId),
    cleanup: (options) => store.cleanup(options),
    flush: () => store.flush(),
    close: () => store.close(),
  };
}

/** An audit store that masks every context before writing to `store`. */
export function maskAuditStore(store: AuditStore, masker: StoreMasker): AuditStore {
  return {
    write(record: AuditRecord) {
      if (masker.size === 0) return store.write(record);
      return store.write({ ...record, context: masker.maskValue(record.context) });
    },
    find: (workflow, release) => store.find(workflow, release),
    exists: (workflow, release) => store.exists(workflow, release),
    claim: (workflow, release, owner) => store.claim(workflow, release, owner),
    list: (workflow, options) => store.list(workflow, options),
    listWorkflows: () => store.listWorkflows(),
    cleanup: (options) => store.cleanup(options),
    close: () => store.close(),
  };
}

/** The variable that sets every store whose own `WORKFLOW_LOG_<kind>_URL` is unset. */
export const STORE_URL_ENV = "WORKFLOW_STORE_URL";

/**
 * Where one store lives, from `WORKFLOW_LOG_<kind>_ENABLE_WRITE` (default: on when a URL is
 * set), `WORKFLOW_LOG_<kind>_URL`, else `WORKFLOW_STORE_URL`, else `WORKFLOW_LOG_<kind>_PATH`
 * (default `./logs` for traces, `./audits` for audits, `./runs` for run records); `undefined`
 * when writing is off.
 *
 * @param kind Which store.
 * @param get Looks up an environment variable.
 * @throws {ConfigError} naming the variable, for a bad boolean, an empty path or a malformed URL.
 */
export function storeUrlFromEnv(
  kind: "TRACE" | "AUDIT" | "RUN",
  get: (name: string) => string | undefined,
): string | undefined {
  const urlName = storeUrlEnvName(kind, get);
  const pathName = `WORKFLOW_LOG_${kind}_PATH`;
  const url = urlName === undefined ? undefined : get(urlName);
  const enableName = `WORKFLOW_LOG_${kind}_ENABLE_WRITE`;
  const enabled = readBooleanSetting(enableName, get(enableName)) ?? url !== undefined;
  if (!enabled) return undefined;
  if (url !== undefined && urlName !== undefined) {
    parseStoreUrl(url, urlName);
    return url;
  }
  const path = get(pathName) ?? DEFAULT_PATHS[kind];
  if (path.trim() === "") throw issue(pathName, "is empty: give a folder path");
  return path;
}

const DEFAULT_PATHS = { TRACE: "./logs", AUDIT: "./audits", RUN: "./runs" } as const;

/**
 * The variable a store's URL comes from: `WORKFLOW_LOG_<kind>_URL` when set, else
 * `WORKFLOW_STORE_URL` when set, else `undefined` (a folder path or nothing).
 */
export function storeUrlEnvName(
  kind: "TRACE" | "AUDIT" | "RUN",
  get: (name: string) => string | undefined,
): string | undefined {
  const own = `WORKFLOW_LOG_${kind}_URL`;
  if (get(own) !== undefined) return own;
  if (get(STORE_URL_ENV) !== undefined) return STORE_URL_ENV;
  return undefined;
}

/** Store settings read from the environment. */
export interface StoreSettings {
  /** Trace store URL when trace writing is on. */
  readonly traceUrl?: string;
  /** Audit store URL when audit writing is on. */
  readonly auditUrl?: string;
  /** Run store URL when run records are on. */
  readonly runUrl?: string;
}

/**
 * Reads store settings from `WORKFLOW_LOG_*` variables and `WORKFLOW_STORE_URL`:
 * - `WORKFLOW_LOG_TRACE_ENABLE_WRITE` (default: on when a trace URL is set, else off),
 *   `WORKFLOW_LOG_TRACE_URL`, else `WORKFLOW_STORE_URL`, else `WORKFLOW_LOG_TRACE_PATH`
 *   (default `./logs`);
 * - `WORKFLOW_LOG_AUDIT_ENABLE_WRITE` (same rule), `WORKFLOW_LOG_AUDIT_URL`, else
 *   `WORKFLOW_STORE_URL`, else `WORKFLOW_LOG_AUDIT_PATH` (default `./audits`);
 * - `WORKFLOW_LOG_RUN_ENABLE_WRITE` (same rule), `WORKFLOW_LOG_RUN_URL`, else
 *   `WORKFLOW_STORE_URL`, else `WORKFLOW_LOG_RUN_PATH` (default `./runs`).
 *
 * @throws {ConfigError} naming the variable, for a bad boolean or a malformed URL.
 */
export function storesFromEnv(
  env: RuntimeEnv | Readonly<Record<string, string | undefined>>,
): StoreSettings {
  const get = typeof env.get === "function"
    ? (name: string) => (env as RuntimeEnv).get(name)
    : (name: string) => (env as Readonly<Record<string, string | undefined>>)[name];
  const traceUrl = storeUrlFromEnv("TRACE", get);
  const auditUrl = storeUrlFromEnv("AUDIT", get);
  const runUrl = storeUrlFromEnv("RUN", get);
  return {
    ...(traceUrl === undefined ? {} : { traceUrl }),
    ...(auditUrl === undefined ? {} : { auditUrl }),
    ...(runUrl === undefined ? {} : { runUrl }),
  };
}
