/**
 * The registry of callable tasks (`uses: group/name@tag`). Functions are
 * marked with {@linkcode tag}; groups come from modules found under the
 * entries of `WORKFLOW_CORE_REGISTRY_CALLER` (group `tasks` = module
 * `<entry>/tasks.ts`, `.js`, or `<entry>/tasks/mod.ts`) or are registered in code.
 *
 * @module
 */

import { RegistryError } from "../errors.ts";
import type { Runtime } from "../runtime/types.ts";
import { isAbsolute, join, moduleUrl } from "../util/path.ts";
import type { CallFunction, CallResolver, CallTarget, StandardSchemaLike } from "./types.ts";
import { NOTIFY_TASKS } from "./tasks/notify.ts";
import { kebab, tagInfo } from "./tag.ts";

export { TAG, tag, type TaggedFunction, type TagInfo, tagInfo, type TagOptions } from "./tag.ts";

interface Entry {
  readonly fn: CallFunction;
  readonly schema?: StandardSchemaLike;
  readonly source: string;
}

const REF = /^([^/@]+)\/([^@]+)@(.+)$/;

/** Options of {@linkcode Registry}. */
export interface RegistryOptions {
  /** Module folders or URLs searched for group modules (`WORKFLOW_CORE_REGISTRY_CALLER`). */
  readonly callers?: readonly string[];
  /** Needed to find group modules on disk. */
  readonly runtime?: Runtime;
  /** Register the built-in groups (`notify`). @default true */
  readonly builtins?: boolean;
}

/** Built-in task groups, resolvable without `WORKFLOW_CORE_REGISTRY_CALLER`. */
export const BUILTIN_GROUPS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  notify: NOTIFY_TASKS,
};

/** Resolves `uses:` references from registered groups and caller modules. */
export class Registry implements CallResolver {
  readonly #groups = new Map<string, Map<string, Map<string, Entry>>>();
  readonly #loaded = new Map<string, Promise<void>>();
  readonly #callers: readonly string[];
  readonly #runtime?: Runtime;

  /** A registry searching `options.callers` for group modules. */
  constructor(options: RegistryOptions = {}) {
    this.#callers = options.callers ?? [];
    this.#runtime = options.runtime;
    if (options.builtins !== false) {
      for (const [group, tasks] of Object.entries(BUILTIN_GROUPS)) {
        this.register(group, tasks, "built-in");
      }
    }
  }

  /**
   * Registers every tagged function among `exports` (a module namespace or a
   * plain object) under `group`.
   *
   * @param group The group name, as in `uses: <group>/<name>@<tag>`.
   * @param exports A module namespace or plain object holding tagged functions.
   * @param source Where they came from, shown in messages.
   *
   * @throws {RegistryError} when `name@tag` already exists in the group.
   */
  register(
    group: string,
    exports: Readonly<Record<string, unknown>> | readonly CallFunction[],
    source = "code",
  ): this {
    const entries: [string, unknown][] = Array.isArray(exports)
      ? exports.map((fn) => [fn.name, fn])
      : Object.entries(exports);
    let functions = this.#groups.get(group);
    if (!functions) this.#groups.set(group, functions = new Map());
    for (const [exportName, value] of entries) {
      const tagged = tagInfo(value);
      if (!tagged) continue;
      const info = tagged.name ? tagged : { ...tagged, name: kebab(exportName) };
      if (!info.name) {
        throw new RegistryError(
          `a task tagged '${info.tag}' in ${source} has no name: give it an alias or export it by name`,
        );
      }
      let tags = functions.get(info.name);
      if (!tags) functions.set(info.name, tags = new Map());
      const existing = tags.get(info.tag);
      if (existing && existing.fn !== value) {
        throw new RegistryError(
          `task '${group}/${info.name}@${info.tag}' is defined twice: in ${existing.source} and in ${source}`,
        );
      }
      tags.set(info.tag, { fn: value as CallFunction, schema: info.schema, source });
    }
    return this;
  }

