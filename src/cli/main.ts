/**
 * Process entry of the `workflow` command: reads argv, wires SIGINT/SIGTERM
 * to cancellation, runs {@linkcode runCli} and exits with its code.
 *
 * @module
 */

import process from "node:process";
import { detectRuntime } from "../runtime/mod.ts";
import { runCli } from "./run_cli.ts";

/** Runs the CLI for this process and exits. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const code = await runCli(argv, {
    runtime: detectRuntime(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    signal: controller.signal,
  });
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  // Let buffered stdout drain before exiting (pipes are asynchronous on Node).
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}
