// Shared helpers of the results tests (not a test file itself).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSqliteDriver } from "../../src/runtime/sqlite.ts";
import type { TraceRecord } from "../../src/results/trace_store.ts";

/** A fresh temporary folder (with `/` separators) and a function that removes it. */
export function tempDir(prefix = "wf-results-"): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix)).replaceAll("\\", "/");
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** `null` when SQLite works here, else why the SQLite cases are skipped. */
export const sqliteSkipReason: string | null = await loadSqliteDriver().then(
  () => null,
  (error: Error) => `no SQLite on this runtime: ${error.message}`,
);

/** A store under test; `reopen` (persistent stores) opens a second store on the same data. */
export interface StoreHandle<Store> {
  readonly store: Store;
  readonly reopen?: () => Promise<Store>;
  readonly dispose?: () => Promise<void> | void;
}

/** Options of a store contract suite: why it is skipped here, and whether its data outlives a
 * store (the reopen cases). */
export interface ContractOptions {
  readonly skip?: string | null;
  readonly persistent?: boolean;
}

/** Turns a contract case into a test body: a fresh store from `factory`, closed and disposed
 * after the case whatever its outcome. */
export function withStoreFrom<Store extends { close(): Promise<void> }>(
  factory: () => Promise<StoreHandle<Store>>,
): (test: (handle: StoreHandle<Store>) => Promise<void>) => () => Promise<void> {
  return (test) => async () => {
    const handle = await factory();
    try {
      await test(handle);
    } finally {
      await handle.store.close();
      await handle.dispose?.();
    }
  };
}

/** A trace record with sensible defaults. */
export function record(
  fields: Partial<TraceRecord> & { time: number; runId: string },
): TraceRecord {
  return { level: "info", workflow: "wf", message: "hello", ...fields };
}

/** run-start, a log line and (unless `end` is false) run-end records of one run. */
export function runRecords(
  runId: string,
  start: number,
  options: {
    end?: number | false;
    status?: TraceRecord["status"];
    parentRunId?: string;
    workflow?: string;
  } = {},
): TraceRecord[] {
  const base = {
    runId,
    workflow: options.workflow ?? "wf",
    ...(options.parentRunId === undefined ? {} : { parentRunId: options.parentRunId }),
  };
  const out: TraceRecord[] = [
    { ...base, time: start, level: "info", event: "run-start", message: `[WORKFLOW]: Start 'wf'` },
    { ...base, time: start + 1, level: "debug", job: "j", stage: "s", message: "working" },
  ];
  if (options.end !== false) {
    const end = options.end ?? start + 10;
    out.push({
      ...base,
      time: end,
      level: options.status === "FAILED" ? "error" : "info",
      event: "run-end",
      status: options.status ?? "SUCCESS",
      durationMs: end - start,
      message: `[WORKFLOW]: End 'wf' ${options.status ?? "SUCCESS"}`,
    });
  }
  return out;
}
