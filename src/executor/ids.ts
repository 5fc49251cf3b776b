/**
 * Ids: the reference engine's hash ids for stages without `id` and for matrix
 * strategies (so ids match its test vectors), and run ids.
 *
 * @module
 */

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
