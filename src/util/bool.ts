/**
 * Boolean words in settings, the reference's way.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";

const TRUE_WORDS = new Set(["yes", "y", "true", "t", "1", "1.0", "o", "on"]);
const FALSE_WORDS = new Set(["no", "n", "false", "f", "0", "0.0", "x", "off", ""]);

/**
 * Reads `yes/y/true/t/1/on` as `true` and `no/n/false/f/0/off`/empty as `false` (any case);
 * `undefined` for any other text.
 */
export function parseBooleanWord(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/**
 * The value of boolean setting `name` whose text is `raw`: `undefined` when unset.
 *
 * @throws {ConfigError} naming the setting, for a word that is not a boolean.
 */
export function readBooleanSetting(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  const value = parseBooleanWord(raw);
  if (value !== undefined) return value;
  throw new ConfigError([
    { path: name, message: `'${raw}' is not a boolean: use true or false (also yes/no, 1/0)` },
  ]);
}
