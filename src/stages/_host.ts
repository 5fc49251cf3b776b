/**
 * Which stages a host cannot run: `bash:`/`sh:`, `lang: python` and `docker:` stages need
 * subprocesses, JavaScript `run:` stages need workers. Edge hosts have neither, so those
 * stages fail at once (and `validate` reports them) with a message that says why.
 *
 * @module
 */

import { NonRetriableError } from "../errors.ts";
import type { Stage } from "../models/types.ts";
import type { Runtime } from "../runtime/types.ts";

/** What a stage of `kind` needs from the host that `runtime` lacks, as a sentence; `undefined`
 * when the host can run it. `defaultRunLang` is the language of `run:` stages without `lang:`. */
export function missingHostFeature(
  stage: Stage,
  runtime: Pick<Runtime, "name" | "capabilities">,
  defaultRunLang: string,
): string | undefined {
  const capabilities = runtime.capabilities;
  if (!capabilities) return undefined;
  let need: "subprocesses" | "workers";
  let what: string;
  if (stage.kind === "shell") {
    need = "subprocesses";
    what = `a ${stage.shell}: stage`;
  } else if (stage.kind === "docker") {
    need = "subprocesses";
    what = "a docker: stage";
  } else if (stage.kind === "run") {
    const python = (stage.lang ?? defaultRunLang) === "python";
    need = python ? "subprocesses" : "workers";
    what = python ? "a run: stage with lang: python" : "a JavaScript run: stage";
  } else {
    return undefined;
  }
  if (capabilities[need]) return undefined;
  return `${what} cannot run here: this runtime has no ${need} (runtime: ${runtime.name}); ` +
    "run this workflow on a Deno, Bun or Node host, or use echo/sleep/uses: stages";
}

/** Throws a {@linkcode NonRetriableError} when the host cannot run `stage` (see
 * {@linkcode missingHostFeature}); retrying would not help. */
export function assertHostCanRun(
  stage: Stage,
  runtime: Pick<Runtime, "name" | "capabilities">,
  defaultRunLang: string,
): void {
  const problem = missingHostFeature(stage, runtime, defaultRunLang);
  if (problem) throw new NonRetriableError(problem);
}
