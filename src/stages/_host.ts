/**
 * Which stages a host cannot run. Each kind says what it needs from the host
 * (`hostNeed` of its definition: `bash:`/`sh:`, `lang: python` and `docker:` stages need
 * subprocesses, JavaScript `run:` stages need workers). Edge hosts have neither, so those
 * stages fail at once (and `validate` reports them) with a message that says why.
 *
 * @module
 */

import { NonRetriableError } from "../errors.ts";
import type { Runtime } from "../runtime/types.ts";

/** What a stage needs from the host, and how to name the stage in a message. */
export interface HostNeed {
  /** The runtime capability the stage needs. */
  readonly need: "subprocesses" | "workers";
  /** The stage as a user wrote it: `a bash: stage`, `a JavaScript run: stage`. */
  readonly what: string;
}

/** Why a stage with `need` cannot run on `runtime`, as a sentence; `undefined` when it can. */
export function missingHostFeature(
  need: HostNeed | undefined,
  runtime: Pick<Runtime, "name" | "capabilities">,
): string | undefined {
  const capabilities = runtime.capabilities;
  if (!capabilities || !need || capabilities[need.need]) return undefined;
  return `${need.what} cannot run here: this runtime has no ${need.need} (runtime: ` +
    `${runtime.name}); run this workflow on a Deno, Bun or Node host, or use echo/sleep/uses: stages`;
}

/** Throws a {@linkcode NonRetriableError} when `runtime` lacks `need` (see
 * {@linkcode missingHostFeature}); retrying would not help. */
export function assertHostCanRun(
  need: HostNeed | undefined,
  runtime: Pick<Runtime, "name" | "capabilities">,
): void {
  const problem = missingHostFeature(need, runtime);
  if (problem) throw new NonRetriableError(problem);
}
