/**
 * Process entry of the `workflow` command: reads argv, turns SIGINT/SIGTERM
 * into cancellation, runs {@linkcode runCli} and exits with its code.
 *
 * @module
 */

import process from "node:process";
import { CancelError } from "../errors.ts";
import { detectRuntime } from "../runtime/mod.ts";
import { cliHost } from "./_host.ts";
import { runCli } from "./run_cli.ts";

/**
 * Runs the CLI for this process and exits. The first SIGINT/SIGTERM cancels the
 * running work (stages, subprocess groups, workers) and lets the run end CANCEL;
 * a second one quits at once with exit 130.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals > 1) process.exit(130);
    process.stderr.write(`\n${name}: cancelling… (again to quit at once)\n`);
    controller.abort(new CancelError(`interrupted by ${name}`));
  };
  // Listeners stay installed until exit: removing them would restore the default action,
  // which on some runtimes ends the process before the cancelled run has cleaned up.
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  const stdout = quietOnBrokenPipe(process.stdout);
  const code = await runCli(argv, {
    runtime: detectRuntime(),
    stdout: stdout.write,
    stderr: (text) => process.stderr.write(text),
    signal: controller.signal,
    host: cliHost(),
  });
  // Let buffered stdout drain before exiting (pipes are asynchronous on Node).
  if (!stdout.closed()) {
    await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  }
  process.exit(code);
}

/** Whether `error` says the reader of a pipe has gone (`workflow runs | head -n1`). */
function isBrokenPipe(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "EPIPE" || (error instanceof Error && error.name === "BrokenPipe");
}

/**
 * A writer that stops writing, quietly, once the reader of `stream` has gone: like a Unix
 * tool piped into `head`, the command ends without a stack trace, and the work it was doing
 * (a run) is not cut short by a closed terminal pipe.
 */
function quietOnBrokenPipe(
  stream: typeof process.stdout,
): { write: (text: string) => void; closed: () => boolean } {
  let closed = false;
  stream.on("error", (error: unknown) => {
    if (isBrokenPipe(error)) closed = true;
    else throw error;
  });
  return {
    write: (text) => {
      if (closed) return;
      try {
        stream.write(text);
      } catch (error) {
        if (!isBrokenPipe(error)) throw error;
        closed = true;
      }
    },
    closed: () => closed,
  };
}
