/**
 * Ids: the reference engine's hash ids for stages without `id` and for matrix
 * strategies (so ids match its test vectors), and run ids.
 *
 * @module
 */

import { RunIdError } from "../errors.ts";
import { sha256Hex } from "../util/sha256.ts";
import { pythonStr } from "../util/python_repr.ts";

const TEN_DIGITS = 10n ** 10n;
const hashCache = new Map<string, string>();
const HASH_CACHE_LIMIT = 10_000;

/**
 * The reference's simple-mode hash: the last 10 decimal digits of the SHA-256
 * of `text`, leading zeros kept.
 *
 * @example
 * ```ts
 * hashId("Sleep"); // "7972360640"
 * ```
 */
export function hashId(text: string): string {
  let id = hashCache.get(text);
  if (id === undefined) {
    id = (BigInt("0x" + sha256Hex(text)) % TEN_DIGITS).toString().padStart(10, "0");
    if (hashCache.size >= HASH_CACHE_LIMIT) hashCache.clear();
    hashCache.set(text, id);
  }
  return id;
}

/** Id of a matrix combination: the hash of its Python rendering (`{'a': 1}`). */
export function strategyId(combination: Readonly<Record<string, unknown>>): string {
  return hashId(pythonStr(combination));
}

/** Default id of a stage without `id`: the hash of its rendered name. */
export function stageHashId(renderedName: string): string {
  return hashId(renderedName);
}

let runCounter = 0;

/**
 * A run id `YYYYmmddHHMMSSffffffT<10 digits>` for the UTC instant `nowMs`. The
 * microsecond part carries a per-process counter and the digits hash a random
 * nonce, so ids made in the same millisecond differ.
 *
 * @param nowMs The UTC instant, epoch ms.
 * @param seed Mixed into the hashed digits (e.g. the workflow name). @default ""
 */
export function newRunId(nowMs: number, seed = ""): string {
  const d = new Date(nowMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  runCounter = (runCounter + 1) % 1000;
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}` +
    `${pad(d.getUTCMilliseconds(), 3)}${pad(runCounter, 3)}`;
  const nonce = new Uint32Array(2);
  crypto.getRandomValues(nonce);
  return `${stamp}T${hashId(`${seed}:${stamp}:${nonce[0]}:${nonce[1]}`)}`;
}

/**
 * Longest run id a caller may give: the id names a folder (`run_id=<id>`) or a file
 * (`<id>.json`) in the file stores, and 128 characters leave room below the 255 bytes a file
 * name may have on every common file system.
 */
export const MAX_RUN_ID_LENGTH = 128;

/**
 * The run ids a caller may give: 1 to {@linkcode MAX_RUN_ID_LENGTH} ASCII letters, digits,
 * `.`, `_` and `-`, starting with a letter or digit. Every store keeps such an id as it is
 * (no escaping, no `..`), and the engine's own ids (`YYYYmmddHHMMSSffffffT<10 digits>`) match.
 */
export const RUN_ID_PATTERN: RegExp = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Why `runId` is not a valid run id, or `undefined` when it is.
 *
 * @example
 * ```ts
 * runIdProblem("nightly-2024.01"); // undefined
 * runIdProblem("../etc"); // 'run id must be 1 to 128 letters, …; got "../etc"'
 * ```
 */
export function runIdProblem(runId: unknown): string | undefined {
  if (typeof runId !== "string") return `run id must be a string, got ${typeof runId}`;
  if (RUN_ID_PATTERN.test(runId)) return undefined;
  const rule = `run id must be 1 to ${MAX_RUN_ID_LENGTH} letters, digits, '.', '_' or '-', ` +
    `starting with a letter or digit`;
  if (runId.length > MAX_RUN_ID_LENGTH) return `${rule}; got ${runId.length} characters`;
  return `${rule}; got ${JSON.stringify(runId)}`;
}

/**
 * Throws unless `runId` is a valid run id.
 *
 * @param option which option held the id, named in the error
 * @throws {RunIdError} with `reason: "invalid"`.
 */
export function assertRunId(
  runId: unknown,
  option: "runId" | "parentRunId" | "rerunOf" = "runId",
): void {
  const problem = runIdProblem(runId);
  if (problem !== undefined) {
    throw new RunIdError(`${option}: ${problem}`, String(runId), "invalid", option);
  }
}
