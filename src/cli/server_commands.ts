/**
 * CLI commands of the server area.
 *
 * @module
 */

import type { CommandEntry } from "./commands.ts";

/** Commands by name. */
export const SERVER_COMMANDS: Readonly<Record<string, CommandEntry>> = {};
