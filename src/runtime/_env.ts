/**
 * The environment a child process or worker inherits, without the variables it must not see.
 *
 * @module
 */

/**
 * A copy of `parent` without the `unset` names, with `extra` laid over it; `undefined` values
 * are dropped.
 */
export function childEnv(
  parent: Readonly<Record<string, string | undefined>>,
  unset: readonly string[],
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !unset.includes(name)) out[name] = value;
  }
  return Object.assign(out, extra);
}

/**
 * The environment a Node/Bun child is started with: the parent's, less `unset`, with `extra` laid
 * over it.
 */
export function nodeChildEnv(
  parent: NodeJS.ProcessEnv,
  unset: readonly string[] | undefined,
  extra: Readonly<Record<string, string>> | undefined,
): NodeJS.ProcessEnv {
  if (unset?.length) return childEnv(parent, unset, extra);
  return extra ? { ...parent, ...extra } : parent;
}

/**
 * The `env`/`clearEnv` options of a `Deno.Command`: Deno adds `extra` to the parent's
 * environment by itself, so the whole environment is passed (and the parent's cleared) only when
 * names must be left out.
 */
export function denoCommandEnv(
  parent: () => Record<string, string>,
  unset: readonly string[] | undefined,
  extra: Readonly<Record<string, string>> | undefined,
): { env?: Record<string, string>; clearEnv?: boolean } {
  if (unset?.length) return { env: childEnv(parent(), unset, extra), clearEnv: true };
  return { env: extra ? { ...extra } : undefined };
}
