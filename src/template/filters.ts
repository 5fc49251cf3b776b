/**
 * Built-in filters (`abs str int title upper lower rstr fmt coalesce getitem getindex keys
 * values list dict shell_quote`) and `createFilters()` for adding custom ones.
 *
 * @module
 */

import { TemplateError } from "../errors.ts";
import { strftime } from "./strftime.ts";
import type { FilterFunction, FilterRegistry } from "./types.ts";
import { describeValue, isPlainObject, stringifyValue, typeName } from "./values.ts";
import { parseIsoDateTime } from "./zoned_time.ts";
import { pythonStringRepr } from "../util/python_repr.ts";

function wrongInput(name: string, expected: string, value: unknown): TemplateError {
  return new TemplateError(
    `filter '${name}' expects ${expected}, got ${typeName(value)} ${describeValue(value)}`,
  );
}

function takesNoArguments(
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): void {
  if (args.length > 0) throw new TemplateError(`filter '${name}' takes no arguments`);
  // A `for…in` instead of `Object.keys()` keeps the common no-argument call allocation-free.
  for (const key in kwargs) {
    if (Object.hasOwn(kwargs, key)) throw new TemplateError(`filter '${name}' takes no arguments`);
  }
}

function checkArguments(
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  accepted: readonly string[],
): void {
  if (args.length > accepted.length) {
    throw new TemplateError(
      `filter '${name}' takes at most ${accepted.length} argument(s) (${
        accepted.join(", ")
      }), got ${args.length}`,
    );
  }
  for (const key of Object.keys(kwargs)) {
    const index = accepted.indexOf(key);
    if (index < 0) {
      throw new TemplateError(
        `filter '${name}' has no argument '${key}'; it takes: ${accepted.join(", ")}`,
      );
    }
    if (index < args.length) {
      throw new TemplateError(`filter '${name}' got argument '${key}' twice`);
    }
  }
}

function argument(
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  index: number,
  key: string,
  fallback: unknown,
): unknown {
  if (index < args.length) return args[index];
  return Object.hasOwn(kwargs, key) ? kwargs[key] : fallback;
}

function stringFilter(name: string, transform: (text: string) => string): FilterFunction {
  return (value, args, kwargs) => {
    takesNoArguments(name, args, kwargs);
    if (typeof value !== "string") throw wrongInput(name, "a string", value);
    return transform(value);
  };
}

const WORD = /\p{L}+/gu;

function titleCase(text: string): string {
  return text.replace(WORD, (word) => word[0].toUpperCase() + word.slice(1).toLowerCase());
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

const abs: FilterFunction = (value, args, kwargs) => {
  takesNoArguments("abs", args, kwargs);
  if (typeof value !== "number") throw wrongInput("abs", "a number", value);
  return Math.abs(value);
};

const str: FilterFunction = (value, args, kwargs, ctx) => {
  takesNoArguments("str", args, kwargs);
  return stringifyValue(value, ctx.timezone);
};

const int: FilterFunction = (value, args, kwargs) => {
  takesNoArguments("int", args, kwargs);
  if (typeof value === "number" && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && INTEGER_TEXT.test(value)) return Number(value.trim());
  throw wrongInput("int", "a number or an integer string", value);
};

const rstr: FilterFunction = (value, args, kwargs, ctx) => {
  takesNoArguments("rstr", args, kwargs);
  return pythonStringRepr(stringifyValue(value, ctx.timezone));
};

const fmt: FilterFunction = (value, args, kwargs, ctx) => {
  checkArguments("fmt", args, kwargs, ["fmt"]);
  const format = argument(args, kwargs, 0, "fmt", "%Y-%m-%d %H:%M:%S");
  if (typeof format !== "string") {
    throw new TemplateError(`filter 'fmt' needs a string format, got ${typeName(format)}`);
  }
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === "string") date = parseIsoDateTime(value, ctx.timezone)?.date;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw wrongInput("fmt", "a date or an ISO date string", value);
  }
  return strftime(date, format, ctx.timezone);
};

const coalesce: FilterFunction = (value, args, kwargs) => {
  checkArguments("coalesce", args, kwargs, ["default"]);
  return value ?? argument(args, kwargs, 0, "default", null);
};

const getitem: FilterFunction = (value, args, kwargs) => {
  checkArguments("getitem", args, kwargs, ["key", "default"]);
  if (!isPlainObject(value)) throw wrongInput("getitem", "an object", value);
  const key = argument(args, kwargs, 0, "key", undefined);
  if (typeof key !== "string" && typeof key !== "number") {
    throw new TemplateError(`filter 'getitem' needs a string or number key, got ${typeName(key)}`);
  }
  const name = String(key);
  return Object.hasOwn(value, name) ? value[name] : argument(args, kwargs, 1, "default", null);
};

