/**
 * Workers on Deno. Plain workers are Deno's Web `Worker` (a thread).
 * Killable workers run in a `deno run` subprocess hosted by
 * `_deno_process_host.ts`: Deno's `Worker.terminate()` leaves a busy loop
 * (`while (true) {}`) burning CPU and the process never exits (still so in
 * Deno 2.9; `node:worker_threads` lets the process exit but the thread keeps
 * spinning until it does), whereas killing a subprocess always works. The cost
 * is start-up (one `deno` process per worker, ~tens of ms, paid once per pooled
 * worker) and messages that travel over pipes instead of in memory, as frames
 * (`_frames.ts`: JSON when it carries the value faithfully, else V8-serialized)
 * read into one reused buffer on each side. The subprocess gets the
 * `permissions` flags it is created with (`WORKFLOW_CORE_RUN_PERMISSIONS`),
 * else the permissions the parent holds in full (`--allow-<name>`; partial
 * grants such as `--allow-read=/x` are not mirrored). Either way it may read
 * the folders of its own entry modules, which it must load. A process that
 * ends by itself (`process.exit()`, an uncaught error) is reported through
 * `onerror` with its exit code and the tail of its stderr.
 *
 * @module
 */
import { UnsupportedError } from "../errors.ts";
import type * as Frames from "./_frames.ts";
import { denoApi, type DenoChildProcess } from "./_deno_api.ts";
import { denoCommandEnv } from "./_env.ts";
import type { CreateWorkerOptions, WorkerErrorEvent, WorkerFactory, WorkerLike } from "./types.ts";

// The frame codec needs `node:v8`, which loads Deno's Node compatibility layer: it is loaded
// with the first worker process, not with the adapter (so `workflow version` starts faster).
let frames: typeof Frames | undefined;
const loadFrames = async (): Promise<typeof Frames> => frames ??= await import("./_frames.ts");

const PERMISSIONS = ["read", "write", "net", "env", "run", "sys", "ffi"];

function parentFlags(): string[] {
  const deno = denoApi();
  const flags: string[] = [];
  for (const name of PERMISSIONS) {
    try {
      if (deno.permissions.querySync({ name }).state === "granted") flags.push(`--allow-${name}`);
    } catch {
      // Unknown permission name on this Deno version.
    }
  }
  return flags;
}

function permissionFlags(entry: URL, host: URL, requested?: readonly string[]): string[] {
  const flags = requested ? [...requested] : parentFlags();
  // Several `--allow-read=` flags add up, so the entry folders join a partial read grant.
  if (!flags.includes("--allow-read")) {
    const dirs = [entry, host].filter((url) => url.protocol === "file:").map((url) =>
      decodeURIComponent(new URL(".", url).pathname)
    );
    if (dirs.length > 0) flags.push(`--allow-read=${dirs.join(",")}`);
  }
  return flags;
}

