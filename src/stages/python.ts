/**
 * Warm `python3` interpreters for `lang: python` run stages. An engine keeps a
 * {@linkcode PythonPool} (one started spare, so a job's first Python stage does not wait for
 * Python to start); each job (each matrix combination) opens a {@linkcode PythonSession} that
 * holds one interpreter for the stages of that job only and kills it when the job ends. An
 * interpreter never serves two jobs, so never two runs.
 *
 * Values a stage leaves that are not JSON (functions, other objects) stay in the interpreter;
 * the stage's outputs hold a {@linkcode PythonObject} for each, which later stages of the same
 * job receive back as the live value through `vars`, and which shows as the function's name
 * (or the object's `repr`) everywhere else, as the reference's job output does.
 *
 * @module
 */

import type { OpenProcess, Spawner } from "../runtime/types.ts";
import { StageError, UnsupportedError } from "../errors.ts";
import { PYTHON_HOST_SOURCE, PYTHON_OBJECT_KEY } from "./_python_host.ts";

/** Where a {@linkcode PythonObject} lives: its interpreter and its number there. */
const homes = new WeakMap<
  PythonObject,
  { readonly interpreter: Interpreter; readonly id: number }
>();

/**
 * A value a Python stage left in its interpreter (a function, an object that is not JSON).
 * Serialises as {@linkcode PythonObject.display}; passed in a later stage's `vars` of the same
 * job, it is the live value again.
 */
export class PythonObject {
  /** What users see: a function's name, else the object's `repr()`. */
  readonly display: string;

  /** Made by {@linkcode PythonSession} only. */
  constructor(display: string) {
    this.display = display;
  }

  /** The display text (so JSON, traces and stores show `"echo"` for a function `echo`). */
  toJSON(): string {
    return this.display;
  }

  /** The display text. */
  toString(): string {
    return this.display;
  }
}

/** What a Python stage sends: rendered code and vars, the plain run context. */
export interface PythonRequest {
  /** Rendered Python source. */
  readonly code: string;
  /** Rendered `vars`: the code's variables ({@linkcode PythonObject}s become live values). */
  readonly vars: Record<string, unknown>;
  /** The scope, seen by the code as the dict `context` (sent as JSON). */
  readonly context: unknown;
  /** W3C trace context, set as `TRACEPARENT` while the stage runs. */
  readonly traceparent?: string;
}

/** What a Python stage produced. */
export interface PythonReply {
  /** New top-level values: JSON ones as they are, others as {@linkcode PythonObject}s. */
  readonly outputs: Record<string, unknown>;
  /** What the code printed. */
  readonly stdout: string;
  /** What the code wrote to `sys.stderr`. */
  readonly stderr: string;
}

/** One reply line of the interpreter host (see `_python_host.ts`). */
export interface WireReply {
  /** Number of the request it answers. */
  readonly id: number;
  /** Whether the code ran without raising. */
  readonly ok: boolean;
  /** New top-level JSON values. */
  readonly outputs?: Record<string, unknown>;
  /** New top-level values kept in the interpreter, by name: their number there and text. */
  readonly objects?: Record<string, { readonly id: number; readonly display: string }>;
  /** The formatted traceback when `ok` is false. */
  readonly error?: string;
  /** What the code printed. */
  readonly stdout: string;
  /** What the code wrote to `sys.stderr`. */
  readonly stderr: string;
}

/** Keeps the last `max` characters of what the interpreter wrote to its stderr. */
const STDERR_TAIL = 4096;

/** One `python3` process running the host loop (made by {@linkcode PythonPool}). */
export class Interpreter {
  #buffer = "";
  #stderr = "";
  #next = 0;
  #waiting?: { id: number; resolve: (reply: WireReply) => void; reject: (e: Error) => void };
  #exit?: string;
  private constructor(readonly child: OpenProcess) {}

