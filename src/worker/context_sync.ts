/**
 * Keeps a worker's copy of a run's `context` up to date by sending only what
 * changed since the worker's previous job.
 *
 * A run's scope grows with every stage (`stages.<id>` entries, finished
 * `jobs`), and the stages of one run share workers, so sending the whole scope
 * with every job costs O(stages²) bytes per run: copied, serialized and piped
 * for every stage, most of it unchanged. The host instead keeps a
 * {@linkcode ContextMirror} per worker, which remembers what that worker holds
 * (two levels deep: the context's own entries, and the entries of those that
 * are plain objects), and sends a {@linkcode ContextPatch} of the entries that
 * are not the same value (`===`) as last time. The worker rebuilds the full
 * context with {@linkcode applyContextPatch}. Callers therefore replace an
 * object to change it; an object mutated in place after a job saw it is not
 * sent again. The `run` stage gives the same copy for the same scope entry, and
 * the executor replaces entries rather than mutating them.
 *
 * @module
 */

/** An object's entries changed since the worker's previous job. */
export interface EntriesChange {
  /** Entries that are new or have a new value, in the order the object lists them. */
  readonly set: readonly (readonly [string, unknown])[];
  /** Entries that are gone. */
  readonly drop: readonly string[];
}

/**
 * How to make a job's `context` from the one the worker's previous job saw.
 * `whole` replaces it outright (the first job of a worker, or a context that is
 * not a plain object); otherwise `keys` lists every key of the new context in
 * order, each taking its value from `values`, else from `entries` applied to
 * the previous value of that key, else the previous value itself.
 */
export type ContextPatch =
  | { readonly whole: unknown }
  | {
    /** Every key of the new context, in order. */
    readonly keys: readonly string[];
    /** Keys whose value is sent as is. */
    readonly values: readonly (readonly [string, unknown])[];
    /** Keys whose value is the previous (plain object) value with these changes. */
    readonly entries: readonly (readonly [string, EntriesChange])[];
  };

/** What a worker holds for one key of its context. */
interface MirroredValue {
  readonly value: unknown;
  /** For a plain object: its entries, in the worker's key order. */
  readonly entries?: Map<string, unknown>;
}

type Mirror = Map<string, MirroredValue>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Sets an own enumerable property, even one named `__proto__`. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

function entriesOf(value: Record<string, unknown>): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const key of Object.keys(value)) map.set(key, value[key]);
  return map;
}

/**
 * Whether applying `change` to an object with the keys of `before` yields the
 * key order of `after` (objects list integer-like keys first, so appending is
 * not always enough).
 */
function keepsOrder(
  before: Map<string, unknown>,
  change: EntriesChange,
  after: readonly string[],
): boolean {
  const dropped = new Set(change.drop);
  const shadow: Record<string, true> = Object.create(null);
  for (const key of before.keys()) if (!dropped.has(key)) shadow[key] = true;
  for (const [key] of change.set) shadow[key] = true;
  const keys = Object.keys(shadow);
  if (keys.length !== after.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== after[i]) return false;
  return true;
}

/** The changes from `before` to the entries of `after`, or `undefined` when sending the whole
 * object is needed to keep its key order. */
function diffEntries(
  before: Map<string, unknown>,
  after: Record<string, unknown>,
): EntriesChange | undefined {
  const keys = Object.keys(after);
  const set: (readonly [string, unknown])[] = [];
  let kept = 0;
  for (const key of keys) {
    const value = after[key];
    if (before.has(key)) {
      kept++;
      if (before.get(key) !== value) set.push([key, value]);
    } else {
      set.push([key, value]);
    }
  }
  const drop: string[] = [];
  if (kept < before.size) {
    const present = new Set(keys);
    for (const key of before.keys()) if (!present.has(key)) drop.push(key);
  }
  const change = { set, drop };
  return keepsOrder(before, change, keys) ? change : undefined;
}

/**
 * The host's record of what one worker's `context` holds. Use one per worker,
 * and drop it with the worker.
 *
 * @example
 * ```ts
 * const mirror = new ContextMirror();
 * const stages: Record<string, unknown> = { a: { outputs: { x: 1 } } };
 * const first = mirror.diff({ params: {}, stages: { ...stages } });
 * first.commit(); // after the job was handed to the worker
 * stages.b = { outputs: { y: 2 } };
 * const second = mirror.diff({ params: {}, stages: { ...stages } });
 * // second.patch: keys [params, stages], entries [[stages, {set: [[b, …]], drop: []}]]
 * ```
 */
export class ContextMirror {
  #held: Mirror | undefined;

  /**
   * The patch that turns the worker's context into `context`; call `commit`
   * once the worker has been sent it (a job that could not be sent leaves the
   * worker as it was).
   */
  diff(context: unknown): { readonly patch: ContextPatch; commit(): void } {
    if (!isPlainObject(context)) {
      return { patch: { whole: context }, commit: () => (this.#held = undefined) };
    }
    const held = this.#held;
    const next: Mirror = new Map();
    const keys = Object.keys(context);
    const values: (readonly [string, unknown])[] = [];
    const entries: (readonly [string, EntriesChange])[] = [];
    for (const key of keys) {
      const value = context[key];
      const before = held?.get(key);
      if (isPlainObject(value)) {
        const now = entriesOf(value);
        next.set(key, { value, entries: now });
        const change = before?.entries ? diffEntries(before.entries, value) : undefined;
        if (!change) values.push([key, value]);
        else if (change.set.length > 0 || change.drop.length > 0) entries.push([key, change]);
      } else {
        next.set(key, { value });
        if (!before || before.entries || before.value !== value) values.push([key, value]);
      }
    }
    const patch: ContextPatch = held ? { keys, values, entries } : { whole: context };
    return { patch, commit: () => (this.#held = next) };
  }
}

/**
 * The context a worker's job sees: `patch` applied to `previous` (the context
 * of the worker's previous job, or `undefined`). Objects that did not change
 * are reused; changed ones are new objects, so a frozen `previous` stays valid.
 */
export function applyContextPatch(previous: unknown, patch: ContextPatch): unknown {
  if ("whole" in patch) return patch.whole;
  const before = isPlainObject(previous) ? previous : {};
  const values = new Map(patch.values);
  const entries = new Map(patch.entries);
  const context: Record<string, unknown> = {};
  for (const key of patch.keys) {
    if (values.has(key)) {
      define(context, key, values.get(key));
      continue;
    }
    const old = Object.hasOwn(before, key) ? before[key] : undefined;
    const change = entries.get(key);
    if (!change) {
      define(context, key, old);
      continue;
    }
    const updated: Record<string, unknown> = {};
    if (isPlainObject(old)) {
      const dropped = new Set(change.drop);
      for (const name of Object.keys(old)) if (!dropped.has(name)) define(updated, name, old[name]);
    }
    for (const [name, value] of change.set) define(updated, name, value);
    define(context, key, updated);
  }
  return context;
}
