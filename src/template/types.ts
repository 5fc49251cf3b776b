/**
 * Public types of the template language.
 *
 * @module
 */

/** The values templates read: `params`, `stages`, `jobs`, `matrix`, `item`, … */
export type Scope = Readonly<Record<string, unknown>>;

/**
 * A filter: `${{ value | name(arg, key=value) }}`. Receives the piped value, the literal
 * positional and keyword arguments, and the render time zone.
 */
export type FilterFunction = (
  value: unknown,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  ctx: { timezone: string },
) => unknown;

/** Filters by name, as built by `createFilters()`. */
export type FilterRegistry = ReadonlyMap<string, FilterFunction>;

/** Options of `render()`, `renderString()` and `evaluateCondition()`. */
export interface RenderOptions {
  /** Filters to use; built-ins are always available. @default the built-ins */
  readonly filters?: FilterRegistry;
  /**
   * Looks up `${VAR}` environment references. Without it, `${VAR}` text is kept as written
   * (`$$` still collapses to `$`). A variable it does not know and that has no
   * `${VAR:default}` is a `TemplateError`.
   */
  readonly env?: (name: string) => string | undefined;
  /** IANA zone used by `fmt` and by date stringification. @default "UTC" */
  readonly timezone?: string;
  /** Called for every `${VAR}` replaced by an environment value, so it can be masked. */
  readonly onEnv?: (name: string, value: string) => void;
}
