/**
 * The `Runtime` adapter interface: the only way the pure core reaches the
 * filesystem, time, environment, subprocesses and workers. Implementations
 * live beside this file (Deno, Bun, Node, in-memory).
 *
 * Paths are plain strings with `/` separators; relative paths resolve against
 * `Runtime.cwd()`.
 *
 * @module
 */

/** What `stat` knows about a path. */
export interface FileInfo {
  /** A regular file (after following symlinks). */
  readonly isFile: boolean;
  /** A folder (after following symlinks). */
  readonly isDirectory: boolean;
  /** Size in bytes. */
  readonly size: number;
  /** Last modification time in epoch milliseconds. */
  readonly mtimeMs: number;
}

/** Options of {@linkcode RuntimeFs.writeText}. */
export interface WriteOptions {
  /** Append instead of replacing. @default false */
  readonly append?: boolean;
  /** Write to a temporary file in the same folder, then rename over the target, so readers
   * see either the old or the new content, never a torn file. Ignored with `append`.
   * @default false */
  readonly atomic?: boolean;
  /** Create missing parent folders. @default false */
  readonly createDirs?: boolean;
  /** Create the file only when nothing exists at `path`, in one step that exactly one of
   * several racing writers (processes included) wins; the others reject with a
   * `FileExistsError`. The content appears whole (written to a temporary file, then
   * hard-linked into place). Ignored with `append`. @default false */
  readonly exclusive?: boolean;
}

/** Options of {@linkcode RuntimeFs.watch}. */
export interface WatchOptions {
  /** Stops watching; the promise `watch` returned then resolves. */
  readonly signal?: AbortSignal;
  /** How often to look for changes where the host cannot watch a tree natively, ms.
   * @default 1000 */
  readonly pollMs?: number;
}

/** Filesystem access. Every method rejects with an `Error` whose message names the path. */
export interface RuntimeFs {
  /** Reads a UTF-8 text file. */
  readText(path: string): Promise<string>;
  /** Writes a UTF-8 text file. */
  writeText(path: string, data: string, options?: WriteOptions): Promise<void>;
  /** Lists the files (not folders) below `dir`, recursively, as paths that start with `dir`,
   * sorted. Hidden files and folders are included. A missing `dir` rejects. */
  listFiles(dir: string): Promise<string[]>;
  /** Lists the direct entries of `dir` (names only, sorted). A missing `dir` rejects. */
  readDir(dir: string): Promise<{ name: string; isDirectory: boolean }[]>;
  /** Stats a path; `null` when it does not exist. */
  stat(path: string): Promise<FileInfo | null>;
  /** Creates a folder and its parents; no error if it exists. */
  mkdir(path: string): Promise<void>;
  /** Removes a file or a folder tree; no error if it does not exist. */
  remove(path: string): Promise<void>;
  /** Renames (moves) a file, replacing the target atomically where the OS allows. */
  rename(from: string, to: string): Promise<void>;
  /**
   * Calls `onChange` with a path below `dir` (recursively) each time something there is
   * created, changed or removed, until `options.signal` aborts; the promise resolves then,
   * and rejects when `dir` cannot be watched. Several calls may come for one edit. Absent
   * where the host offers no way to watch.
   */
  watch?(dir: string, onChange: (path: string) => void, options?: WatchOptions): Promise<void>;
}

/** Time. The core never calls `Date.now()` or `setTimeout` itself. */
export interface Clock {
  /** Wall-clock time in epoch milliseconds. */
  now(): number;
  /** A monotonic millisecond counter for durations (not related to `now`). */
  monotonic(): number;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts. */
  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void>;
  /** A signal that aborts (reason: a `DOMException` named `TimeoutError`) after `ms` of this
   * clock's time. */
  timeout(ms: number): AbortSignal;
}

/** Environment variables. */
export interface RuntimeEnv {
  /** The value of `name`, or `undefined` when unset. */
  get(name: string): string | undefined;
  /** A copy of every variable. */
  toObject(): Record<string, string>;
}

