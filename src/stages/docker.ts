/**
 * `image:` (docker) stage. It validates like any stage, but no container
 * engine is reachable from this runtime, so running it fails clearly.
 *
 * @module
 */

import type { DockerStage } from "../models/types.ts";
import { NonRetriableError } from "../errors.ts";
import type { StageHandler } from "./types.ts";
import { type HostNeed, missingHostFeature } from "./_host.ts";

const DOCKER_NEED: HostNeed = { need: "subprocesses", what: "a docker: stage" };
import type { StageKindDefinition } from "./kind.ts";
import { type Mutable, readEnv, textField } from "../models/stage.ts";
import { readMap, readString } from "../models/fields.ts";
import { envMap, map, scalar, text } from "../models/json_schema.ts";

/** Fails with a "no container engine" error naming the image. */
export const runDockerStage: StageHandler<DockerStage> = (stage, ctx) => {
  const missing = missingHostFeature(DOCKER_NEED, ctx.runtime);
  if (missing) return Promise.reject(new NonRetriableError(missing));
  const image = ctx.renderString(stage.tag ? `${stage.image}:${stage.tag}` : stage.image);
  return Promise.reject(
    new NonRetriableError(
      `docker stage '${ctx.stageName}' cannot run image '${image}': no container engine is ` +
        `available to this runtime; run the job on a host with one, or use a shell stage`,
    ),
  );
};

/** `image:` and its container settings. */
export const dockerKind: StageKindDefinition<DockerStage> = {
  kind: "docker",
  selectors: ["image"],
  keys: ["image", "tag", "env", "volume", "auth"],
  schema: {
    description: "Runs a container image (needs a container engine).",
    properties: {
      image: scalar("Container image."),
      tag: text("Image tag."),
      env: envMap("Container environment."),
      volume: map("Volumes."),
      auth: map("Registry credentials."),
    },
    required: ["image"],
  },
  parse(raw, base, { path, issues }) {
    const stage: Mutable<DockerStage> = {
      ...base,
      kind: "docker",
      image: textField(raw, "image", path, issues) ?? "",
      env: readEnv(raw, path, issues),
      volume: readMap(raw, "volume", path, issues),
      auth: readMap(raw, "auth", path, issues),
    };
    const tag = readString(raw, "tag", path, issues);
    if (tag !== undefined) stage.tag = tag;
    return stage;
  },
  hostNeed: () => DOCKER_NEED,
  acts: true,
  run: runDockerStage,
};
