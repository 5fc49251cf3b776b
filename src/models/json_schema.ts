/**
 * Small builders of JSON Schema (draft-07) nodes, shared by the config schema
 * (`src/config/schema.ts`) and the schema fragment each stage kind declares.
 * Each builder mirrors how a model reader (`fields.ts`) accepts a value.
 *
 * @module
 */

/** A JSON Schema node (loosely typed on purpose: it is emitted, not interpreted). */
export type JsonSchema = { readonly [key: string]: unknown };

/** A reference to a definition of the config schema (`stages`, `condition`, `duration`, …). */
export const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });

/** A string. */
export const str = (description: string): JsonSchema => ({ type: "string", description });

/** Text read with `readString`: numbers are taken as their text. */
export const text = (description: string): JsonSchema => ({
  type: ["string", "number"],
  description,
});

/** Text read as code or a message: numbers and booleans are taken as their text. */
export const scalar = (description: string): JsonSchema => ({
  type: ["string", "number", "boolean"],
  description,
});

/** A boolean. */
export const bool = (description: string): JsonSchema => ({ type: "boolean", description });

/** A whole number ≥ `minimum`. */
export const int = (description: string, minimum = 1): JsonSchema => ({
  type: "integer",
  minimum,
  description,
});

/** A mapping of anything. */
export const map = (description: string): JsonSchema => ({ type: "object", description });

/** A string holding a `${{ }}` template. */
export const template: JsonSchema = { type: "string", pattern: "\\$\\{\\{" };

/** `env:` of a shell or docker stage: variable names to text. */
export const envMap = (description: string): JsonSchema => ({
  type: "object",
  description,
  propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
  additionalProperties: { type: ["string", "number", "boolean"] },
});
