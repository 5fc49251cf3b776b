/**
 * The error of a host that is asked to confine a worker's permissions but
 * cannot: Bun's and Node's workers are threads of the engine's own process.
 *
 * @module
 */
import { UnsupportedError } from "../errors.ts";

/** The error for a worker asked to run with confined permissions on `host`, which cannot. */
export function confinementUnsupported(host: string): UnsupportedError {
  return new UnsupportedError(
    `WORKFLOW_CORE_RUN_PERMISSIONS is set, but ${host} cannot confine JavaScript run stages ` +
      "(they run in worker threads with the engine's full access); unset it, or run the engine " +
      "on Deno, where each JavaScript worker is a subprocess started with only those permissions",
  );
}
