/**
 * Turns a syntax tree into a tree of closures once, so rendering only walks data: no parsing,
 * no regular expressions and no allocation on the hot path. Paths read own properties only.
 *
 * @module
 */

import { TemplateError, WorkflowBaseError } from "../errors.ts";
import type { Node, PathNode, Segment } from "./ast.ts";
import { BUILTIN_FILTERS } from "./filters.ts";
import { FUNCTIONS } from "./functions.ts";
import type { FilterFunction, RenderOptions, Scope } from "./types.ts";
import { describeValue, isTruthy, stringifyValue, typeName, valuesEqual } from "./values.ts";

/** A compiled expression. */
export type Evaluate = (scope: Scope, options: RenderOptions) => unknown;

const UTC_CONTEXT: { timezone: string } = Object.freeze({ timezone: "UTC" });
const MAX_LISTED_KEYS = 20;

function pathText(node: PathNode, count: number): string {
  let text = node.base === undefined ? "" : "(…)";
  for (let i = 0; i < count; i++) text += node.segments[i].text;
  return text;
}

function listKeys(value: object): string {
  if (Array.isArray(value)) return ` has ${value.length} item${value.length === 1 ? "" : "s"}`;
  const keys = Object.keys(value);
  if (keys.length === 0) return " is empty";
  const shown = keys.slice(0, MAX_LISTED_KEYS).join(", ");
  const more = keys.length > MAX_LISTED_KEYS ? `, … (${keys.length - MAX_LISTED_KEYS} more)` : "";
  return ` has: ${shown}${more}`;
}

function missingError(
  node: PathNode,
  index: number,
  parent: unknown,
  source: string,
): TemplateError {
  const full = pathText(node, node.segments.length);
  const upTo = pathText(node, index + 1);
  const parentName = index === 0 && node.base === undefined
    ? "the context"
    : pathText(node, index) || "the value";
  let message: string;
  if (typeof parent !== "object" || parent === null || parent instanceof Date) {
    message = `${full} is not set: ${parentName} is ${
      parent === null || parent === undefined ? "null" : `a ${typeName(parent)}`
    }, not an object`;
  } else {
    message = upTo === full ? `${full} is not set; ` : `${full} is not set: ${upTo} is missing; `;
    message += parentName + listKeys(parent);
  }
  return new TemplateError(message, { template: source, column: node.start });
}

function keyOf(segment: Segment, scope: Scope, options: RenderOptions, evaluate?: Evaluate) {
  if (evaluate === undefined) return segment.key as string | number;
  const key = evaluate(scope, options);
  if (typeof key === "string" || (typeof key === "number" && Number.isInteger(key))) return key;
  throw new TemplateError(
    `index ${segment.text} must be a string or an integer, got ${typeName(key)} ${
      describeValue(key)
    }`,
  );
}

function compilePath(node: PathNode, source: string): Evaluate {
  const segments = node.segments;
  const count = segments.length;
  const keys = segments.map((segment) => segment.key);
  const optional = segments.map((segment) => segment.optional);
  const base = node.base === undefined ? undefined : compileNode(node.base, source);
  const dynamic = segments.map((segment) =>
    segment.expression === undefined ? undefined : compileNode(segment.expression, source)
  );
  if (base === undefined && dynamic.every((item) => item === undefined)) {
    const staticKeys = keys as (string | number)[];
    return (scope) => {
      let current: unknown = scope;
      for (let i = 0; i < count; i++) {
        const key = staticKeys[i];
        if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) {
          if (optional[i] || (i > 0 && optional[i - 1] && current == null)) return null;
          throw missingError(node, i, current, source);
        }
        current = (current as Record<string | number, unknown>)[key];
      }
      return current === undefined ? null : current;
    };
  }
  return (scope, options) => {
    let current: unknown = base === undefined ? scope : base(scope, options);
    for (let i = 0; i < count; i++) {
      const key = keyOf(segments[i], scope, options, dynamic[i]);
      if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) {
        if (optional[i] || (i > 0 && optional[i - 1] && current == null)) return null;
        throw missingError(node, i, current, source);
      }
      current = (current as Record<string | number, unknown>)[key];
    }
    return current === undefined ? null : current;
  };
}

