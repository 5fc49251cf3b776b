/**
 * `image:` (docker) stage. It validates like any stage, but no container
 * engine is reachable from this runtime, so running it fails clearly.
 *
 * @module
 */

import type { DockerStage } from "../models/types.ts";
import { NonRetriableError } from "../errors.ts";
import type { StageHandler } from "./types.ts";

/** Fails with a "no container engine" error naming the image. */
export const runDockerStage: StageHandler<DockerStage> = (stage, ctx) => {
  const image = ctx.renderString(stage.tag ? `${stage.image}:${stage.tag}` : stage.image);
  return Promise.reject(
    new NonRetriableError(
      `docker stage '${ctx.stageName}' cannot run image '${image}': no container engine is ` +
        `available to this runtime; run the job on a host with one, or use a shell stage`,
    ),
  );
};
