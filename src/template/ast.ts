/**
 * Syntax tree of the expression language. Offsets are 0-based positions in the source string
 * being compiled (the whole template or condition, not just the expression).
 *
 * @module
 */

/** A literal constant. */
export interface LiteralNode {
  readonly type: "literal";
  readonly value: string | number | boolean | null;
  readonly start: number;
}

/** One step of a path: a static key (`.run-date`, `[0]`, `['k']`) or a computed one. */
export interface Segment {
  /** Static key, or `undefined` when `expression` computes it. */
  readonly key: string | number | undefined;
  readonly expression?: Node;
  /** Marked with `?`: missing (or null) → the path yields null. */
  optional: boolean;
  /** How it is written, for messages (`.run-date`, `[0]`). */
  readonly text: string;
}

/** A path from the scope (`base` undefined) or from a computed value (`(x).a`, `f(x)[0]`). */
export interface PathNode {
  readonly type: "path";
  readonly base?: Node;
  readonly segments: Segment[];
  readonly start: number;
}

/** `== != < <= > >= in` and `not in`. */
export interface CompareNode {
  readonly type: "compare";
  readonly operator: "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in";
  readonly left: Node;
  readonly right: Node;
  readonly start: number;
}

/** `&&`/`and`, `||`/`or`: short-circuit, yields an operand. */
export interface LogicalNode {
  readonly type: "logical";
  readonly operator: "and" | "or";
  readonly left: Node;
  readonly right: Node;
  readonly start: number;
}

/** `!x` / `not x`. */
export interface NotNode {
  readonly type: "not";
  readonly operand: Node;
  readonly start: number;
}

/** A built-in function call. */
export interface CallNode {
  readonly type: "call";
  readonly name: string;
  readonly args: readonly Node[];
  readonly start: number;
}

/** `input | name(args, key=value)`. Arguments are literals. */
export interface FilterNode {
  readonly type: "filter";
  readonly input: Node;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly start: number;
}

/** A string literal of a condition with templates inside (`"${{ params.name }}"`). */
export interface InterpolationNode {
  readonly type: "interpolation";
  readonly parts: readonly (string | TemplateNode)[];
  readonly start: number;
}

/** A `${{ }}` inside a condition: its value is used as a literal. */
export interface TemplateNode {
  readonly type: "template";
  readonly expression: Node;
  /** Offsets of `${{` and just after `}}`. */
  readonly start: number;
  readonly end: number;
  /** Whether it sits inside a string literal (then its value is stringified). */
  readonly quoted: boolean;
}

/** Any expression. */
export type Node =
  | LiteralNode
  | PathNode
  | CompareNode
  | LogicalNode
  | NotNode
  | CallNode
  | FilterNode
  | InterpolationNode
  | TemplateNode;
