/**
 * Option parsing of the CLI commands (`node:util` `parseArgs`, the same on Deno, Bun and
 * Node), apart from `_shared.ts` so that only commands that parse options load `node:util`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { UsageError } from "./_shared.ts";

/** How a command declares its options (the `node:util` `parseArgs` shape). */
export type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

/** Parsed option values by name. */
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * Parses a command's arguments strictly, with `--conf` and `-h/--help` always accepted.
 *
 * @throws {UsageError} for an unknown option or a missing value.
 */
export function parseCommandArgs(
  args: readonly string[],
  options: OptionSpec,
): { values: ParsedValues; positionals: string[] } {
  try {
    return parseArgs({
      args: [...args],
      options: { conf: { type: "string" }, help: { type: "boolean", short: "h" }, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
