/**
 * Shared pieces of the spawn adapters: bounded output capture and the
 * "program not found" error.
 *
 * @module
 */

/** Collects one output stream, keeping at most `max` bytes (head or tail) and counting the rest. */
export class OutputCollector {
  #chunks: Uint8Array[] = [];
  #kept = 0;
  #dropped = 0;
  readonly #max: number;
  readonly #keep: "head" | "tail";
  readonly #decoder = new TextDecoder();
  readonly #onChunk?: (chunk: string) => void;

  /** Creates a collector; `onChunk` receives each decoded chunk as it arrives. */
  constructor(max: number, keep: "head" | "tail", onChunk?: (chunk: string) => void) {
    this.#max = Math.max(0, max);
    this.#keep = keep;
    this.#onChunk = onChunk;
  }

  /** Adds a chunk of raw bytes. */
  push(chunk: Uint8Array): void {
    if (this.#onChunk) {
      const text = this.#decoder.decode(chunk, { stream: true });
      if (text) this.#onChunk(text);
    }
    if (this.#keep === "head") {
      const room = this.#max - this.#kept;
      if (room <= 0) {
        this.#dropped += chunk.length;
        return;
      }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.#chunks.push(part.slice());
      this.#kept += part.length;
      this.#dropped += chunk.length - part.length;
      return;
    }
    this.#chunks.push(chunk.slice());
    this.#kept += chunk.length;
    while (this.#kept > this.#max && this.#chunks.length > 0) {
      const first = this.#chunks[0];
      const excess = this.#kept - this.#max;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#kept -= first.length;
        this.#dropped += first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#kept -= excess;
        this.#dropped += excess;
      }
    }
  }

  /** Flushes the live decoder (for `onChunk`). */
  end(): void {
    if (this.#onChunk) {
      const rest = this.#decoder.decode();
      if (rest) this.#onChunk(rest);
    }
  }

  /** The kept text. */
  text(): string {
    const all = new Uint8Array(this.#kept);
    let offset = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return new TextDecoder().decode(all);
  }

  /** Bytes not kept. */
  get dropped(): number {
    return this.#dropped;
  }
}

/** Default `maxOutputBytes` of the spawn adapters (1 MiB). */
export const DEFAULT_MAX_OUTPUT_BYTES = 1048576;

/** The error a spawn adapter raises when the program does not exist. */
export function programNotFound(program: string, cause?: unknown): Error {
  return new Error(`Cannot run "${program}": program not found (is it installed and on PATH?)`, {
    cause,
  });
}

/** The reason to reject with when `signal` aborted (a generic AbortError when it has none). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}
