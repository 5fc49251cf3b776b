/**
 * `${VAR}` / `${VAR:default}` environment references in the literal text of a template.
 *
 * @module
 */

import { TemplateError } from "../errors.ts";
import type { RenderOptions } from "./types.ts";

/** One `${VAR}` or `${VAR:default}` found in literal text. */
export class EnvReference {
  /** Variable name. */
  readonly name: string;
  /** Text after the first `:`, if any (never starting with `- = ? +`, a digit or a space:
   * those are bash expansions and stay text). */
  readonly fallback: string | undefined;
  /** The reference as written, kept when no env lookup is configured. */
  readonly text: string;

  constructor(name: string, fallback: string | undefined, text: string) {
    this.name = name;
    this.fallback = fallback;
    this.text = text;
  }

  /**
   * The substituted text.
   *
   * @throws {TemplateError} when the variable is unset and has no default.
   */
  resolve(options: RenderOptions): string {
    const env = options.env;
    if (env === undefined) return this.text;
    const value = env(this.name);
    if (value !== undefined) {
      options.onEnv?.(this.name, value);
      return value;
    }
    if (this.fallback !== undefined) return this.fallback;
    throw new TemplateError(
      `environment variable '${this.name}' is not set; write \${${this.name}:default} to give ` +
        `a default, or $\${${this.name}} to keep the text`,
    );
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What follows `${NAME:` in bash parameter expansion (defaults, assignment, errors, substrings). */
const SHELL_EXPANSION = /^[-=?+0-9 ]/;

/**
 * Reads the `${…}` reference whose `$` is at `at`. Returns `undefined` when the braces do not
 * hold a variable name (shell forms such as `${#list[@]}` or `${x%%.*}` stay literal text), or
 * when `${NAME:` is followed by `-`, `=`, `?`, `+`, a digit or a space: that is bash parameter
 * expansion (`${X:-default}`, `${P:0:3}`), not the engine's `${NAME:default}`.
 */
export function readEnvReference(
  source: string,
  at: number,
): { reference: EnvReference; end: number } | undefined {
  let close = at + 2;
  while (close < source.length) {
    const char = source[close];
    if (char === "}") break;
    if (char === "{") return undefined;
    close++;
  }
  if (close >= source.length) return undefined;
  let body = source.slice(at + 2, close);
  // `${ VAR }` (one space inside each brace) is accepted like `${VAR}`.
  if (body.length > 2 && body.startsWith(" ") && body.endsWith(" ")) body = body.slice(1, -1);
  const colon = body.indexOf(":");
  const name = colon < 0 ? body : body.slice(0, colon);
  const fallback = colon < 0 ? undefined : body.slice(colon + 1);
  if (!ENV_NAME.test(name)) return undefined;
  // `${X:-d}`, `${X:=d}`, `${X:?m}`, `${X:+v}`, `${X:0:3}`, `${X: -2}` are the shell's.
  if (fallback !== undefined && SHELL_EXPANSION.test(fallback)) return undefined;
  return {
    reference: new EnvReference(name, fallback, source.slice(at, close + 1)),
    end: close + 1,
  };
}