const getindex: FilterFunction = (value, args, kwargs) => {
  checkArguments("getindex", args, kwargs, ["index"]);
  if (!Array.isArray(value)) throw wrongInput("getindex", "an array", value);
  const index = argument(args, kwargs, 0, "index", undefined);
  if (typeof index !== "number" || !Number.isInteger(index)) {
    throw new TemplateError(`filter 'getindex' needs an integer index, got ${typeName(index)}`);
  }
  const position = index < 0 ? value.length + index : index;
  if (position < 0 || position >= value.length) {
    throw new TemplateError(
      `filter 'getindex' index ${index} is out of range for an array of ${value.length} items`,
    );
  }
  return value[position];
};

const keys: FilterFunction = (value, args, kwargs) => {
  takesNoArguments("keys", args, kwargs);
  if (!isPlainObject(value)) throw wrongInput("keys", "an object", value);
  return Object.keys(value);
};

const values: FilterFunction = (value, args, kwargs) => {
  takesNoArguments("values", args, kwargs);
  if (!isPlainObject(value)) throw wrongInput("values", "an object", value);
  return Object.values(value);
};

const list: FilterFunction = (value, args, kwargs) => {
  takesNoArguments("list", args, kwargs);
  if (Array.isArray(value)) return value.slice();
  if (typeof value === "string") return Array.from(value);
  if (isPlainObject(value)) return Object.keys(value);
  throw wrongInput("list", "an array, a string or an object", value);
};

const dict: FilterFunction = (value, args, kwargs) => {
  takesNoArguments("dict", args, kwargs);
  if (isPlainObject(value)) return { ...value };
  if (
    Array.isArray(value) &&
    value.every((pair) =>
      Array.isArray(pair) && pair.length === 2 &&
      (typeof pair[0] === "string" || typeof pair[0] === "number")
    )
  ) {
    return Object.fromEntries(value as [string, unknown][]);
  }
  throw wrongInput("dict", "an object or an array of [key, value] pairs", value);
};

/** POSIX single-quoting: the text between `'…'`, each `'` written as `'\''`. */
function quoteWord(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * `shell_quote`: the value as POSIX shell words, safe to paste into `bash:`/`sh:` code. A
 * string, number, boolean or date becomes one single-quoted word (`it's` → `'it'\''s'`);
 * `null` becomes `''`; an array becomes its items quoted one by one and joined by spaces
 * (`[a, b c]` → `'a' 'b c'`, `[]` → nothing); an object becomes its quoted JSON.
 */
const shellQuote: FilterFunction = (value, args, kwargs, ctx) => {
  takesNoArguments("shell_quote", args, kwargs);
  if (Array.isArray(value)) {
    return value.map((item) => quoteWord(stringifyValue(item, ctx.timezone))).join(" ");
  }
  return quoteWord(stringifyValue(value, ctx.timezone));
};

/** The built-in filters. Custom filters cannot replace them. */
export const BUILTIN_FILTERS: FilterRegistry = new Map<string, FilterFunction>([
  ["abs", abs],
  ["str", str],
  ["int", int],
  ["title", stringFilter("title", titleCase)],
  ["upper", stringFilter("upper", (text) => text.toUpperCase())],
  ["lower", stringFilter("lower", (text) => text.toLowerCase())],
  ["rstr", rstr],
  ["fmt", fmt],
  ["coalesce", coalesce],
  ["getitem", getitem],
  ["getindex", getindex],
  ["keys", keys],
  ["values", values],
  ["list", list],
  ["dict", dict],
  ["shell_quote", shellQuote],
]);

const FILTER_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Builds a filter registry: the built-ins plus `custom`.
 *
 * @example
 * ```ts
 * import { renderString } from "./render.ts";
 *
 * const filters = createFilters({ slug: (v) => String(v).toLowerCase().replaceAll(" ", "-") });
 * renderString("${{ params.title | slug }}", { params: { title: "Hello World" } }, { filters });
 * ```
 * @throws {TemplateError} when a custom name clashes with a built-in, is not a valid name, or
 * its value is not a function.
 */
export function createFilters(custom?: Readonly<Record<string, FilterFunction>>): FilterRegistry {
  const registry = new Map(BUILTIN_FILTERS);
  if (custom === undefined) return registry;
  for (const name of Object.keys(custom)) {
    if (BUILTIN_FILTERS.has(name)) {
      throw new TemplateError(
        `custom filter '${name}' clashes with the built-in filter of the same name; rename it`,
      );
    }
    if (!FILTER_NAME.test(name)) {
      throw new TemplateError(
        `custom filter name '${name}' is invalid; use letters, digits, '_' and '-'`,
      );
    }
    const filter = custom[name];
    if (typeof filter !== "function") {
      throw new TemplateError(
        `custom filter '${name}' must be a function, got ${typeName(filter)}`,
      );
    }
    registry.set(name, filter);
  }
  return registry;
}
