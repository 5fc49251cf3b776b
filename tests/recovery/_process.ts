// Helpers of the process tests: a `workflow` CLI process whose output is collected, waits with
// deadlines, line counts of marker files, and the `tick` workflow of the scheduler crash tests.
// (Not a test file itself.)
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

/** A config folder with workflow `tick` in a fresh temp folder, and the marker files its stage
 * writes. */
export interface TickConf {
  /** The temp folder (with `/` separators); remove it when done. */
  readonly dir: string;
  /** The config folder, `<dir>/conf`. */
  readonly conf: string;
  /** One line per release started: "<stage shell pid> <scheduler pid>". */
  readonly pids: string;
  /** One line per release finished: its logical date. */
  readonly marks: string;
}

/**
 * Writes workflow `tick`: a cron every two seconds, a `datetime` param `at`, one stage that
 * appends its shell's and its scheduler's pids to `pids`, sleeps 0.6 s, then appends
 * `params.at` to `marks` (so a release in flight shows as a pids line without its mark).
 */
export function tickConf(prefix: string): TickConf {
  const dir = mkdtempSync(join(tmpdir(), prefix)).replaceAll("\\", "/");
  const tick = { dir, conf: `${dir}/conf`, pids: `${dir}/pids`, marks: `${dir}/marks` };
  mkdirSync(tick.conf);
  writeFileSync(
    `${tick.conf}/tick.yml`,
    `tick:
  type: Workflow
  on: [{cronjob: "*/2 * * * * *"}]
  params:
    at: datetime
  jobs:
    a:
      stages:
        - name: work
          bash: 'echo "$$$$ $PPID" >> ${tick.pids}; sleep 0.6; echo "\${{ params.at }}" >> ${tick.marks}'
`,
  );
  return tick;
}

/** Starts `workflow schedule --conf <conf> --stop <stop>` processes with `env`; `started`
 * holds every one, to kill what is left when the test ends. */
export function schedulers(
  conf: string,
  env: Record<string, string>,
): { started: CliProcess[]; schedule(stop: string): CliProcess } {
  const started: CliProcess[] = [];
  const schedule = (stop: string) => {
    const process = startCli(["schedule", "--conf", conf, "--stop", stop], env);
    started.push(process);
    return process;
  };
  return { started, schedule };
}

/** Waits until each of `processes` has scheduled its first tick. */
export async function waitForSchedulers(processes: readonly CliProcess[], ms: number) {
  for (const p of processes) {
    await waitFor("a scheduler to start", () => /scheduled tick/.test(p.output()), ms, p.output);
  }
}

/** Sends `signal` to `pid`; false when the process is gone. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits (up to `ms`) until one of `candidates` holds a release of `tick` in flight (its stage
 * started, its mark not yet written, after at least one finished), then SIGKILLs that
 * scheduler and the shells of its stages (own process groups that would outlive it), as a
 * host crash would. Returns the killed scheduler once it has exited.
 *
 * The stage's shell is stopped (SIGSTOP) before the scheduler is killed, and the release is
 * checked again while it is stopped: on a busy machine the poll can come late in the stage's
 * 0.6 s, and a shell that wrote its mark meanwhile was not in flight any more (the resumed
 * release would then write a second mark). Such a release is let go and the next one waited for.
 */
export async function killReleaseInFlight(
  tick: TickConf,
  candidates: readonly CliProcess[],
  ms: number,
): Promise<CliProcess> {
  const deadline = Date.now() + ms;
  const detail = () => candidates.map((p) => p.output()).join("\n---\n");
  for (;;) {
    let victim: CliProcess | undefined;
    let shell = 0;
    const inFlight = () => {
      const pids = lines(tick.pids);
      const [stage, parent] = (pids.at(-1) ?? "").split(" ").map(Number);
      victim = candidates.find((p) => p.child.pid === parent);
      shell = stage;
      return lines(tick.marks).length >= 1 && pids.length > lines(tick.marks).length && !!victim;
    };
    await waitFor("a release in flight", inFlight, deadline - Date.now(), detail);
    const frozen = signal(shell, "SIGSTOP");
    const pids = lines(tick.pids);
    if (frozen && pids.at(-1)?.startsWith(`${shell} `) && pids.length > lines(tick.marks).length) {
      const killed = victim!;
      kill(killed.child.pid!);
      await killed.exited;
      for (const [pid, parent] of lines(tick.pids).map((line) => line.split(" ").map(Number))) {
        if (parent === killed.child.pid) kill(pid, true);
      }
      return killed;
    }
    if (frozen) signal(shell, "SIGCONT");
  }
}
