/**
 * The stage kinds, in the order that decides which kind a stage is when it has the selecting
 * keys of several (DESIGN §3: `bash`/`sh`, `uses`, `trigger`, `foreach`, `until`, `parallel`,
 * `case`/`match`, `run`, `raise`, `image`, else empty). Everything else about stage kinds is
 * derived from this one list: the parse dispatch and key checks, the stage part of
 * `workflow schema`, the template checks' and the engine's walks over nested stages, and the
 * handler the stage runner calls. A new kind is one file exporting a `StageKindDefinition`
 * plus one entry here (and its data shape in `src/models/types.ts`).
 *
 * @module
 */

import type { Stage, StageKind } from "../models/types.ts";
import { StageSyntax } from "../models/stage.ts";
import type { StageKindDefinition } from "./kind.ts";
import type { StageHandler } from "./types.ts";
import { shellKind } from "./shell.ts";
import { callKind } from "./call.ts";
import { triggerKind } from "./trigger.ts";
import { foreachKind } from "./foreach.ts";
import { untilKind } from "./until.ts";
import { parallelKind } from "./parallel.ts";
import { caseKind } from "./case.ts";
import { runKind } from "./run.ts";
import { raiseKind } from "./raise.ts";
import { dockerKind } from "./docker.ts";
import { emptyKind } from "./empty.ts";

/** Every stage kind, in selection priority order (the fallback kind, `empty`, last). */
export const STAGE_KINDS: readonly StageKindDefinition[] = [
  shellKind,
  callKind,
  triggerKind,
  foreachKind,
  untilKind,
  parallelKind,
  caseKind,
  runKind,
  raiseKind,
  dockerKind,
  emptyKind,
];

/** The stage kinds with their dispatch, parsing and walks (what the config loader uses). */
export const STAGE_SYNTAX: StageSyntax<StageKindDefinition> = new StageSyntax(STAGE_KINDS);

const HANDLERS: ReadonlyMap<StageKind, StageHandler<Stage>> = new Map(
  STAGE_KINDS.map((definition) => [definition.kind, definition.run]),
);

/** The handler of a stage kind. @throws {Error} for a kind not in {@linkcode STAGE_KINDS} */
export function stageHandler(kind: StageKind): StageHandler<Stage> {
  const handler = HANDLERS.get(kind);
  if (!handler) throw new Error(`unknown stage kind '${kind}'`);
  return handler;
}
