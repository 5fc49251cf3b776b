/**
 * The check of a cron expression (and time zone) that loading a config runs: our own syntax
 * check, without `croner`. A plain `workflow run` validates every `on:` of the workflow it
 * builds, and loading `croner` for that cost more than the check itself; `croner` is loaded
 * when fire times are computed (`scheduler/cron.ts`), whose `validateCron` adds its parse.
 *
 * @module
 */
import { checkCronSyntax } from "./_cron_syntax.ts";
import { checkTimezone } from "./_zone.ts";

/** Options of {@linkcode checkCron}. */
export interface CheckCronOptions {
  /** IANA time zone to check as well. */
  readonly timezone?: string;
}

/**
 * Checks a cron expression's syntax (fields, ranges, names, steps, `@` aliases, days that
 * never come) and, when given, its time zone.
 *
 * @param expression The cron expression to check.
 * @param options A `timezone` to check as well.
 * @returns undefined when valid, else a message naming the field and the allowed values.
 *
 * @example
 * ```ts
 * checkCron("*\/5 * * * *"); // undefined
 * checkCron("0 0 30 2 *"); // 'invalid cron expression "0 0 30 2 *": it never fires: …'
 * ```
 */
export function checkCron(expression: string, options?: CheckCronOptions): string | undefined {
  if (typeof expression !== "string") return "cron expression must be a string";
  const syntax = checkCronSyntax(expression);
  if (!syntax.ok) return syntax.message;
  if (options?.timezone !== undefined) return checkTimezone(options.timezone);
  return undefined;
}
