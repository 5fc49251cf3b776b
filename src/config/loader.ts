/**
 * The config loader with the full YAML parser loaded: every file can then be parsed
 * synchronously, whatever its layout, so {@linkcode indexConfig} works on any text. This is
 * the module the library (`core.ts`) and code outside `src/` use.
 *
 * Inside `src/`, the engine and the command line import `./config_index.ts` instead, where the
 * full parser (the `yaml` package, about half the start-up of `workflow run` on Deno) is loaded
 * only by {@linkcode loadConfig} and only when a file needs it.
 *
 * @module
 */

import "./yaml_full.ts";

export * from "./config_index.ts";
