/**
 * File `AuditStore`:
 * `<root>/workflow=<name>/release=<YYYYmmddHHMMSS, UTC>/<run id>.json`, each file written
 * atomically (temporary file + rename), so readers never see a half-written audit.
 *
 * @module
 */

import type { Status } from "../models/types.ts";
import type { RuntimeFs } from "../runtime/types.ts";
import { joinPath, listDirs, listFileNames, readTextOrNull } from "./_fs.ts";
import {
  type AuditRecord,
  type AuditStore,
  compareAudits,
  type ReleaseClaim,
  type ReleaseType,
} from "./audit_store.ts";
import { type CleanupOptions, type ListOptions, page } from "./trace_store.ts";

const WORKFLOW_PREFIX = "workflow=";
const RELEASE_PREFIX = "release=";

/** `YYYYmmddHHMMSS` of an epoch-ms time, in UTC (the release folder name). */
export function formatReleaseKey(release: number): string {
  return new Date(release).toISOString().slice(0, 19).replace(/[-T:]/g, "");
}

/** JSON form of an audit (snake_case, ISO times): on disk and in API answers. */
export interface AuditFile {
  workflow: string;
  release: string;
  type: ReleaseType;
  run_id: string;
  parent_run_id: string | null;
  status: Status;
  duration_ms: number;
  created_at: string;
  context: Record<string, unknown>;
}

/** The JSON form of an audit record. */
export function auditToJson(record: AuditRecord): AuditFile {
  return {
    workflow: record.workflow,
    release: new Date(record.release).toISOString(),
    type: record.type,
    run_id: record.runId,
    parent_run_id: record.parentRunId ?? null,
    status: record.status,
    duration_ms: record.durationMs,
    created_at: new Date(record.createdAt).toISOString(),
    context: record.context,
  };
}

function fromFile(data: AuditFile): AuditRecord | null {
  const release = Date.parse(data.release);
  const createdAt = Date.parse(data.created_at);
  if (typeof data.workflow !== "string" || typeof data.run_id !== "string") return null;
  if (Number.isNaN(release) || Number.isNaN(createdAt)) return null;
  return {
    workflow: data.workflow,
    release,
    type: data.type,
    runId: data.run_id,
    ...(data.parent_run_id == null ? {} : { parentRunId: data.parent_run_id }),
    status: data.status,
    context: data.context ?? {},
    durationMs: data.duration_ms,
    createdAt,
  };
}

/** A release folder on disk. */
interface ReleaseFolder {
  readonly workflow: string;
  readonly key: string;
  readonly path: string;
}

/** Writes audits below a root folder through the runtime's filesystem. */
export class FileAuditStore implements AuditStore {
  readonly #fs: RuntimeFs;
  readonly #root: string;

  /** Stores audits below `root` (e.g. `./audits`) through `fs`. */
  constructor(fs: RuntimeFs, root: string) {
    this.#fs = fs;
    this.#root = root;
  }

  #workflowPath(workflow: string): string {
    return joinPath(this.#root, WORKFLOW_PREFIX + encodeURIComponent(workflow));
  }

  #releasePath(workflow: string, release: number): string {
    return joinPath(this.#workflowPath(workflow), RELEASE_PREFIX + formatReleaseKey(release));
  }

  /** Path of the file that holds a record. */
  recordPath(record: Pick<AuditRecord, "workflow" | "release" | "runId">): string {
    return joinPath(
      this.#releasePath(record.workflow, record.release),
      encodeURIComponent(record.runId) + ".json",
    );
  }

