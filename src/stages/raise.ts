/**
 * `raise` stage: fails with a rendered message.
 *
 * @module
 */

import type { RaiseStage } from "../models/types.ts";
import { NonRetriableError } from "../errors.ts";
import type { StageHandler } from "./types.ts";
import type { StageKindDefinition } from "./kind.ts";
import { textField } from "../models/stage.ts";
import { scalar } from "../models/json_schema.ts";

/** Always fails with the rendered `raise:` message (retries would not change it). */
export const runRaiseStage: StageHandler<RaiseStage> = (stage, ctx) => {
  return Promise.reject(new NonRetriableError(ctx.renderString(stage.message)));
};

/** `raise: message`. */
export const raiseKind: StageKindDefinition<RaiseStage> = {
  kind: "raise",
  selectors: ["raise"],
  keys: ["raise"],
  schema: {
    description: "Fails with the rendered message (never retried).",
    properties: { raise: scalar("Message of the failure this stage raises.") },
    required: ["raise"],
  },
  parse: (raw, base, { path, issues }) => ({
    ...base,
    kind: "raise",
    message: textField(raw, "raise", path, issues) ?? "",
  }),
  run: runRaiseStage,
};
