/**
 * A {@linkcode Runtime} for edge hosts (Cloudflare Workers, Deno Deploy, Vercel Edge…) built
 * on web APIs alone: the real clock (`Date.now`, `setTimeout`, `AbortSignal.timeout`), an
 * in-memory filesystem, an environment from a plain object, and no subprocesses or workers.
 *
 * @module
 */
import { UnsupportedError } from "../errors.ts";
import { systemClock } from "./_clock.ts";
import { MemoryFs, normalizeAbsolute } from "./_memory_fs.ts";
import type { Runtime } from "./types.ts";

/** Options of {@linkcode createWebRuntime}. */
export interface WebRuntimeOptions {
  /** Initial files of the in-memory filesystem, by path (relative to `cwd`). @default {} */
  readonly files?: Readonly<Record<string, string>>;
  /** Environment variables (a Worker's `env` bindings that are strings, say). Values that
   * are not strings are left out. @default {} */
  readonly env?: Readonly<Record<string, unknown>>;
  /** Working folder of the in-memory filesystem. @default "/" */
  readonly cwd?: string;
}

/** A {@linkcode Runtime} for web-standard hosts: real time, no subprocesses, no workers. */
export interface WebRuntime extends Runtime {
  /** Always `"web"`. */
  readonly name: "web";
  /** Always `{subprocesses: false, workers: false}`. */
  readonly capabilities: { readonly subprocesses: false; readonly workers: false };
}

/**
 * Creates a runtime for edge hosts. Creating it touches no timer, random source or network,
 * so it may run at a Worker's module scope; time is only read when a run uses it.
 *
 * `bash:`/`sh:`, `run:` and `docker:` stages need subprocesses or workers, which edge hosts
 * do not have: they fail at once with a message saying so, and `validate` reports them.
 *
 * @example
 * ```ts
 * const runtime = createWebRuntime({ env: { WORKFLOW_CORE_TIMEZONE: "Asia/Bangkok" } });
 * runtime.env.get("WORKFLOW_CORE_TIMEZONE"); // "Asia/Bangkok"
 * ```
 */
export function createWebRuntime(options: WebRuntimeOptions = {}): WebRuntime {
  const cwd = normalizeAbsolute(options.cwd ?? "/");
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (typeof value === "string") env[name] = value;
  }
  return {
    name: "web",
    capabilities: { subprocesses: false, workers: false },
    fs: new MemoryFs(cwd, systemClock, { ...options.files }),
    clock: systemClock,
    env: { get: (name) => env[name], toObject: () => ({ ...env }) },
    spawn: {
      spawn(command) {
        return Promise.reject(
          new UnsupportedError(
            `cannot run "${command[0] ?? ""}": the web runtime has no subprocesses ` +
              "(bash:, sh:, lang: python and docker: stages need a Deno, Bun or Node host)",
          ),
        );
      },
      open(command) {
        return Promise.reject(
          new UnsupportedError(
            `cannot run "${command[0] ?? ""}": the web runtime has no subprocesses ` +
              "(bash:, sh:, lang: python and docker: stages need a Deno, Bun or Node host)",
          ),
        );
      },
    },
    workers: {
      create() {
        throw new UnsupportedError(
          "the web runtime has no workers (JavaScript run: stages need a Deno, Bun or Node host)",
        );
      },
    },
    cwd: () => cwd,
  };
}
