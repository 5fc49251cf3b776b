/**
 * What the API needs from a scheduler and from a release function. These are structural
 * types, so the API does not depend on the scheduler's module: any object with these methods
 * can be passed to `createApi`.
 *
 * @module
 */

import type { Engine } from "../engine.ts";
import type { Result } from "../executor/workflow_runner.ts";
import type { AuditStore, ReleaseType } from "../results/audit_store.ts";

/** The part of a running scheduler the API reads. */
export interface SchedulerView {
  /** Tick decisions (newest last or first, as the scheduler keeps them); each is plain data. */
  decisions(): readonly unknown[];
}

/** Options of a {@linkcode ReleaseFunction}. */
export interface ReleaseOptions {
  /** @default "normal" */
  readonly type?: ReleaseType;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly audits?: AuditStore;
  readonly signal?: AbortSignal;
}

/** What a release returns: the run's result, or `skipped` when its audit already existed. */
export interface ReleaseOutcome {
  /** `true` when a normal release was not run because it already ran. */
  readonly skipped: boolean;
  /** The run's result when it ran. */
  readonly result?: Result;
}

/** Runs one release of a workflow at a logical time (epoch ms). */
export type ReleaseFunction = (
  engine: Engine,
  name: string,
  logicalDate: number,
  options: ReleaseOptions,
) => Promise<ReleaseOutcome>;
