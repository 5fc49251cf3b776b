// Helpers of the process tests: a `workflow` CLI process whose output is collected, waits with
// deadlines, and line counts of marker files. (Not a test file itself.)
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import process from "node:process";
import { cliCommand } from "../_helpers.ts";

const root = new URL("../..", import.meta.url).pathname;

/** A running `workflow` process. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything it wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal name) once it has exited. */
  readonly exited: Promise<number | string | null>;
}

/** Starts `workflow <args>` with `env` added to this process's environment. */
export function startCli(args: readonly string[], env: Record<string, string>): CliProcess {
  const command = cliCommand();
  const child = spawn(command[0], [...command.slice(1), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (chunk) => (out += chunk));
  child.stderr!.on("data", (chunk) => (out += chunk));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on("close", (code, signal) => resolve(code ?? signal))
  );
  return { child, output: () => out, exited };
}

/** Waits until `check()` is true, polling; fails with `what` and `detail()` after `ms`. */
export async function waitFor(
  what: string,
  check: () => boolean,
  ms: number,
  detail: () => string = () => "",
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Lines of a marker file (none when it does not exist). */
export function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
}

/** SIGKILLs a process (and, with `group`, its whole process group); no error if gone. */
export function kill(pid: number, group = false): void {
  for (const target of group ? [-pid, pid] : [pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // gone already, or not a group leader
    }
  }
}
