/**
 * Extra CLI commands contributed by other modules (scheduler, server, stores).
 * Each takes the arguments after its name and returns an exit code.
 *
 * @module
 */

import type { CliIo } from "./_shared.ts";

/** A command's implementation. */
export type CommandHandler = (args: readonly string[], io: CliIo) => Promise<number>;

/** One extra command with its help line. */
export interface CommandEntry {
  readonly run: CommandHandler;
  /** One line for the usage text, e.g. `release <name> --date ISO   Run one release`. */
  readonly usage: string;
  /** What `workflow <command> --help` prints: starts with `Usage: workflow <command>`. */
  readonly help: string;
}
