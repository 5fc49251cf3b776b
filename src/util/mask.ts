/**
 * Secret masking: every registered secret is replaced by `***` wherever it
 * appears in text (also inside longer strings), in traces, audits, CLI output
 * and API responses.
 *
 * @module
 */

/** What a secret is replaced with. */
export const MASK = "***";

/** Options of {@linkcode Masker}. */
export interface MaskerOptions {
  /** Secrets shorter than this are ignored: masking a one- or two-character value would
   * replace that text everywhere and make every log unreadable, while hiding almost nothing.
   * @default 3 */
  readonly minLength?: number;
}

/**
 * Collects secret values and masks them.
 *
 * Longer secrets are matched first, so a secret that contains another one is masked whole.
 * Each line of a multi-line secret (a PEM key, say) is registered too, because output is
 * often split by lines. With no secrets registered, every method is a no-op.
 *
 * @example
 * ```ts
 * const masker = new Masker();
 * masker.add("hunter22");
 * masker.mask("password=hunter22;"); // "password=***;"
 * ```
 */
export class Masker {
  readonly #secrets = new Set<string>();
  readonly #minLength: number;
  #pattern: RegExp | null = null;

  /** Creates an empty masker. */
  constructor(options: MaskerOptions = {}) {
    this.#minLength = Math.max(1, options.minLength ?? 3);
  }

  /** Number of secrets registered (after dropping too-short ones and duplicates). */
  get size(): number {
    return this.#secrets.size;
  }

  /** Registers a secret value. Values shorter than `minLength` are ignored. */
  add(secret: string): void {
    const before = this.#secrets.size;
    this.#addOne(secret);
    if (secret.includes("\n")) {
      for (const line of secret.split(/\r?\n/)) this.#addOne(line.trim());
    }
    if (this.#secrets.size !== before) this.#pattern = null;
  }

  #addOne(secret: string): void {
    if (typeof secret === "string" && secret.length >= this.#minLength) {
      this.#secrets.add(secret);
    }
  }

  /** Returns `text` with every occurrence of every secret replaced by `***`. */
  mask(text: string): string {
    if (this.#secrets.size === 0 || text.length === 0) return text;
    return text.replace(this.#regex(), MASK);
  }

  /**
   * Deep copy of `value` with every string (object keys included) masked. `Date`s are
   * copied as `Date`s; an `Error` becomes a plain `Error` with the same `name` and a masked
   * message; arrays, plain objects, `Map`s and `Set`s are walked. Any other object (a class
   * instance a task returned, a `URL`) becomes what `JSON.stringify` would show of it, masked:
   * its `toJSON()` value, else a plain object of its own fields, so no secret inside it
   * survives. Cycles are preserved.
   *
   * With no secrets registered, returns `value` itself (no copy) so the common case costs
   * nothing.
   */
  maskValue<T>(value: T): T {
    if (this.#secrets.size === 0) return value;
    return this.#walk(value, new Map()) as T;
  }

  #regex(): RegExp {
    if (this.#pattern === null) {
      const sorted = [...this.#secrets].sort((a, b) => b.length - a.length);
      this.#pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
    }
    // Reset state shared by the global flag (replace() resets it, but be explicit).
    this.#pattern.lastIndex = 0;
    return this.#pattern;
  }

  #walk(value: unknown, seen: Map<object, unknown>): unknown {
    if (typeof value === "string") return this.mask(value);
    if (value === null || typeof value !== "object") return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (value instanceof Date) return new Date(value.getTime());
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const item of value) out.push(this.#walk(item, seen));
      return out;
    }
    if (value instanceof Map) {
      const out = new Map<unknown, unknown>();
      seen.set(value, out);
      for (const [k, v] of value) out.set(this.#walk(k, seen), this.#walk(v, seen));
      return out;
    }
    if (value instanceof Set) {
      const out = new Set<unknown>();
      seen.set(value, out);
      for (const item of value) out.add(this.#walk(item, seen));
      return out;
    }
    if (value instanceof Error) {
      const out = new Error(this.mask(value.message));
      out.name = value.name;
      seen.set(value, out);
      return out;
    }
    const proto = Object.getPrototypeOf(value);
    const plain = proto === Object.prototype || proto === null;
    const toJson = (value as { toJSON?: unknown }).toJSON;
    if (!plain && typeof toJson === "function") {
      const shown = this.#walk(toJson.call(value), seen);
      seen.set(value, shown);
      return shown;
    }
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) out[this.mask(k)] = this.#walk(v, seen);
    return out;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&");
}
