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
  const code = await runCli(argv, {
    runtime: detectRuntime(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    signal: controller.signal,
    host: cliHost(),
  });
  // Let buffered stdout drain before exiting (pipes are asynchronous on Node).
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}
