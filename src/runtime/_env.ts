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
