/**
 * CLI commands of the scheduler area.
 *
 * @module
 */

import type { CommandEntry } from "./commands.ts";

/** Commands by name. */
export const SCHEDULER_COMMANDS: Readonly<Record<string, CommandEntry>> = {};