  /** Writes the record atomically. */
  write(record: AuditRecord): Promise<void> {
    return this.#fs.writeText(
      this.recordPath(record),
      JSON.stringify(auditToJson(record), null, 2) + "\n",
      { atomic: true, createDirs: true },
    );
  }

  async #readFolder(path: string): Promise<AuditRecord[]> {
    const names = (await listFileNames(this.#fs, path))
      .filter((name) => name.endsWith(".json")); // temporary files end with .tmp
    const records = await Promise.all(names.map(async (name) => {
      const text = await readTextOrNull(this.#fs, joinPath(path, name));
      if (text === null) return null;
      try {
        return fromFile(JSON.parse(text) as AuditFile);
      } catch {
        return null; // not one of ours
      }
    }));
    return records.filter((record): record is AuditRecord => record !== null);
  }

  /** Newest record of a release, or `null`. */
  async find(workflow: string, release: number): Promise<AuditRecord | null> {
    const records = (await this.#readFolder(this.#releasePath(workflow, release)))
      .filter((record) => record.workflow === workflow && record.release === release)
      .sort(compareAudits);
    return records[0] ?? null;
  }

  /** Whether the release has a record. */
  async exists(workflow: string, release: number): Promise<boolean> {
    return (await this.find(workflow, release)) !== null;
  }

  async #releaseFolders(workflow?: string): Promise<ReleaseFolder[]> {
    const workflows = workflow === undefined ? await this.listWorkflows() : [workflow];
    const folders: ReleaseFolder[] = [];
    for (const name of workflows) {
      const base = this.#workflowPath(name);
      for (const dir of await listDirs(this.#fs, base)) {
        if (!dir.startsWith(RELEASE_PREFIX)) continue;
        folders.push({
          workflow: name,
          key: dir.slice(RELEASE_PREFIX.length),
          path: joinPath(base, dir),
        });
      }
    }
    // Folder names sort like release times (second resolution).
    return folders.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  }

  /** Records, newest release first. Reads only as many release folders as the page needs. */
  async list(workflow?: string, options?: ListOptions): Promise<AuditRecord[]> {
    const folders = await this.#releaseFolders(workflow);
    const wanted = options?.limit === undefined
      ? Infinity
      : Math.max(0, options.offset ?? 0) + Math.max(0, options.limit);
    const records: AuditRecord[] = [];
    for (let i = 0; i < folders.length; i++) {
      // Stop only between seconds: folders of the same second may hold newer releases.
      if (records.length >= wanted && folders[i].key !== folders[i - 1].key) break;
      records.push(...await this.#readFolder(folders[i].path));
    }
    return page(records.sort(compareAudits), options);
  }

  /** Workflow names, sorted. */
  async listWorkflows(): Promise<string[]> {
    const names: string[] = [];
    for (const dir of await listDirs(this.#fs, this.#root)) {
      if (!dir.startsWith(WORKFLOW_PREFIX)) continue;
      try {
        names.push(decodeURIComponent(dir.slice(WORKFLOW_PREFIX.length)));
      } catch {
        // not one of ours
      }
    }
    return names.sort();
  }

  /** Removes records written before `olderThan`, then empty folders; returns how many. */
  async cleanup(options: CleanupOptions): Promise<number> {
    let removed = 0;
    for (const folder of await this.#releaseFolders()) {
      const records = await this.#readFolder(folder.path);
      let kept = 0;
      for (const record of records) {
        if (record.createdAt < options.olderThan) {
          await this.#fs.remove(this.recordPath(record));
          removed++;
        } else kept++;
      }
      if (kept === 0 && (await listFileNames(this.#fs, folder.path)).length === 0) {
        await this.#fs.remove(folder.path);
      }
    }
    for (const workflow of await this.listWorkflows()) {
      const path = this.#workflowPath(workflow);
      if ((await this.#fs.readDir(path)).length === 0) await this.#fs.remove(path);
    }
    return removed;
  }

  /**
   * Claims a release for `owner` with a `.claim` file in its release folder: the first claim
   * of it wins. The check and the write are two steps, so two processes claiming the same
   * release at the same instant may both win; use a SQLite or PostgreSQL audit store where
   * several schedulers share one store.
   */
  async claim(workflow: string, release: number, owner: string): Promise<ReleaseClaim> {
    const path = joinPath(this.#releasePath(workflow, release), ".claim");
    const holder = await readTextOrNull(this.#fs, path);
    if (holder !== null) return { won: false, owner: holder };
    await this.#fs.writeText(path, owner, { atomic: true, createDirs: true });
    const now = await readTextOrNull(this.#fs, path);
    return now === owner ? { won: true } : { won: false, owner: now ?? owner };
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
