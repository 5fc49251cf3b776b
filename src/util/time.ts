/**
 * Fast ISO-8601 formatting for hot paths: consecutive calls within the same
 * millisecond (fast stages, trace lines of one batch) reuse one string.
 *
 * @module
 */

let lastMs = NaN;
let lastIso = "";

/** `new Date(ms).toISOString()`, remembering the last millisecond formatted. */
export function isoTime(ms: number): string {
  const whole = Math.floor(ms);
  if (whole !== lastMs) {
    lastMs = whole;
    lastIso = new Date(whole).toISOString();
  }
  return lastIso;
}
