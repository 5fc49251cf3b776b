/**
 * Matrix expansion with the reference engine's exact rules (REFERENCE §3.2):
 * cartesian product in key order (first key slowest), partial excludes, then
 * includes appended unless an existing combination already covers them.
 *
 * @module
 */

import { JobError } from "../errors.ts";

/** A matrix combination. */
export type Combination = Readonly<Record<string, unknown>>;

/** Options of {@linkcode expandMatrix}. */
export interface ExpandMatrixOptions {
  /** Combinations allowed before expansion fails. @default 256 */
  readonly maxCombinations?: number;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

/**
 * Expands a matrix into its combinations.
 *
 * @param matrix Values by key; every combination of them is made.
 * @param include Combinations to add or to extend matching ones with.
 * @param exclude Partial combinations whose matches are dropped.
 * @param options Limits, such as the most combinations allowed.
 *
 * @throws {JobError} when a value is not a list, an include has keys no
 * combination has, or the count exceeds `maxCombinations`.
 * @example
 * ```ts
 * expandMatrix({ a: [1, 2], b: ["x"] }); // [{a: 1, b: "x"}, {a: 2, b: "x"}]
 * ```
 */
export function expandMatrix(
  matrix: Readonly<Record<string, unknown>>,
  include: readonly Combination[] = [],
  exclude: readonly Combination[] = [],
  options: ExpandMatrixOptions = {},
): Combination[] {
  const max = options.maxCombinations ?? 256;
  const keys = Object.keys(matrix);
  if (keys.length === 0 && include.length === 0) return [{}];
  let total = 1;
  for (const key of keys) {
    const values = matrix[key];
    if (!Array.isArray(values)) {
      throw new JobError(
        `matrix '${key}' must be a list, got ${values === null ? "null" : typeof values}`,
      );
    }
    total *= values.length;
  }
  if (total > max) {
    throw new JobError(
      `matrix expands to ${total} combinations, more than the limit of ${max}; ` +
        `raise WORKFLOW_CORE_MAX_MATRIX_COMBINATIONS or split the job`,
    );
  }
  let product: Record<string, unknown>[] = keys.length === 0 ? [] : [{}];
  for (const key of keys) {
    const next: Record<string, unknown>[] = [];
    for (const partial of product) {
      for (const value of matrix[key] as unknown[]) next.push({ ...partial, [key]: value });
    }
    product = next;
  }
  const kept = product.filter((combo) =>
    !exclude.some((ex) => Object.entries(ex).every(([k, v]) => sameValue(combo[k], v)))
  );
  if (kept.length === 0 && include.length === 0) return [{}];
  const result: Combination[] = [...kept];
  for (const inc of include) {
    const incKeys = Object.keys(inc);
    if (kept.length > 0 && !kept.some((combo) => incKeys.every((k) => k in combo))) {
      throw new JobError(
        `matrix include ${JSON.stringify(inc)} has keys that no combination has; ` +
          `an include may only use the matrix keys (${keys.join(", ")})`,
      );
    }
    const covered = result.some((combo) =>
      Object.entries(combo).every(([k, v]) => sameValue(inc[k], v))
    );
    if (!covered) result.push(inc);
  }
  if (result.length > max) {
    throw new JobError(
      `matrix expands to ${result.length} combinations, more than the limit of ${max}`,
    );
  }
  return result;
}
