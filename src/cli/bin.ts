#!/usr/bin/env -S deno run -A --unstable-lazy-dynamic-imports
/**
 * Executable entry of the `workflow` command (the npm `bin`).
 *
 * @module
 */

import { main } from "./main.ts";

await main();