  /** Starts `python3` with the host loop. @throws {UnsupportedError} when it cannot start. */
  static async start(spawner: Spawner): Promise<Interpreter> {
    if (!spawner.open) {
      throw new UnsupportedError(
        "this runtime's spawner cannot keep a process open (Spawner.open)",
      );
    }
    // Output can only follow a request, which needs the interpreter made below.
    const made: { interpreter?: Interpreter } = {};
    const child = await spawner.open(["python3", "-c", PYTHON_HOST_SOURCE], {
      onStdout: (chunk) => made.interpreter && made.interpreter.#read(chunk),
      onStderr: (chunk) => made.interpreter && made.interpreter.#keepStderr(chunk),
    });
    const interpreter = made.interpreter = new Interpreter(child);
    child.exited.then((status) => {
      interpreter.#exit = status.signal ?? `exit code ${status.code}`;
      interpreter.#fail();
    });
    return interpreter;
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** Sends one request and resolves with its reply; rejects when the process ends first. */
  send(message: Record<string, unknown>): Promise<WireReply> {
    if (!this.alive) return Promise.reject(this.#crashError());
    const id = ++this.#next;
    this.#stderr = "";
    return new Promise<WireReply>((resolve, reject) => {
      this.#waiting = { id, resolve, reject };
      this.child.write(JSON.stringify({ ...message, id }) + "\n").catch(() => this.#fail());
    });
  }

  /** Kills the process (and anything it started). */
  kill(): void {
    this.child.kill();
  }

  #keepStderr(chunk: string): void {
    this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
  }

  #read(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf("\n")) >= 0) {
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      const waiting = this.#waiting;
      let reply: WireReply;
      try {
        reply = JSON.parse(line) as WireReply;
      } catch {
        continue;
      }
      if (waiting && reply.id === waiting.id) {
        this.#waiting = undefined;
        waiting.resolve(reply);
      }
    }
  }

  #fail(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(this.#crashError());
  }

  #crashError(): Error {
    const tail = lastLines(this.#stderr, 8);
    return new StageError(
      `the python3 interpreter ended (${this.#exit ?? "stdin closed"}) while running the stage` +
        (tail ? `:\n${tail}` : ""),
    );
  }
}

/** The last `count` non-empty lines of `text`. */
function lastLines(text: string, count: number): string {
  return text.trim().split("\n").slice(-count).join("\n");
}

/** Options of {@linkcode PythonPool}. */
export interface PythonPoolOptions {
  /** Interpreters kept started and unused, so a job's first Python stage need not wait for
   * Python to start. Each is used by one job only, then killed. @default 1 */
  readonly spares?: number;
}

/** Starts interpreters for an engine and keeps a spare ready. */
export class PythonPool {
  readonly #spawner: Spawner;
  readonly #spares: number;
  #ready: Promise<Interpreter | undefined>[] = [];
  readonly #running = new Set<Interpreter>();
  #closed = false;

  /** A pool that starts `python3` through `spawner`; nothing starts before the first use. */
  constructor(spawner: Spawner, options: PythonPoolOptions = {}) {
    this.#spawner = spawner;
    this.#spares = Math.max(0, options.spares ?? 1);
  }

  /**
   * A fresh interpreter (a spare if one is ready), to be used by one job and then killed.
   *
   * @throws {UnsupportedError} when `python3` cannot be started.
   */
  async acquire(): Promise<Interpreter> {
    if (this.#closed) throw new StageError("the engine has been closed");
    let interpreter: Interpreter | undefined;
    while (!interpreter && this.#ready.length > 0) {
      const spare = await this.#ready.shift()!;
      if (spare?.alive) interpreter = spare;
    }
    interpreter ??= this.#track(await Interpreter.start(this.#spawner));
    interpreter.child.ref();
    return interpreter;
  }

  /** Kills an interpreter a job is done with and starts a spare for the next job (starting a
   * process blocks the host for a moment, so it happens between jobs, not while one runs). */
  release(interpreter: Interpreter): void {
    interpreter.kill();
    this.#refill();
  }

  /** Kills every interpreter this pool started, spares and busy ones. */
  async close(): Promise<void> {
    this.#closed = true;
    const ready = this.#ready;
    this.#ready = [];
    for (const interpreter of this.#running) interpreter.kill();
    for (const spare of await Promise.all(ready)) spare?.kill();
  }

  #track(interpreter: Interpreter): Interpreter {
    this.#running.add(interpreter);
    interpreter.child.exited.then(() => this.#running.delete(interpreter));
    return interpreter;
  }

  #refill(): void {
    while (!this.#closed && this.#ready.length < this.#spares) {
      this.#ready.push(
        Interpreter.start(this.#spawner).then(async (interpreter) => {
          this.#track(interpreter);
          if (this.#closed) interpreter.kill();
          // One empty stage first, so the job's first stage finds `exec` and `json` warm.
          await interpreter.send({ code: "", vars: {}, context: {} });
          // An idle spare must not keep the host process alive.
          interpreter.child.unref();
          return interpreter;
        }).catch(() => undefined),
      );
    }
  }
}

/** One job's interpreter: its Python stages run in it one at a time, in order. */
export class PythonSession {
  readonly #pool: PythonPool;
  #interpreter?: Interpreter;
  #queue: Promise<unknown> = Promise.resolve();
  #objects = false;

  /** A session that takes its interpreter from `pool` on first use. */
  constructor(pool: PythonPool) {
    this.#pool = pool;
  }

