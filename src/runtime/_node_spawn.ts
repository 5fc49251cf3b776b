/**
 * {@linkcode Spawner} on `node:child_process` (Node and Bun). The child is
 * started `detached`, which makes it the leader of a new process group, so an
 * abort can kill the child and every grandchild it started with one
 * `kill(-pid)`.
 *
 * @module
 */
import { spawn as spawnChild } from "node:child_process";
import {
  abortReason,
  DEFAULT_MAX_OUTPUT_BYTES,
  OutputCollector,
  programNotFound,
} from "./_output.ts";
import type { OpenOptions, OpenProcess, Spawner, SpawnOptions, SpawnResult } from "./types.ts";
import { nodeChildEnv } from "./_env.ts";

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is already gone; fall through to killing the child alone.
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already exited.
    }
  }
}

/** Runs a program to completion (see {@linkcode Spawner.spawn}). */
export function nodeSpawn(
  command: readonly string[],
  options: SpawnOptions = {},
): Promise<SpawnResult> {
  const [program, ...args] = command;
  if (!program) return Promise.reject(new Error("spawn needs a program name"));
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const keep = options.keep ?? "head";
  const stdout = new OutputCollector(max, keep, options.onStdout);
  const stderr = new OutputCollector(max, keep, options.onStderr);

  return new Promise<SpawnResult>((resolve, reject) => {
    let settled = false;
    const child = spawnChild(program, args, {
      cwd: options.cwd,
      env: nodeChildEnv(process.env, options.unsetEnv, options.env),
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      detached: true,
    });
    const onAbort = () => {
      if (settled) return;
      settled = true;
      killGroup(child.pid);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const reason = abortReason(signal!);
      // Wait for the exit so the child is reaped (no zombie), then reject.
      if (child.exitCode !== null || child.signalCode !== null) reject(reason);
      else child.once("exit", () => reject(reason));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);

    child.stdout?.on("data", (chunk: Uint8Array) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Uint8Array) => stderr.push(chunk));
    child.on("error", (error: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      done();
      reject(error.code === "ENOENT" ? programNotFound(program, error) : error);
    });
    child.on("close", (code: number | null, exitSignal: string | null) => {
      if (settled) return;
      settled = true;
      done();
      stdout.end();
      stderr.end();
      resolve({
        code,
        signal: exitSignal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutDropped: stdout.dropped,
        stderrDropped: stderr.dropped,
      });
    });
    if (options.stdin !== undefined && child.stdin) {
      child.stdin.on("error", () => {/* the child may exit without reading stdin */});
      child.stdin.end(options.stdin);
    }
  });
}

/** A stream that can stop holding the event loop open (sockets and pipes can). */
interface Unrefable {
  ref?(): void;
  unref?(): void;
}

/** Starts a long-lived child with piped stdio (see {@linkcode Spawner.open}). */
export function nodeOpen(
  command: readonly string[],
  options: OpenOptions = {},
): Promise<OpenProcess> {
  const [program, ...args] = command;
  if (!program) return Promise.reject(new Error("spawn needs a program name"));
  const child = spawnChild(program, args, {
    cwd: options.cwd,
    env: nodeChildEnv(process.env, options.unsetEnv, options.env),
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const stdout = new OutputCollector(0, "head", options.onStdout);
  const stderr = new OutputCollector(0, "head", options.onStderr);
  child.stdout?.on("data", (chunk: Uint8Array) => stdout.push(chunk));
  child.stderr?.on("data", (chunk: Uint8Array) => stderr.push(chunk));
  child.stdin?.on("error", () => {/* reported by write() and exited */});
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once("close", (code: number | null, signal: string | null) => {
      stdout.end();
      stderr.end();
      resolve({ code, signal });
    });
  });
  const streams = [child.stdin, child.stdout, child.stderr] as unknown as Unrefable[];
  const handle: OpenProcess = {
    pid: child.pid ?? -1,
    write: (text) =>
      new Promise<void>((resolve, reject) => {
        const stdin = child.stdin;
        if (!stdin || stdin.destroyed || child.exitCode !== null || child.signalCode !== null) {
          reject(new Error(`${program} has exited`));
          return;
        }
        stdin.write(text, (error) => (error ? reject(error) : resolve()));
      }),
    exited,
    kill: () => killGroup(child.pid),
    unref() {
      child.unref();
      for (const stream of streams) stream.unref?.();
    },
    ref() {
      child.ref();
      for (const stream of streams) stream.ref?.();
    },
  };
  return new Promise<OpenProcess>((resolve, reject) => {
    child.once("spawn", () => resolve({ ...handle, pid: child.pid ?? -1 }));
    // A persistent listener: a later `error` (a failed kill, say) must not crash the host.
    child.on("error", (error: Error & { code?: string }) => {
      reject(error.code === "ENOENT" ? programNotFound(program, error) : error);
    });
  });
}

/** The Node/Bun spawn adapter. */
export const nodeSpawner: Spawner = { spawn: nodeSpawn, open: nodeOpen };
