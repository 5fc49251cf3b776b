/**
 * Boolean words in settings, the reference's way.
 *
 * @module
 */

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
