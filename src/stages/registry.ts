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

/** The symbol under which {@linkcode tag} stores its {@linkcode TagInfo} on a function. */
export const TAG: unique symbol = Symbol.for("ddeutil.workflow.tag") as never;

/** What {@linkcode tag} attaches to a function. */
export interface TagInfo {
  /** Name used in `uses:` (empty until registered when the function is anonymous). */
  readonly name: string;
  /** The tag (`@tag` in `uses:`). */
  readonly tag: string;
  /** Validator of the args, if any. */
  readonly schema?: StandardSchemaLike;
}

/** A function marked by {@linkcode tag}. */
export type TaggedFunction<F extends CallFunction = CallFunction> = F & {
  readonly [TAG]: TagInfo;
};

/** Options of {@linkcode tag}. */
export interface TagOptions {
  /** Name used in `uses:`. @default the function name in kebab-case (`getItems` → `get-items`) */
  readonly alias?: string;
  /** A Standard Schema v1 validator (zod, valibot, arktype…) of the args. */
  readonly schema?: StandardSchemaLike;
}

function kebab(name: string): string {
  return name.replace(/_/g, "-").replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/**
 * Marks a function as a task callable as `uses: <group>/<name>@<tagName>`.
 *
 * @example
 * ```ts
 * export const getItems = tag("demo")(async () => ({ items: [1, 2, 3] }));
 * // uses: tasks/get-items@demo
 * ```
 */
export function tag(
  tagName: string,
  options: TagOptions = {},
): <F extends CallFunction>(fn: F) => TaggedFunction<F> {
  return <F extends CallFunction>(fn: F): TaggedFunction<F> => {
    // An anonymous function (`export const getItems = tag("v1")(async () => …)`) is named
    // after its export when its module is registered.
    const name = options.alias ?? (fn.name ? kebab(fn.name) : "");
    Object.defineProperty(fn, TAG, {
      value: { name, tag: tagName, schema: options.schema } satisfies TagInfo,
      enumerable: false,
    });
    return fn as TaggedFunction<F>;
  };
}

/** The tag info of a function, if it was marked. */
export function tagInfo(value: unknown): TagInfo | undefined {
  return typeof value === "function" ? (value as { [TAG]?: TagInfo })[TAG] : undefined;
}

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
}

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
  }

  /**
   * Registers every tagged function among `exports` (a module namespace or a
   * plain object) under `group`.
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