/** A worker living in a `deno run` subprocess; `terminate()` kills the process. */
class DenoProcessWorker implements WorkerLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: WorkerErrorEvent) => void) | null = null;
  readonly #child: DenoChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #terminated = false;
  #stderrTail = "";
  /** Messages waiting for the frame codec to load, in order. */
  #queued?: Promise<typeof Frames>;

  constructor(url: URL, unsetEnv: readonly string[], permissions: readonly string[] | undefined) {
    const deno = denoApi();
    // tsc does not rewrite this URL, so pick the extension this module was loaded with.
    const extension = import.meta.url.endsWith(".js") ? ".js" : ".ts";
    const hostUrl = new URL(`./_deno_process_host${extension}`, import.meta.url);
    const args = [
      "run",
      "--no-config",
      "--no-prompt",
      ...permissionFlags(url, hostUrl, permissions),
      hostUrl.href,
      url.href,
    ];
    try {
      this.#child = new deno.Command(deno.execPath(), {
        args,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        // NO_COLOR: plain text for the error message built from the stderr tail.
        ...denoCommandEnv(() => deno.env.toObject(), unsetEnv, { NO_COLOR: "1" }),
      }).spawn();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UnsupportedError(
        `Cannot start a killable worker process (${reason}). On Deno, code that must be ` +
          "stoppable runs in a subprocess, which needs --allow-run.",
        { cause: error },
      );
    }
    this.#writer = this.#child.stdin.getWriter();
    this.#writer.closed.catch(() => {/* the process ended */});
    void this.#readMessages();
    const stderrRead = this.#readErrors();
    // The exit is reported once stderr is drained, so its message holds the error text.
    void Promise.all([this.#child.status, stderrRead]).then(([status]) => {
      if (this.#terminated) return;
      this.#terminated = true;
      const detail = this.#stderrTail.trim();
      this.onerror?.({
        message: `worker process exited with code ${status.code}${detail ? `: ${detail}` : ""}`,
        exitCode: status.code,
      });
    });
  }

  async #readMessages(): Promise<void> {
    const decoder = new (await loadFrames()).FrameDecoder();
    // A BYOB reader fills one buffer over and over (the decoder keeps no chunk), where the
    // default reader allocates one per read.
    const reader = this.#child.stdout.getReader({ mode: "byob" });
    let buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const { value, done } = await reader.read(buffer);
        if (done || !value) break;
        for (const data of decoder.push(value)) {
          if (!this.#terminated) this.onmessage?.({ data });
        }
        buffer = new Uint8Array(value.buffer);
      }
    } catch {
      // The pipe closed because the process was killed.
    }
  }

  async #readErrors(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.#child.stderr) {
        this.#stderrTail = (this.#stderrTail + decoder.decode(chunk, { stream: true })).slice(
          -4000,
        );
      }
    } catch {
      // The pipe closed because the process was killed.
    }
  }

  postMessage(message: unknown): void {
    if (frames && !this.#queued) {
      // Encoded here, so a value that cannot be cloned throws to the caller, as with a Worker.
      this.#write(frames.encodeFrame(message));
      return;
    }
    // Sent before the codec loaded (callers wait for the worker's first message, which needs
    // it, so this is rare): keep the order, and report what cannot be cloned as an error.
    this.#queued = (this.#queued ?? loadFrames()).then((codec) => {
      try {
        this.#write(codec.encodeFrame(message));
      } catch (error) {
        this.onerror?.({ message: error instanceof Error ? error.message : String(error) });
      }
      return codec;
    });
  }

  #write(frame: Uint8Array): void {
    this.#writer.write(frame).catch(() => {/* the process ended; status reports it */});
  }

  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }

  ref(): void {
    this.#child.ref();
  }

  unref(): void {
    this.#child.unref();
  }
}

/** The parts of Deno's Web `Worker` this adapter uses. */
interface DenoWebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string; error?: unknown; preventDefault(): void }) => void) | null;
}

type DenoWebWorkerConstructor = new (
  url: URL,
  options: { type: "module"; name?: string },
) => DenoWebWorker;

/** A Deno Web `Worker` (a thread). It keeps the process alive until terminated. */
class DenoThreadWorker implements WorkerLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: WorkerErrorEvent) => void) | null = null;
  readonly #worker: DenoWebWorker;

  constructor(url: URL, name: string | undefined) {
    const WorkerClass = (globalThis as unknown as { Worker: DenoWebWorkerConstructor }).Worker;
    this.#worker = new WorkerClass(url, { type: "module", name });
    this.#worker.onmessage = (event) => this.onmessage?.({ data: event.data });
    this.#worker.onerror = (event) => {
      // Handled here; without this Deno would end the whole process.
      event.preventDefault();
      this.onerror?.({ message: event.message, error: event.error });
    };
  }

  postMessage(message: unknown): void {
    this.#worker.postMessage(message);
  }

  terminate(): void {
    this.#worker.terminate();
  }
}

/** A {@linkcode WorkerFactory} for Deno (see the module note on `killable`). */
export const denoWorkers: WorkerFactory = {
  create(url: URL, options?: CreateWorkerOptions): WorkerLike {
    return options?.killable
      ? new DenoProcessWorker(url, options.unsetEnv ?? [], options.permissions)
      : new DenoThreadWorker(url, options?.name);
  },
};