  /** Resolves `group/name@tag`. */
  async resolve(ref: string): Promise<CallTarget> {
    const match = REF.exec(ref);
    if (!match) {
      throw new RegistryError(`'uses: ${ref}' is not of the form <group>/<function>@<tag>`);
    }
    const [, group, name, tagName] = match;
    await this.#load(group);
    const functions = this.#groups.get(group);
    if (!functions || functions.size === 0) {
      const known = new Set(
        [...this.#groups.keys()].filter((g) => (this.#groups.get(g)?.size ?? 0) > 0),
      );
      for (const found of await this.#discoverGroups()) known.add(found);
      known.delete(group);
      throw new RegistryError(
        `task group '${group}' not found` +
          (this.#callers.length ? ` under ${this.#callers.join(", ")}` : "") +
          `; known groups: ${known.size ? [...known].sort().join(", ") : "(none)"}`,
      );
    }
    const tags = functions.get(name);
    if (!tags) {
      throw new RegistryError(
        `task '${name}' not found in group '${group}'; it has: ${
          [...functions.keys()].sort().join(", ")
        }`,
      );
    }
    const entry = tags.get(tagName);
    if (!entry) {
      throw new RegistryError(
        `task '${group}/${name}' has no tag '${tagName}'; tags: ${
          [...tags.keys()].sort().join(", ")
        }`,
      );
    }
    return { ref: `${group}/${name}@${tagName}`, fn: entry.fn, schema: entry.schema };
  }

  /** Lists `group/name@tag` of everything registered or loaded so far. */
  list(): string[] {
    const out: string[] = [];
    for (const [group, functions] of this.#groups) {
      for (const [name, tags] of functions) {
        for (const t of tags.keys()) out.push(`${group}/${name}@${t}`);
      }
    }
    return out.sort();
  }

  #load(group: string): Promise<void> {
    let loading = this.#loaded.get(group);
    if (!loading) {
      loading = this.#import(group);
      this.#loaded.set(group, loading);
    }
    return loading;
  }

  async #import(group: string): Promise<void> {
    if (!/^[A-Za-z0-9_.-]+$/.test(group)) return;
    for (const caller of this.#callers) {
      for (const candidate of this.#candidates(caller, group)) {
        const url = await this.#existing(candidate);
        if (!url) continue;
        let module: Record<string, unknown>;
        try {
          module = this.#runtime?.importModule
            ? await this.#runtime.importModule(url)
            : await import(url);
        } catch (error) {
          throw new RegistryError(
            `cannot import task module ${url}: ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
        }
        this.register(group, module, url);
      }
    }
  }

  /** Names of group modules that exist under the callers on disk (for error messages). */
  async #discoverGroups(): Promise<string[]> {
    const runtime = this.#runtime;
    if (!runtime) return [];
    const found: string[] = [];
    for (const caller of this.#callers) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(caller) && !caller.startsWith("file:")) continue;
      const dir = this.#localPath(runtime, caller.replace(/\/+$/, "") || ".");
      let entries: { name: string; isDirectory: boolean }[];
      try {
        entries = await runtime.fs.readDir(dir);
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(entry.name)) continue;
        if (entry.isDirectory) {
          const mods = await Promise.all(
            ["mod.ts", "mod.js"].map((m) => runtime.fs.stat(join(dir, entry.name, m))),
          );
          if (mods.some((info) => info?.isFile)) found.push(entry.name);
        } else {
          const module = /^(.+)\.(?:ts|js)$/.exec(entry.name);
          if (
            module && module[1] !== "mod" && !/(?:_test|\.d|\.test|\.spec)$/.test(module[1])
          ) found.push(module[1]);
        }
      }
    }
    return found;
  }

  #localPath(runtime: Runtime, candidate: string): string {
    if (candidate.startsWith("file:")) return decodeURIComponent(new URL(candidate).pathname);
    return isAbsolute(candidate) ? candidate : join(runtime.cwd(), candidate);
  }

  #candidates(caller: string, group: string): string[] {
    const base = caller.replace(/\/+$/, "");
    return [
      `${base}/${group}.ts`,
      `${base}/${group}.js`,
      `${base}/${group}/mod.ts`,
      `${base}/${group}/mod.js`,
    ];
  }

  async #existing(candidate: string): Promise<string | undefined> {
    if (/^[a-z][a-z0-9+.-]*:/i.test(candidate) && !candidate.startsWith("file:")) {
      return candidate; // remote/module URL: let import() decide
    }
    const runtime = this.#runtime;
    if (!runtime) return undefined;
    const path = this.#localPath(runtime, candidate);
    const info = await runtime.fs.stat(path);
    if (!info?.isFile) return undefined;
    return moduleUrl(runtime.cwd(), path);
  }
}
