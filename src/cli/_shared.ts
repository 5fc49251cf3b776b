/**
 * Pieces shared by every CLI command module (kept apart from `run_cli.ts` so
 * command modules do not import the dispatcher that imports them). Option parsing is in
 * `_args.ts`, so that `workflow version` loads no `node:` module.
 *
 * @module
 */

import type { Runtime } from "../runtime/types.ts";
import type { CliEngineFactory } from "./engine_port.ts";
import { ParamError, WorkflowBaseError } from "../errors.ts";
import { closest } from "../models/issues.ts";
import type { Workflow } from "../models/types.ts";
import { MAX_NESTING_DEPTH, tooDeep } from "../util/depth.ts";

/** Where the CLI reads and writes. */
export interface CliIo {
  /** Host adapter the commands use (fs, env, clock, spawn). */
  readonly runtime: Runtime;
  /** Writes to standard output (text includes its own newlines). */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /** How this process was started, for the commands `init` prints and the files it writes.
   * @default {@linkcode DEFAULT_CLI_HOST} */
  readonly host?: CliHost;
  /** Makes each command's engine (a stand-in for tests, a remote engine).
   * @default `Engine.create` */
  readonly createEngine?: CliEngineFactory;
}

/** What `init` needs to know about the process running the CLI. */
export interface CliHost {
  /** The command that runs this CLI again, e.g. `npx @ddeutil/workflow`. */
  readonly command: string;
  /** Whether this process can import a `.ts` task module placed in `dir`. */
  canImportTypeScript(dir: string): boolean;
  /** Whether `.js`/`.ts` files are ES modules only under a package.json `"type": "module"`
   * (Node, Bun), so a starter folder gets one. */
  readonly needsModuleScope: boolean;
}

/** The host assumed when {@linkcode CliIo.host} is not given: a `workflow` on the path. */
export const DEFAULT_CLI_HOST: CliHost = {
  command: "workflow",
  canImportTypeScript: () => true,
  needsModuleScope: false,
};

/** Bad command-line usage (exit 2). */
export class UsageError extends WorkflowBaseError {
  override name = "UsageError";
}

/** Parses `-p key=value` pairs and `--params JSON` into one params object. */
export function collectParams(
  pairs: readonly string[],
  json: string | undefined,
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new UsageError(
        `--params is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new UsageError(`--params must be a JSON object, e.g. '{"name": "x"}'`);
    }
    // Deeper data would overflow the stack somewhere in the run; say so up front.
    const deep = tooDeep(parsed, MAX_NESTING_DEPTH + 1);
    if (deep !== undefined) {
      throw new UsageError(
        `--params nests deeper than ${MAX_NESTING_DEPTH} levels (at ${deep.replace(/^\./, "")}); ` +
          "pass flatter data",
      );
    }
    Object.assign(params, parsed);
  }
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`-p expects key=value, got '${pair}'`);
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return params;
}

/**
 * Refuses params the workflow does not declare, so a typo (`-p nmae=x`) is not silently kept
 * while `name` takes its default. (Code and the API keep undeclared params, as the reference
 * does; the command line is where typos happen.)
 *
 * @throws {ParamError} naming every undeclared key, with the closest declared name.
 */
export function checkDeclaredParams(
  workflow: Pick<Workflow, "name" | "params">,
  params: Readonly<Record<string, unknown>>,
): void {
  const declared = Object.keys(workflow.params);
  const unknown = Object.keys(params).filter((key) => !Object.hasOwn(workflow.params, key));
  if (unknown.length === 0) return;
  const lines = unknown.map((key) => {
    const near = closest(key, declared, 1);
    return `workflow '${workflow.name}' declares no param '${key}'` +
      (near.length > 0 ? `; did you mean '${near[0]}'?` : "");
  });
  lines.push(
    declared.length > 0
      ? `declared params: ${declared.join(", ")} (see: workflow show ${workflow.name})`
      : `it declares no params; add them under 'params:' to pass them`,
  );
  throw new ParamError(lines.join("\n"), unknown.length === 1 ? unknown[0] : undefined);
}
