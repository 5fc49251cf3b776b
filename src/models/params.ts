/**
 * `params:` of a workflow: `name: str` shorthand or `{type, desc, required,
 * default, options}`. Values are coerced elsewhere (`param_coerce.ts`); this
 * module only checks the declarations.
 *
 * @module
 */

import type { ParamSpec, ParamType } from "./types.ts";
import { didYouMean, IssueCollector, type ModelPath } from "./issues.ts";
import { checkKeys, describeValue, isRawMap, readBoolean, readString } from "./fields.ts";
import { dedent } from "../util/text.ts";

/** Every param type, in the order they are listed in messages. */
export const PARAM_TYPES: readonly ParamType[] = [
  "str",
  "int",
  "float",
  "bool",
  "datetime",
  "date",
  "choice",
  "map",
  "array",
  "secret",
];

const PARAM_KEYS = ["type", "desc", "required", "default", "options"] as const;

/** What {@linkcode parseParams} returns. */
export interface ParsedParams {
  /** Specs in declaration order (invalid entries left out). */
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Every problem found. */
  readonly issues: IssueCollector["issues"];
}

/**
 * Parses a `params:` mapping.
 *
 * @param raw The raw `params:` value (`undefined`/`null` → no params).
 * @param path Where it sits inside the template, for messages (`["params"]`).
 * @param issues Where problems go; a fresh collector when omitted.
 * @example
 * ```ts
 * parseParams({ name: "str", mode: { type: "choice", options: ["a", "b"] } }, ["params"]);
 * ```
 */
export function parseParams(
  raw: unknown,
  path: ModelPath,
  issues: IssueCollector = new IssueCollector(),
): ParsedParams {
  const params: Record<string, ParamSpec> = {};
  if (raw === undefined || raw === null) return { params, issues: issues.issues };
  if (!isRawMap(raw)) {
    issues.add(path, `expected a mapping of param name to type, got ${describeValue(raw)}`);
    return { params, issues: issues.issues };
  }
  for (const [name, value] of Object.entries(raw)) {
    const spec = parseParam(name, value, [...path, name], issues);
    if (spec) params[name] = spec;
  }
  return { params, issues: issues.issues };
}

function checkType(value: unknown, path: ModelPath, issues: IssueCollector): ParamType | undefined {
  if (typeof value === "string" && (PARAM_TYPES as readonly string[]).includes(value)) {
    return value as ParamType;
  }
  const shown = typeof value === "string" ? `'${value}'` : describeValue(value);
  const hint = typeof value === "string" ? didYouMean(value, PARAM_TYPES) : "";
  issues.add(
    path,
    `unknown param type ${shown}; valid types: ${PARAM_TYPES.join(", ")}${hint}`,
  );
  return undefined;
}

function parseParam(
  name: string,
  raw: unknown,
  path: ModelPath,
  issues: IssueCollector,
): ParamSpec | undefined {
  if (typeof raw === "string") {
    const type = checkType(raw, path, issues);
    return type && { name, type, required: type === "choice" };
  }
  if (!isRawMap(raw)) {
    issues.add(path, `expected a type name or a mapping with 'type:', got ${describeValue(raw)}`);
    return undefined;
  }
  checkKeys(raw, PARAM_KEYS, path, issues);
  if (raw.type === undefined) {
    issues.add(path, `'type' is required; valid types: ${PARAM_TYPES.join(", ")}`);
    return undefined;
  }
  const type = checkType(raw.type, [...path, "type"], issues);
  if (!type) return undefined;
  const desc = readString(raw, "desc", path, issues);
  const spec: { -readonly [K in keyof ParamSpec]: ParamSpec[K] } = { name, type, required: false };
  if (desc !== undefined) spec.desc = dedent(desc);
  if (raw.default !== undefined) spec.default = raw.default;
  if (type === "choice") {
    const options = raw.options;
    if (
      !Array.isArray(options) || options.length === 0 ||
      !options.every((o) => typeof o === "string" || typeof o === "number")
    ) {
      issues.add(
        options === undefined ? path : [...path, "options"],
        options === undefined
          ? "'options' is required for a choice param"
          : `expected a non-empty list of strings or numbers, got ${describeValue(options)}`,
      );
    } else {
      spec.options = options as (string | number)[];
      if (raw.default !== undefined && !options.includes(raw.default as string | number)) {
        issues.add(
          [...path, "default"],
          `default ${JSON.stringify(raw.default)} is not one of the options: ` +
            options.map((o) => JSON.stringify(o)).join(", "),
        );
      }
    }
  } else if (raw.options !== undefined) {
    issues.add([...path, "options"], `'options' only applies to choice params, not '${type}'`);
  }
  spec.required = readBoolean(
    raw,
    "required",
    path,
    issues,
    type === "choice" && raw.default === undefined,
  );
  return spec;
}