  /**
   * Runs one stage's code. Aborting `signal` kills the interpreter (the next stage of the job
   * gets a fresh one) and rejects with `signal.reason`.
   *
   * @throws {StageError} with the traceback's tail when the code raises, or when the
   * interpreter dies; {@linkcode UnsupportedError} when `python3` cannot be started.
   */
  run(request: PythonRequest, options: { signal: AbortSignal }): Promise<PythonReply> {
    const turn = this.#queue.then(() => this.#runNow(request, options.signal));
    this.#queue = turn.catch(() => {});
    return turn;
  }

  /**
   * Kills the interpreter and, when it made any {@linkcode PythonObject}, replaces those found
   * in `entries` (the job's stage entries) by their display text: they cannot be used any more.
   */
  close(entries?: Record<string, unknown>): void {
    const interpreter = this.#interpreter;
    this.#interpreter = undefined;
    if (interpreter) this.#pool.release(interpreter);
    if (this.#objects && entries) settleObjects(entries, new Set());
  }

  async #runNow(request: PythonRequest, signal: AbortSignal): Promise<PythonReply> {
    signal.throwIfAborted();
    const vars = this.#wireVars(request.vars);
    let interpreter = this.#interpreter;
    if (!interpreter?.alive) {
      try {
        interpreter = this.#interpreter = await this.#pool.acquire();
      } catch (error) {
        if (error instanceof StageError) throw error;
        throw new UnsupportedError(
          `needs python3 for lang: python, but it could not be started (${
            error instanceof Error ? error.message : String(error)
          }); install Python 3 or use JavaScript`,
        );
      }
    }
    signal.throwIfAborted();
    const running = interpreter;
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        // The code may be stuck anywhere: only a new interpreter is safe now.
        if (this.#interpreter === running) this.#interpreter = undefined;
        running.kill();
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
    let reply: WireReply;
    try {
      reply = await Promise.race([
        running.send({
          code: request.code,
          vars,
          context: request.context,
          traceparent: request.traceparent,
        }),
        aborted,
      ]);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (this.#interpreter === running) this.#interpreter = undefined;
      throw error;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    if (!reply.ok) {
      const tail = lastLines(`${reply.stderr}\n${reply.error ?? ""}`, 8);
      throw new PythonCodeError(`python code failed${tail ? `:\n${tail}` : ""}`, reply.stdout);
    }
    const outputs: Record<string, unknown> = { ...reply.outputs };
    for (const [name, made] of Object.entries(reply.objects ?? {})) {
      const object = new PythonObject(made.display);
      homes.set(object, { interpreter: running, id: made.id });
      outputs[name] = object;
      this.#objects = true;
    }
    return { outputs, stdout: reply.stdout, stderr: reply.stderr };
  }

  /** `vars` with each {@linkcode PythonObject} as its wire marker. */
  #wireVars(vars: Record<string, unknown>): Record<string, unknown> {
    if (!this.#objects) return vars;
    return this.#wire(vars, "vars") as Record<string, unknown>;
  }

  #wire(value: unknown, path: string): unknown {
    if (value instanceof PythonObject) {
      const home = homes.get(value);
      if (!home || home.interpreter !== this.#interpreter || !home.interpreter.alive) {
        throw new StageError(
          `${path} is the Python object '${value.display}' of an interpreter that has ended ` +
            "(after a timeout, a cancel or a crash); define it again in this job",
        );
      }
      return { [PYTHON_OBJECT_KEY]: home.id };
    }
    if (Array.isArray(value)) return value.map((item, i) => this.#wire(item, `${path}[${i}]`));
    if (value !== null && typeof value === "object" && !(value instanceof Date)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        out[key] = this.#wire(item, `${path}.${key}`);
      }
      return out;
    }
    return value;
  }
}

/** A Python stage's code raised: carries what it printed before. */
export class PythonCodeError extends StageError {
  /** What the code printed before it raised. */
  readonly stdout: string;

  /** An error with `message`, after the code printed `stdout`. */
  constructor(message: string, stdout: string) {
    super(message);
    this.stdout = stdout;
  }
}

/** Replaces, in place, every {@linkcode PythonObject} below `value` by its display text. */
function settleObjects(value: Record<string, unknown> | unknown[], seen: Set<object>): void {
  if (seen.has(value)) return;
  seen.add(value);
  for (const [key, item] of Object.entries(value)) {
    if (item instanceof PythonObject) {
      (value as Record<string, unknown>)[key] = item.display;
    } else if (item !== null && typeof item === "object" && !(item instanceof Date)) {
      settleObjects(item as Record<string, unknown>, seen);
    }
  }
}
