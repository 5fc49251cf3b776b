#!/usr/bin/env -S deno run -A
/**
 * Executable entry of the `workflow` command (the npm `bin`).
 *
 * @module
 */

import { main } from "./main.ts";

await main();
