/**
 * In-memory `AuditStore` for tests, edge runtimes and short-lived processes.
 *
 * @module
 */

import {
  type AuditRecord,
  type AuditStore,
  compareAudits,
  copyAudit,
  type ReleaseClaim,
} from "./audit_store.ts";
import { type CleanupOptions, type ListOptions, page } from "./trace_store.ts";

/** Keeps audits in memory; records are copied on write and on read. */
export class MemoryAuditStore implements AuditStore {
  #records: AuditRecord[] = [];
  readonly #claims = new Map<string, string>();

  /** Stores (or replaces) a record. */
  write(record: AuditRecord): Promise<void> {
    const copy = copyAudit(record);
    this.#records = this.#records.filter((r) =>
      !(r.workflow === copy.workflow && r.release === copy.release && r.runId === copy.runId)
    );
    this.#records.push(copy);
    return Promise.resolve();
  }

  /** Newest record of a release, or `null`. */
  find(workflow: string, release: number): Promise<AuditRecord | null> {
    const found = this.#records
      .filter((r) => r.workflow === workflow && r.release === release)
      .sort(compareAudits)[0];
    return Promise.resolve(found ? copyAudit(found) : null);
  }

  /** Whether the release has a record. */
  exists(workflow: string, release: number): Promise<boolean> {
    return Promise.resolve(
      this.#records.some((r) => r.workflow === workflow && r.release === release),
    );
  }

  /** Records, newest release first. */
  list(workflow?: string, options?: ListOptions): Promise<AuditRecord[]> {
    const selected = this.#records
      .filter((r) => workflow === undefined || r.workflow === workflow)
      .sort(compareAudits);
    return Promise.resolve(page(selected, options).map(copyAudit));
  }

  /** Workflow names, sorted. */
  listWorkflows(): Promise<string[]> {
    return Promise.resolve([...new Set(this.#records.map((r) => r.workflow))].sort());
  }

  /** Removes records written before `olderThan`. */
  cleanup(options: CleanupOptions): Promise<number> {
    const before = this.#records.length;
    this.#records = this.#records.filter((r) => r.createdAt >= options.olderThan);
    return Promise.resolve(before - this.#records.length);
  }

  /** Claims a release for `owner`: the first claim of it wins. */
  claim(workflow: string, release: number, owner: string): Promise<ReleaseClaim> {
    const key = JSON.stringify([workflow, release]);
    const holder = this.#claims.get(key);
    if (holder !== undefined) return Promise.resolve({ won: false, owner: holder });
    this.#claims.set(key, owner);
    return Promise.resolve({ won: true });
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