/** Options of {@linkcode Spawner.spawn}. */
export interface SpawnOptions {
  /** Working folder of the child. @default the parent's */
  readonly cwd?: string;
  /** Variables added to (and overriding) the parent environment. */
  readonly env?: Record<string, string>;
  /** Names of the parent's variables the child must not inherit (the server's own
   * credentials). `env` still sets a listed name. @default [] */
  readonly unsetEnv?: readonly string[];
  /** Text written to the child's stdin, which is then closed. */
  readonly stdin?: string;
  /** Aborting kills the child and its whole process group, then rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** Bytes of stdout (and, separately, stderr) kept; the rest is counted in
   * `stdoutDropped`/`stderrDropped`. The kept part is the *tail* when `keep` is `"tail"`.
   * @default 1048576 */
  readonly maxOutputBytes?: number;
  /** Which part of an over-long output to keep. @default "head" */
  readonly keep?: "head" | "tail";
  /** Called with each chunk of stdout as it arrives (for live traces). */
  readonly onStdout?: (chunk: string) => void;
  /** Called with each chunk of stderr as it arrives. */
  readonly onStderr?: (chunk: string) => void;
}

/** What a finished subprocess produced. */
export interface SpawnResult {
  /** Exit code, or `null` when ended by a signal. */
  readonly code: number | null;
  /** Name of the signal that ended it, if any. */
  readonly signal: string | null;
  /** Captured standard output (UTF-8). */
  readonly stdout: string;
  /** Captured standard error (UTF-8). */
  readonly stderr: string;
  /** Bytes of stdout not kept because of `maxOutputBytes`. */
  readonly stdoutDropped: number;
  /** Bytes of stderr not kept because of `maxOutputBytes`. */
  readonly stderrDropped: number;
}

/** Options of {@linkcode Spawner.open}. */
export interface OpenOptions {
  /** Working folder of the child. @default the parent's */
  readonly cwd?: string;
  /** Variables added to (and overriding) the parent environment. */
  readonly env?: Record<string, string>;
  /** Names of the parent's variables the child must not inherit. @default [] */
  readonly unsetEnv?: readonly string[];
  /** Called with each chunk of stdout (UTF-8 decoded, split anywhere) as it arrives. */
  readonly onStdout?: (chunk: string) => void;
  /** Called with each chunk of stderr as it arrives. */
  readonly onStderr?: (chunk: string) => void;
}

/** A child process that keeps running, with piped stdin, stdout and stderr. */
export interface OpenProcess {
  /** Process id of the child (the leader of its own process group). */
  readonly pid: number;
  /** Writes UTF-8 `text` to the child's stdin; rejects when the child has gone. */
  write(text: string): Promise<void>;
  /** Settles once the child has exited and its output has been delivered. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: string | null }>;
  /** Kills the child and its whole process group (SIGKILL); no error if it has exited. */
  kill(): void;
  /** Lets the host process exit while this child is still alive (an idle spare). */
  unref(): void;
  /** Keeps the host process alive while this child runs again (after `unref`). */
  ref(): void;
}

/** Starts subprocesses. */
export interface Spawner {
  /** Runs `command[0]` with `command.slice(1)` (no shell) to completion. A missing program
   * rejects with an `Error` naming it. */
  spawn(command: readonly string[], options?: SpawnOptions): Promise<SpawnResult>;
  /** Starts `command` (no shell) and keeps it running, for a conversation over its stdin and
   * stdout (the warm `lang: python` interpreter). Resolves once the child has started; a
   * missing program rejects with an `Error` naming it. Optional: a spawner without it cannot
   * run `lang: python` stages. */
  open?(command: readonly string[], options?: OpenOptions): Promise<OpenProcess>;
}

/** What {@linkcode WorkerLike.onerror} receives. */
export interface WorkerErrorEvent {
  /** What went wrong, as the host reports it. */
  readonly message?: string;
  /** The error thrown inside the worker, when the host passes it on. */
  readonly error?: unknown;
  /** Set when the worker has ended (it will not answer any more): its exit code. */
  readonly exitCode?: number;
}

