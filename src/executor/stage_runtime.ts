/**
 * The runtime stages see: the host's, minus the server's own credentials. Subprocesses and
 * workers started through it do not inherit them, and `${VAR}` templates cannot read them.
 *
 * @module
 */

import type { OpenOptions, Runtime, RuntimeEnv } from "../runtime/types.ts";

/**
 * `runtime` with the env variables `hidden` removed from what stages can reach: `env.get` and
 * `env.toObject` leave them out, and every spawn and worker is told not to inherit them.
 * With nothing to hide, returns `runtime` itself.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "@ddeutil/workflow";
 *
 * const stages = hideEnv(detectRuntime(), ["WORKFLOW_API_TOKEN"]);
 * stages.env.get("WORKFLOW_API_TOKEN"); // undefined
 * ```
 */
export function hideEnv(runtime: Runtime, hidden: readonly string[]): Runtime {
  if (hidden.length === 0) return runtime;
  const names = [...hidden];
  const base = runtime.env;
  const env: RuntimeEnv = {
    get: (name) => (names.includes(name) ? undefined : base.get(name)),
    toObject: () => {
      const all = base.toObject();
      for (const name of names) delete all[name];
      return all;
    },
  };
  return {
    name: runtime.name,
    ...(runtime.capabilities ? { capabilities: runtime.capabilities } : {}),
    fs: runtime.fs,
    clock: runtime.clock,
    env,
    spawn: {
      spawn: (command, options = {}) =>
        runtime.spawn.spawn(command, {
          ...options,
          unsetEnv: [...names, ...(options.unsetEnv ?? [])],
        }),
      ...(runtime.spawn.open
        ? {
          open: (command: readonly string[], options: OpenOptions = {}) =>
            runtime.spawn.open!(command, {
              ...options,
              unsetEnv: [...names, ...(options.unsetEnv ?? [])],
            }),
        }
        : {}),
    },
    workers: {
      create: (url, options = {}) =>
        runtime.workers.create(url, {
          ...options,
          unsetEnv: [...names, ...(options.unsetEnv ?? [])],
        }),
    },
    cwd: () => runtime.cwd(),
  };
}
