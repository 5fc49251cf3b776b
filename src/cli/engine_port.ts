/**
 * What the CLI commands use of an engine. An `Engine` is one; the commands get their engines
 * from a {@linkcode CliEngineFactory} (`Engine.create` unless {@linkcode CliIo.createEngine}
 * gives another) and know them only through this port.
 *
 * @module
 */

import type { ApiEngine } from "../api/engine_port.ts";
import type { EngineOptions } from "../engine.ts";
import type { ConfigIssue } from "../errors.ts";
import type { RecoveryEngine } from "../recovery.ts";
import type { Runtime } from "../runtime/types.ts";
import type { CliIo } from "./_shared.ts";

/**
 * The members of an engine that the commands read: what `serve` hands to the API and the
 * scheduler, what recovery at start-up needs, and the config folder, task check and close.
 */
export interface CliEngine extends ApiEngine, RecoveryEngine {
  /** The clock and env, the processes of recovery, and the files `--watch` watches. */
  readonly runtime: Pick<Runtime, "clock" | "env" | "processes" | "fs">;
  /** Release settings, the recovery mode, and the config folder `validate`/`--watch` name. */
  readonly settings: {
    readonly timezone: string;
    readonly secretEnv: readonly string[];
    readonly recover: "resume" | "fail";
    readonly confPath: string;
  };
  /** The loaded templates the commands list, show, validate and release. */
  readonly config: ApiEngine["config"];
  /** Who claims orphaned runs at start-up. */
  readonly owner: RecoveryEngine["owner"];
  /** Runs a workflow, by name or model. */
  execute: RecoveryEngine["execute"];
  /** One issue per `call:` stage whose task cannot be found or imported. */
  checkTasks(): Promise<ConfigIssue[]>;
  /** Flushes traces, closes the stores and stops the worker pool. */
  close(): Promise<void>;
}

/** Makes the engine of one command from the options the command built. */
export type CliEngineFactory = (options: EngineOptions) => Promise<CliEngine>;

/**
 * The engine of one command: made by `io.createEngine` when given, else by `Engine.create`
 * (imported on first use, so commands without an engine load none of it).
 */
export async function createCliEngine(io: CliIo, options: EngineOptions): Promise<CliEngine> {
  if (io.createEngine) return io.createEngine(options);
  const { Engine } = await import("../engine.ts");
  return Engine.create(options);
}