/** The subset of a Web Worker the core uses. */
export interface WorkerLike {
  /** Sends a structured-cloneable message to the worker. */
  postMessage(message: unknown): void;
  /** Stops the worker. */
  terminate(): void;
  /** Receives the worker's messages. */
  onmessage: ((event: { data: unknown }) => void) | null;
  /** Receives uncaught errors of the worker and its end when `terminate()` did not cause it
   * (`process.exit()`, a crash): every adapter reports such an end here, with `exitCode`. */
  onerror: ((event: WorkerErrorEvent) => void) | null;
  /** Lets this worker keep the process alive again (after `unref`). Optional: some hosts
   * cannot do it. */
  ref?(): void;
  /** Lets the process exit while this (idle) worker is still alive. Optional: some hosts
   * cannot do it. */
  unref?(): void;
}

/** Options of {@linkcode WorkerFactory.create}. */
export interface CreateWorkerOptions {
  /** A name for debugging. */
  readonly name?: string;
  /** `terminate()` must stop the worker even inside a busy loop (`while (true) {}`). Deno's
   * thread workers cannot be stopped that way, so Deno then runs the worker in a subprocess
   * that speaks the same message shape (messages must survive structured cloning, as
   * always). Other hosts ignore it. @default false */
  readonly killable?: boolean;
  /** Names of the host's environment variables the worker's code must not see (its
   * `process.env`/`Deno.env`/`Bun.env`). Deno thread workers share the host's environment,
   * so only killable (subprocess) workers honour it there. @default [] */
  readonly unsetEnv?: readonly string[];
  /** Deno permission flags (`--allow-read=/data`, …) for a killable worker's subprocess, in
   * place of the permissions the parent holds. Hosts that cannot confine a worker throw an
   * `UnsupportedError` when it is set. @default the parent's permissions */
  readonly permissions?: readonly string[];
}

/** Creates Web Workers (Deno/Bun `Worker`, Node `worker_threads` behind the same shape). */
export interface WorkerFactory {
  /** Starts a module worker from `url` (a `.ts` or `.js` module). */
  create(url: URL, options?: CreateWorkerOptions): WorkerLike;
}

/** What a host can do beyond files, time and environment. */
export interface RuntimeCapabilities {
  /** `spawn` can start programs (`bash:`, `sh:`, `lang: python` and `docker:` stages need it). */
  readonly subprocesses: boolean;
  /** `workers.create` can start workers (JavaScript `run:` stages need it). */
  readonly workers: boolean;
}

/** Who a process is: enough to tell it from a later process that got the same pid. */
export interface ProcessIdentity {
  /** Host name of the machine. */
  readonly host: string;
  /** Process id. */
  readonly pid: number;
  /** When the process started, in the host's own terms (Linux: the start time in clock ticks
   * since boot from `/proc/<pid>/stat`); `""` where the host cannot tell. */
  readonly startTime: string;
}

/** The host's process table: who this process is and whether another one still runs. */
export interface ProcessTable {
  /** This process. */
  self(): ProcessIdentity;
  /**
   * Whether the process `identity` names still runs on this host: `false` once its pid is gone
   * or now belongs to a process that started at another time. A process on another host, or
   * one the host cannot check, counts as alive (a caller then relies on leases instead).
   */
  isAlive(identity: ProcessIdentity): Promise<boolean>;
}

/** Everything the core needs from its host. */
export interface Runtime {
  /** Which implementation this is. */
  readonly name: "deno" | "bun" | "node" | "memory" | "web";
  /** What this host can do; a missing field (or object) means it can. Stages that need a
   * missing capability fail at once with a message naming it, and `validate` reports them.
   * @default {subprocesses: true, workers: true} */
  readonly capabilities?: RuntimeCapabilities;
  /** Filesystem access. */
  readonly fs: RuntimeFs;
  /** Time. */
  readonly clock: Clock;
  /** Environment variables. */
  readonly env: RuntimeEnv;
  /** Subprocesses. */
  readonly spawn: Spawner;
  /** Workers. */
  readonly workers: WorkerFactory;
  /** Current working folder (absolute, `/` separators). */
  cwd(): string;
  /** The process table, for telling whether the owner of a run record still runs. Absent
   * where the host has none (edge runtimes): owners are then judged by their leases. */
  readonly processes?: ProcessTable;
  /**
   * Imports a user module (task group, filter module) given as a URL. Hosts that need help
   * with TypeScript modules (Node without type stripping) implement it.
   * @default the host's own `import()`
   */
  importModule?(specifier: string): Promise<Record<string, unknown>>;
}
