/**
 * `image:` (docker) stage. It validates like any stage, but no container
 * engine is reachable from this runtime, so running it fails clearly.
 *
 * @module
 */

import type { DockerStage } from "../models/types.ts";
import { NonRetriableError } from "../errors.ts";
import type { StageHandler } from "./types.ts";
import { missingHostFeature } from "./_host.ts";

/** Fails with a "no container engine" error naming the image. */
export const runDockerStage: StageHandler<DockerStage> = (stage, ctx) => {
  const missing = missingHostFeature(stage, ctx.runtime, ctx.defaultRunLang);
  if (missing) return Promise.reject(new NonRetriableError(missing));
  const image = ctx.renderString(stage.tag ? `${stage.image}:${stage.tag}` : stage.image);
  return Promise.reject(
    new NonRetriableError(
      `docker stage '${ctx.stageName}' cannot run image '${image}': no container engine is ` +
        `available to this runtime; run the job on a host with one, or use a shell stage`,
    ),
  );
};
