/**
 * Process entry of the `workflow` command: reads argv, turns SIGINT/SIGTERM
 * into cancellation, runs {@linkcode runCli} and exits with its code.
 *
 * On Deno it uses the `Deno` namespace: `node:process` (and its `stdout` stream) would load
 * Deno's Node compatibility layer, which took half the start-up of `workflow version`.
 *
 * @module
 */

import { CancelError } from "../errors.ts";
import { hostName, loadHostRuntime } from "../runtime/host.ts";
import { cliHost } from "./_host.ts";
import { runCli } from "./run_cli.ts";

/** What `main` needs from the process. */
interface ProcessHost {
  readonly argv: readonly string[];
  onSignal(name: "SIGINT" | "SIGTERM", listener: () => void): void;
  /** Writes to standard output, quietly stopping once its reader has gone. */
  readonly stdout: QuietWriter;
  stderr(text: string): void;
  exit(code: number): never;
}

/** A writer that stops writing, quietly, once the reader of its stream has gone. */
interface QuietWriter {
  write(text: string): void;
  /** Whether the reader has gone. */
  closed(): boolean;
  /** Resolves once what was written has left the process. */
  drain(): Promise<void>;
}

/**
 * Runs the CLI for this process and exits. The first SIGINT/SIGTERM cancels the
 * running work (stages, subprocess groups, workers) and lets the run end CANCEL;
 * a second one quits at once with exit 130.
 */
export async function main(argv?: readonly string[]): Promise<never> {
  const host = hostName() === "deno" ? denoHost() : await nodeHost();
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals > 1) host.exit(130);
    host.stderr(`\n${name}: cancelling… (again to quit at once)\n`);
    controller.abort(new CancelError(`interrupted by ${name}`));
  };
  // Listeners stay installed until exit: removing them would restore the default action,
  // which on some runtimes ends the process before the cancelled run has cleaned up.
  host.onSignal("SIGINT", () => onSignal("SIGINT"));
  host.onSignal("SIGTERM", () => onSignal("SIGTERM"));
  const code = await runCli(argv ?? host.argv, {
    runtime: await loadHostRuntime(),
    stdout: (text) => host.stdout.write(text),
    stderr: (text) => host.stderr(text),
    signal: controller.signal,
    host: await cliHost(),
  });
  // Let buffered stdout drain before exiting (pipes are asynchronous on Node).
  if (!host.stdout.closed()) await host.stdout.drain();
  return host.exit(code);
}

/** Whether `error` says the reader of a pipe has gone (`workflow runs | head -n1`). */
function isBrokenPipe(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "EPIPE" || (error instanceof Error && error.name === "BrokenPipe");
}

/** The parts of the `Deno` namespace used here (typed locally: the npm build has no `Deno`). */
interface DenoProcess {
  readonly args: readonly string[];
  readonly stdout: { writeSync(bytes: Uint8Array): number };
  readonly stderr: { writeSync(bytes: Uint8Array): number };
  addSignalListener(name: "SIGINT" | "SIGTERM", listener: () => void): void;
  exit(code: number): never;
}

function denoHost(): ProcessHost {
  const deno = (globalThis as unknown as { Deno: DenoProcess }).Deno;
  const encoder = new TextEncoder();
  const writeAll = (file: { writeSync(bytes: Uint8Array): number }, text: string) => {
    const bytes = encoder.encode(text);
    for (let offset = 0; offset < bytes.length;) {
      offset += file.writeSync(bytes.subarray(offset));
    }
  };
  let closed = false;
  return {
    argv: deno.args,
    onSignal: (name, listener) => deno.addSignalListener(name, listener),
    // Synchronous writes: nothing is left to drain at exit.
    stdout: {
      write: (text) => {
        if (closed) return;
        try {
          writeAll(deno.stdout, text);
        } catch (error) {
          if (!isBrokenPipe(error)) throw error;
          closed = true;
        }
      },
      closed: () => closed,
      drain: () => Promise.resolve(),
    },
    stderr: (text) => writeAll(deno.stderr, text),
    exit: (code) => deno.exit(code),
  };
}

async function nodeHost(): Promise<ProcessHost> {
  const { default: process } = await import("node:process");
  let closed = false;
  // Like a Unix tool piped into `head`, the command ends without a stack trace, and the work
  // it was doing (a run) is not cut short by a closed terminal pipe.
  process.stdout.on("error", (error: unknown) => {
    if (isBrokenPipe(error)) closed = true;
    else throw error;
  });
  return {
    argv: process.argv.slice(2),
    onSignal: (name, listener) => process.on(name, listener),
    stdout: {
      write: (text) => {
        if (closed) return;
        try {
          process.stdout.write(text);
        } catch (error) {
          if (!isBrokenPipe(error)) throw error;
          closed = true;
        }
      },
      closed: () => closed,
      drain: () => new Promise<void>((resolve) => process.stdout.write("", () => resolve())),
    },
    stderr: (text) => process.stderr.write(text),
    exit: (code) => process.exit(code),
  };
}
