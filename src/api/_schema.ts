/**
 * The small JSON Schema subset used by the route table: it documents request bodies in the
 * OpenAPI document and validates them, so the two cannot drift.
 *
 * @module
 */

/** A JSON Schema node (the subset the API uses). */
export interface JsonSchema {
  readonly type?: "object" | "string" | "boolean" | "integer" | "number" | "array";
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  /** `false` rejects fields not listed in `properties`. */
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly (string | number | boolean)[];
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  /** Longest string accepted. */
  readonly maxLength?: number;
  /** Regular expression a string must match (ECMAScript syntax, as JSON Schema has it). */
  readonly pattern?: string;
  readonly nullable?: boolean;
  readonly example?: unknown;
  readonly oneOf?: readonly JsonSchema[];
}

/** One problem found by {@linkcode checkSchema}. */
export interface SchemaIssue {
  /** Dotted path of the field, e.g. `params.count`; empty for the body itself. */
  readonly field: string;
  readonly message: string;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

function matchesType(type: JsonSchema["type"], value: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
  }
}

const join = (base: string, key: string) => (base ? `${base}.${key}` : key);

/**
 * The first problem of `value` against `schema`, or `undefined` when it conforms.
 *
 * @example
 * ```ts
 * checkSchema({ type: "object", properties: { async: { type: "boolean" } } }, { async: 1 });
 * // { field: "async", message: "must be a boolean, got integer" }
 * ```
 */
export function checkSchema(
  schema: JsonSchema,
  value: unknown,
  path = "",
): SchemaIssue | undefined {
  if (value === null && schema.nullable) return undefined;
  if (schema.oneOf) {
    const ok = schema.oneOf.some((option) => checkSchema(option, value, path) === undefined);
    return ok ? undefined : { field: path, message: "does not match any allowed form" };
  }
  if (!matchesType(schema.type, value)) {
    return {
      field: path,
      message: `must be ${article(schema.type ?? "value")}, got ${kindOf(value)}`,
    };
  }
  if (schema.enum && !schema.enum.includes(value as string | number | boolean)) {
    return {
      field: path,
      message: `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}, got ${
        JSON.stringify(value)
      }`,
    };
  }
  if (typeof value === "string") {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      return {
        field: path,
        message: `must be at most ${schema.maxLength} characters, got ${value.length}`,
      };
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
      return {
        field: path,
        message: `must match ${schema.pattern}${
          schema.description ? ` (${schema.description})` : ""
        }, got ${JSON.stringify(value)}`,
      };
    }
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) {
      return { field: path, message: `must be at least ${schema.minimum}, got ${value}` };
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      return { field: path, message: `must be at most ${schema.maximum}, got ${value}` };
    }
  }
  if (schema.type === "array" && schema.items) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const issue = checkSchema(schema.items, items[i], join(path, String(i)));
      if (issue) return issue;
    }
  }
  if (schema.type === "object") {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(record, name) || record[name] === undefined) {
        return { field: join(path, name), message: "is required" };
      }
    }
    const properties = schema.properties ?? {};
    for (const [name, item] of Object.entries(record)) {
      const field = join(path, name);
      if (Object.hasOwn(properties, name)) {
        const issue = checkSchema(properties[name], item, field);
        if (issue) return issue;
      } else if (schema.additionalProperties === false) {
        const known = Object.keys(properties);
        return {
          field,
          message: `is not a known field${known.length ? ` (known: ${known.join(", ")})` : ""}`,
        };
      } else if (typeof schema.additionalProperties === "object") {
        const issue = checkSchema(schema.additionalProperties, item, field);
        if (issue) return issue;
      }
    }
  }
  return undefined;
}

function article(word: string): string {
  return `${/^[aeiou]/.test(word) ? "an" : "a"} ${word}`;
}