function ordered(operator: string, left: unknown, right: unknown): boolean {
  let a = left, b = right;
  if (a instanceof Date && b instanceof Date) {
    a = a.getTime();
    b = b.getTime();
  }
  const same = (typeof a === "number" && typeof b === "number") ||
    (typeof a === "string" && typeof b === "string");
  if (!same) {
    throw new TemplateError(
      `cannot compare ${typeName(left)} ${describeValue(left)} with ${typeName(right)} ${
        describeValue(right)
      } using '${operator}'`,
    );
  }
  const x = a as number | string, y = b as number | string;
  switch (operator) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    default:
      return x >= y;
  }
}

function contained(item: unknown, container: unknown): boolean {
  if (Array.isArray(container)) return container.some((entry) => valuesEqual(entry, item));
  if (typeof container === "string" && typeof item === "string") return container.includes(item);
  if (
    typeof container === "object" && container !== null && !(container instanceof Date) &&
    typeof item === "string"
  ) {
    return Object.hasOwn(container, item);
  }
  throw new TemplateError(
    `cannot use 'in' with ${typeName(item)} ${describeValue(item)} and ${typeName(container)} ${
      describeValue(container)
    }`,
  );
}

function filterContext(options: RenderOptions): { timezone: string } {
  return options.timezone === undefined ? UTC_CONTEXT : { timezone: options.timezone };
}

function applyFilter(
  name: string,
  filter: FilterFunction,
  value: unknown,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: RenderOptions,
): unknown {
  try {
    return filter(value, args, kwargs, filterContext(options));
  } catch (error) {
    if (error instanceof WorkflowBaseError) throw error;
    throw new TemplateError(
      `filter '${name}' failed on ${typeName(value)} ${describeValue(value)}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
}

function compileFilter(node: Extract<Node, { type: "filter" }>, source: string): Evaluate {
  const input = compileNode(node.input, source);
  const { name, args, kwargs } = node;
  const builtin = BUILTIN_FILTERS.get(name);
  if (builtin !== undefined) {
    return (scope, options) =>
      applyFilter(name, builtin, input(scope, options), args, kwargs, options);
  }
  return (scope, options) => {
    const value = input(scope, options);
    const filter = options.filters?.get(name);
    if (filter === undefined) {
      const known = [...(options.filters ?? BUILTIN_FILTERS).keys()].join(", ");
      throw new TemplateError(`unknown filter '${name}'; filters are: ${known}`, {
        template: source,
        column: node.start,
      });
    }
    return applyFilter(name, filter, value, args, kwargs, options);
  };
}

/** Compiles `node` (from `source`, used in messages) into a closure. */
export function compileNode(node: Node, source: string): Evaluate {
  switch (node.type) {
    case "literal": {
      const value = node.value;
      return () => value;
    }
    case "path":
      return compilePath(node, source);
    case "template":
      return compileNode(node.expression, source);
    case "not": {
      const operand = compileNode(node.operand, source);
      return (scope, options) => !isTruthy(operand(scope, options));
    }
    case "logical": {
      const left = compileNode(node.left, source);
      const right = compileNode(node.right, source);
      if (node.operator === "and") {
        return (scope, options) => {
          const value = left(scope, options);
          return isTruthy(value) ? right(scope, options) : value;
        };
      }
      return (scope, options) => {
        const value = left(scope, options);
        return isTruthy(value) ? value : right(scope, options);
      };
    }
    case "compare": {
      const left = compileNode(node.left, source);
      const right = compileNode(node.right, source);
      const operator = node.operator;
      switch (operator) {
        case "==":
          return (scope, options) => valuesEqual(left(scope, options), right(scope, options));
        case "!=":
          return (scope, options) => !valuesEqual(left(scope, options), right(scope, options));
        case "in":
          return (scope, options) => contained(left(scope, options), right(scope, options));
        case "not in":
          return (scope, options) => !contained(left(scope, options), right(scope, options));
        default:
          return (scope, options) => ordered(operator, left(scope, options), right(scope, options));
      }
    }
    case "call": {
      const run = FUNCTIONS.get(node.name)!.run;
      const args = node.args.map((arg) => compileNode(arg, source));
      return (scope, options) =>
        run(args.map((arg) => arg(scope, options)), options.timezone ?? "UTC");
    }
    case "filter":
      return compileFilter(node, source);
    case "interpolation": {
      const parts = node.parts.map((part) =>
        typeof part === "string" ? part : compileNode(part.expression, source)
      );
      return (scope, options) => {
        let out = "";
        for (const part of parts) {
          out += typeof part === "string"
            ? part
            : stringifyValue(part(scope, options), options.timezone ?? "UTC");
        }
        return out;
      };
    }
  }
}
