/**
 * Nesting depth of plain data, measured without recursion so that hostile input (a JSON text of
 * 100,000 `[`) cannot overflow the stack while being checked.
 *
 * @module
 */

/** How deep config and param values may nest: far beyond real data, far below the stack. */
export const MAX_NESTING_DEPTH = 200;

/**
 * The path (`[0][0].k…`, shortened) of the first array/object nested deeper than `limit` levels
 * inside `value`, or `undefined` when it nests no deeper than that. A scalar has depth 0,
 * `[1]` depth 1.
 *
 * @example
 * ```ts
 * tooDeep([[[1]]], 2); // "[0][0]"
 * tooDeep({ a: [1] }, 2); // undefined
 * ```
 */
export function tooDeep(value: unknown, limit: number = MAX_NESTING_DEPTH): string | undefined {
  interface Frame {
    readonly value: unknown;
    readonly depth: number;
    readonly parent?: Frame;
    readonly key?: string | number;
  }
  const stack: Frame[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const current = frame.value;
    if (typeof current !== "object" || current === null) continue;
    if (frame.depth + 1 > limit) {
      const path: (string | number)[] = [];
      for (let at: Frame | undefined = frame; at?.key !== undefined; at = at.parent) {
        path.unshift(at.key);
      }
      return formatDeepPath(path);
    }
    const push = (key: string | number, item: unknown) => {
      if (typeof item === "object" && item !== null) {
        stack.push({ value: item, depth: frame.depth + 1, parent: frame, key });
      }
    };
    if (Array.isArray(current)) current.forEach((item, index) => push(index, item));
    else {for (const key of Object.keys(current)) {
        push(key, (current as Record<string, unknown>)[key]);
      }}
  }
  return undefined;
}

function formatDeepPath(path: readonly (string | number)[]): string {
  const text = (segments: readonly (string | number)[]) =>
    segments.map((s) => typeof s === "number" ? `[${s}]` : `.${s}`).join("");
  if (path.length <= 8) return text(path);
  return `${text(path.slice(0, 4))}…${text(path.slice(-2))}`;
}
