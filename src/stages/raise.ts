/**
 * `raise` stage: fails with a rendered message.
 *
 * @module
 */

import type { RaiseStage } from "../models/types.ts";
import { NonRetriableError } from "../errors.ts";
import type { StageHandler } from "./types.ts";

/** Always fails with the rendered `raise:` message (retries would not change it). */
export const runRaiseStage: StageHandler<RaiseStage> = (stage, ctx) => {
  return Promise.reject(new NonRetriableError(ctx.renderString(stage.message)));
};
