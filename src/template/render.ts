/**
 * Rendering entry points: `render()` walks strings, arrays and plain objects; `renderString()`
 * always yields a string; `evaluateCondition()` decides `if:`/`until:`. Only errors derived
 * from `WorkflowBaseError` ever leave these functions.
 *
 * @module
 */

import { TemplateError, WorkflowBaseError } from "../errors.ts";
import { compileTemplate, stringHasTemplate } from "./compile.ts";
import { compileCondition } from "./condition.ts";
import type { RenderOptions, Scope } from "./types.ts";
import { isPlainObject, stringifyValue, typeName } from "./values.ts";

const NO_OPTIONS: RenderOptions = Object.freeze({});
const MAX_NESTING = 200;

/** Converts anything thrown inside the engine into one of our errors. */
function ownError(error: unknown): WorkflowBaseError {
  if (error instanceof WorkflowBaseError) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new TemplateError("value is nested too deeply to render", { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TemplateError(`template failed: ${message}`, { cause: error });
}

function renderValue(value: unknown, scope: Scope, options: RenderOptions, depth: number): unknown {
  if (typeof value === "string") {
    return value.indexOf("$") < 0 ? value : compileTemplate(value).render(scope, options);
  }
  if (typeof value !== "object" || value === null) return value;
  if (depth > MAX_NESTING) throw new TemplateError("value is nested too deeply to render");
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      out[i] = renderValue(value[i], scope, options, depth + 1);
    }
    return out;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const rendered = renderValue(value[key], scope, options, depth + 1);
    if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value: rendered,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = rendered;
    }
  }
  return out;
}

/**
 * Renders the templates inside `value`: strings, and (recursively, keys untouched) arrays and
 * plain objects; anything else is returned as it is. Inputs are never mutated.
 *
 * A string that is one `${{ }}` (whitespace around it allowed) yields the native value; other
 * strings get each template stringified (strings as they are, numbers and booleans as
 * written, null as `""`, arrays/objects as JSON, dates as ISO-8601 in `options.timezone`),
 * then `${VAR}`/`${VAR:default}` of the literal text are replaced and `$$` becomes `$`.
 *
 * @param value A string, or data holding strings, to render.
 * @param scope What templates may read (`params`, `jobs`, `matrix`, …).
 * @param options Filters, time zone and env lookup.
 *
 * @example
 * ```ts
 * render({ size: "${{ params.n }}", msg: "n=${{ params.n }}" }, { params: { n: 3 } });
 * // { size: 3, msg: "n=3" }
 * ```
 * @throws {TemplateError} for a syntax error, a missing path, a failing filter or an unset
 * env variable without default.
 */
export function render(value: unknown, scope: Scope, options?: RenderOptions): unknown {
  try {
    return renderValue(value, scope, options ?? NO_OPTIONS, 0);
  } catch (error) {
    throw ownError(error);
  }
}

/**
 * Renders one string and always returns a string (a whole-string template is stringified).
 *
 * @param source The template text.
 * @param scope What templates may read (`params`, `jobs`, `matrix`, …).
 * @param options Filters, time zone and env lookup.
 *
 * @throws {TemplateError} as `render()`.
 */
export function renderString(source: string, scope: Scope, options?: RenderOptions): string {
  try {
    if (source.indexOf("$") < 0) return source;
    const resolved = options ?? NO_OPTIONS;
    const compiled = compileTemplate(source);
    const value = compiled.render(scope, resolved);
    return typeof value === "string" ? value : stringifyValue(value, resolved.timezone ?? "UTC");
  } catch (error) {
    throw ownError(error);
  }
}

/**
 * Evaluates an `if:`/`until:` condition. A boolean is returned as it is; a string may be a
 * bare expression (`params.mode == 'full'`), a single `${{ }}`, or an expression with
 * templates inside (`'"${{ params.name }}" == "foo"'`), whose values are used as literals.
 *
 * @param condition The `if` expression, with or without `${{ }}`.
 * @param scope What the expression may read (`params`, `jobs`, `matrix`, …).
 * @param options Filters, time zone and env lookup.
 *
 * @example
 * ```ts
 * evaluateCondition("params.mode == 'full'", { params: { mode: "full" } }); // true
 * ```
 * @throws {TemplateError} when the result is not a boolean (the message shows the expression
 * with the values substituted), or when parsing or evaluation fails.
 */
export function evaluateCondition(
  condition: string | boolean,
  scope: Scope,
  options?: RenderOptions,
): boolean {
  if (typeof condition === "boolean") return condition;
  try {
    if (typeof condition !== "string") {
      throw new TemplateError(
        `condition must be a string or a boolean, got ${typeName(condition)}`,
      );
    }
    return compileCondition(condition).evaluate(scope, options ?? NO_OPTIONS);
  } catch (error) {
    throw ownError(error);
  }
}

/** Whether `value` (a string, or strings inside arrays and plain objects) holds a `${{ }}`. */
export function hasTemplate(value: unknown): boolean {
  return containsTemplate(value, 0);
}

function containsTemplate(value: unknown, depth: number): boolean {
  if (typeof value === "string") return stringHasTemplate(value);
  if (typeof value !== "object" || value === null || depth > MAX_NESTING) return false;
  if (Array.isArray(value)) return value.some((item) => containsTemplate(item, depth + 1));
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) {
    if (containsTemplate(value[key], depth + 1)) return true;
  }
  return false;
}
