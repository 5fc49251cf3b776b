/**
 * Stage kinds by name.
 *
 * @module
 */

import type { Stage, StageKind } from "../models/types.ts";
import type { StageHandler } from "./types.ts";
import { runEmptyStage } from "./empty.ts";
import { runShellStage } from "./shell.ts";
import { runRunStage } from "./run.ts";
import { runCallStage } from "./call.ts";
import { runTriggerStage } from "./trigger.ts";
import { runParallelStage } from "./parallel.ts";
import { runForEachStage } from "./foreach.ts";
import { runUntilStage } from "./until.ts";
import { runCaseStage } from "./case.ts";
import { runRaiseStage } from "./raise.ts";
import { runDockerStage } from "./docker.ts";

const HANDLERS: Record<StageKind, StageHandler<never>> = {
  empty: runEmptyStage,
  shell: runShellStage,
  run: runRunStage,
  call: runCallStage,
  trigger: runTriggerStage,
  parallel: runParallelStage,
  foreach: runForEachStage,
  until: runUntilStage,
  case: runCaseStage,
  raise: runRaiseStage,
  docker: runDockerStage,
};

/** The handler of a stage kind. */
export function stageHandler(kind: StageKind): StageHandler<Stage> {
  return HANDLERS[kind] as StageHandler<Stage>;
}
