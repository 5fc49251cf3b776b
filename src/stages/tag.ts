/**
 * {@linkcode tag}: marks a function as a task callable from `uses:`. Kept apart from the
 * registry so that built-in task modules can tag their functions without an import cycle.
 *
 * @module
 */

import type { CallFunction, StandardSchemaLike } from "./types.ts";

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

/** `getItems` → `get-items`, `load_data` → `load-data`. */
export function kebab(name: string): string {
  return name.replace(/_/g, "-").replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/**
 * Marks a function as a task callable as `uses: <group>/<name>@<tagName>`.
 *
 * @param tagName The tag, as in `uses: <group>/<name>@<tag>`.
 * @param options The name in `uses:` (`alias`; default: the function's name in kebab case)
 *   and a Standard Schema of its args.
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
