// Loads a folder of tests/fixtures/config into an in-memory runtime under /conf.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMemoryRuntime, type MemoryRuntime } from "../../src/runtime/memory.ts";
import { type ConfigIndex, loadConfig, type LoadConfigOptions } from "../../src/config/loader.ts";
import { type ConfigIssue, formatIssue } from "../../src/errors.ts";
// parseYaml() falls back to the full parser for texts outside the small reader's layout.
import "../../src/config/yaml_full.ts";

const root = fileURLToPath(new URL("../fixtures/config/", import.meta.url));

function collect(dir: string, prefix: string, out: Record<string, string>): void {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) collect(full, `${prefix}${entry}/`, out);
    else out[`${prefix}${entry}`] = readFileSync(full, "utf8");
  }
}

/** The files of fixture folder `name`, keyed by `/conf/<relative path>`. */
export function fixtureFiles(name: string): Record<string, string> {
  const files: Record<string, string> = {};
  collect(join(root, name), "/conf/", files);
  return files;
}

/** A memory runtime holding `files`. */
export function runtimeWith(files: Record<string, string>): MemoryRuntime {
  return createMemoryRuntime({ files });
}

/** Loads fixture folder `name` as the config root. */
export function loadFixture(
  name: string,
  options: Omit<LoadConfigOptions, "confPath"> = {},
): Promise<ConfigIndex> {
  return loadConfig(runtimeWith(fixtureFiles(name)), { ...options, confPath: "/conf" });
}

/** Formatted issues of one file. */
export function issuesOf(issues: readonly ConfigIssue[], file: string): string[] {
  return issues.filter((issue) => issue.file === file).map(formatIssue);
}
