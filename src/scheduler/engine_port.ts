/**
 * What the scheduler, `release()` and `poke()` use of an engine. An `Engine` is one; the
 * scheduler sits below the engine in the layer order and knows it only through this port, so it
 * can be driven by anything that runs workflows (a test double, a remote engine).
 *
 * @module
 */

import type { ConfigIndex } from "../config/loader.ts";
import type { ExecuteOptions, Result } from "../executor/workflow_runner.ts";
import type { Workflow } from "../models/types.ts";
import type { Runtime } from "../runtime/types.ts";
import type { FilterRegistry } from "../template/mod.ts";
import type { RunRecord, RunRelease } from "../results/run_store.ts";

/** Options the scheduler passes to {@linkcode SchedulerEngine.execute}. */
export interface ReleaseExecuteOptions extends ExecuteOptions {
  /** Extra listener target for this run only. */
  readonly events?: EventTarget;
  /** Run no action stage. */
  readonly dryRun?: boolean;
  /** The release this run is, for its run record (a recovered release writes its audit). */
  readonly release?: RunRelease;
  /** Go on with this claimed run record (a recovered release): its id and finished jobs. */
  readonly takeOver?: RunRecord;
}

/** The members of an engine that releases and the scheduler loop read. */
export interface SchedulerEngine {
  /** The clock releases are timed by, and the env that `${VAR}` in release params reads. */
  readonly runtime: Pick<Runtime, "clock" | "env">;
  /** Default time zone of releases, and env names whose values are masked as secrets. */
  readonly settings: { readonly timezone: string; readonly secretEnv: readonly string[] };
  /** Schedule templates and workflow names. */
  readonly config: Pick<ConfigIndex, "names" | "schedule">;
  /** Filters of `${{ }}` in release params. */
  readonly filters: FilterRegistry;
  /** Who claims releases, as other schedulers see it (`host:pid` for an `Engine`). */
  readonly owner: { readonly id: string };
  /** Where scheduler events go unless the scheduler is given its own target. */
  readonly events: EventTarget;
  /** The workflow called `name`. */
  workflow(name: string): Workflow;
  /** A new run id for a run of `workflow`. */
  newRunId(workflow: string): string;
  /** Runs one release. */
  execute(
    workflow: Workflow,
    params: Readonly<Record<string, unknown>>,
    options: ReleaseExecuteOptions,
  ): Promise<Result>;
}
