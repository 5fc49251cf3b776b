/**
 * A stage kind, whole: its syntax (selecting keys, keys, parsing, JSON Schema fragment,
 * nested stages; see `StageKindSyntax` in `src/models/stage.ts`) and how it runs. Each file
 * under `src/stages/` named after a kind exports one; `src/stages/kinds.ts` lists them.
 *
 * @module
 */

import type { Stage } from "../models/types.ts";
import type { StageKindSyntax } from "../models/stage.ts";
import type { StageContext, StageOutcome } from "./types.ts";
import type { HostNeed } from "./_host.ts";

/** Everything about one stage kind. */
export interface StageKindDefinition<S extends Stage = Stage> extends StageKindSyntax<S> {
  /** Runs a stage of this kind: produces its outputs (the stage runner records the rest). */
  run(stage: S, context: StageContext): Promise<StageOutcome>;
  /**
   * What a stage of this kind needs from the host (subprocesses, workers); absent or
   * `undefined` when it runs anywhere. `defaultRunLang` is the language of `run:` stages
   * without `lang:`. The engine's `checkHost()` and the kind's own `run` both ask it.
   */
  hostNeed?(stage: S, defaultRunLang: string): HostNeed | undefined;
  /** It acts on the world (runs code, calls a task or a workflow): a dry run records it
   * SUCCESS without running it. @default false */
  readonly acts?: boolean;
  /** Its `run` calls user code in this process, which may ignore its signal: the stage runner
   * races it against the abort. @default false */
  readonly runsUserCodeInProcess?: boolean;
  /** Its start and end events are `debug` rather than `info` (its own log line says all
   * there is, as for echo/sleep). @default false */
  readonly quietEdges?: boolean;
}
