/**
 * Option parsing of the CLI commands: strict (an unknown option or a missing value is a usage
 * error), with the `node:util` `parseArgs` rules for what an argument means. It is our own
 * code rather than `node:util`, which on Deno loads the Node compatibility layer and took a
 * tenth of the start-up of `workflow run`.
 *
 * Rules: `--name value` and `--name=value` for string options, `-n value`, `-nvalue` and
 * `-n=value` for short ones; short booleans group (`-hv`); `--` ends the options; `-` alone is
 * a positional; a string value that starts with `-` must be attached (`--conf=-dir`), so a
 * forgotten value is not silently taken from the next option.
 *
 * @module
 */

import { UsageError } from "./_shared.ts";

/** How a command declares its options (the `node:util` `parseArgs` shape). */
export type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

/** Parsed option values by name. */
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The options every command accepts. */
const COMMON: OptionSpec = {
  conf: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/**
 * Parses a command's arguments strictly, with `--conf` and `-h/--help` always accepted.
 *
 * @param args The arguments after the command name.
 * @param options The options the command accepts besides `--conf` and `--help`.
 * @returns The option values by name (absent options are left out) and the positionals.
 * @throws {UsageError} for an unknown option, a missing value or a value given to a flag.
 *
 * @example
 * ```ts
 * parseCommandArgs(["wf", "-p", "a=1", "--json"], {
 *   param: { type: "string", short: "p", multiple: true },
 *   json: { type: "boolean" },
 * }); // { values: { param: ["a=1"], json: true }, positionals: ["wf"] }
 * ```
 */
export function parseCommandArgs(
  args: readonly string[],
  options: OptionSpec,
): { values: ParsedValues; positionals: string[] } {
  const spec: OptionSpec = { ...COMMON, ...options };
  const byShort = new Map<string, string>();
  for (const [name, option] of Object.entries(spec)) {
    if (option.short !== undefined) byShort.set(option.short, name);
  }
  const values: ParsedValues = {};
  const positionals: string[] = [];
  const label = (name: string) => {
    const short = spec[name].short;
    return short === undefined ? `--${name}` : `-${short}, --${name}`;
  };
  const store = (name: string, value: string | boolean) => {
    if (!spec[name].multiple) {
      values[name] = value;
      return;
    }
    const list = values[name];
    values[name] = Array.isArray(list) ? [...list, value] : [value];
  };
  // The value of string option `name` given as `as`: attached, or else the next argument.
  const takeValue = (name: string, as: string, attached: string | undefined, at: number) => {
    if (attached !== undefined) return { value: attached, used: 0 };
    const next = args[at + 1];
    if (next === undefined) {
      throw new UsageError(`option '${label(name)} <value>' needs a value`);
    }
    if (next.startsWith("-") && next !== "-") {
      throw new UsageError(
        `option '${as}' needs a value, but is followed by '${next}'; ` +
          `a value that starts with '-' goes after '=': '--${name}=${next}'`,
      );
    }
    return { value: next, used: 1 };
  };
  const unknown = (as: string) =>
    new UsageError(
      `unknown option '${as}' (a positional argument that starts with '-' goes after '--': ` +
        `-- ${JSON.stringify(as)})`,
    );

  for (let at = 0; at < args.length; at++) {
    const arg = args[at];
    if (arg === "--") {
      positionals.push(...args.slice(at + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const equals = arg.indexOf("=");
      const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
      const attached = equals === -1 ? undefined : arg.slice(equals + 1);
      if (!Object.hasOwn(spec, name)) throw unknown(`--${name}`);
      if (spec[name].type === "boolean") {
        if (attached !== undefined) {
          throw new UsageError(`option '--${name}' is a flag and takes no value`);
        }
        store(name, true);
        continue;
      }
      const { value, used } = takeValue(name, `--${name}`, attached, at);
      store(name, value);
      at += used;
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") {
      // A group of short options: flags first, then at most one string option that takes the
      // rest of the group (or the next argument) as its value.
      for (let i = 1; i < arg.length; i++) {
        const letter = arg[i];
        const name = byShort.get(letter);
        if (name === undefined) throw unknown(`-${letter}`);
        if (spec[name].type === "boolean") {
          if (arg[i + 1] === "=") {
            throw new UsageError(`option '-${letter}' is a flag and takes no value`);
          }
          store(name, true);
          continue;
        }
        const rest = arg.slice(i + 1);
        const attached = rest === "" ? undefined : rest.startsWith("=") ? rest.slice(1) : rest;
        const { value, used } = takeValue(name, `-${letter}`, attached, at);
        store(name, value);
        at += used;
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, positionals };
}
