/**
 * Length-prefixed message frames for workers that run in a subprocess and
 * talk over stdin/stdout. A frame is the magic `WFM1`, a big-endian uint32
 * length and a V8-serialized value (the same algorithm as structured
 * cloning). Bytes before a magic are skipped, so stray output written
 * straight to stdout cannot wedge the stream.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";

const MAGIC = [0x57, 0x46, 0x4d, 0x31];
const HEADER = 8;

/** Encodes one message as a frame; throws a `DataCloneError` like `postMessage` would. */
export function encodeFrame(message: unknown): Uint8Array {
  const body = serialize(message);
  const frame = new Uint8Array(HEADER + body.length);
  frame.set(MAGIC, 0);
  new DataView(frame.buffer).setUint32(4, body.length);
  frame.set(body, HEADER);
  return frame;
}

/**
 * Incrementally decodes frames from a byte stream. A frame that arrives in many chunks (pipes
 * deliver 64 KiB at a time) is joined once, when its last byte is in, not again per chunk.
 */
export class FrameDecoder {
  /** Unparsed bytes: a partial frame (from its magic on) or a partial magic. */
  #buffer = new Uint8Array(0);
  /** Chunks received while the frame in `#buffer` is still incomplete. */
  #waiting: Uint8Array[] = [];
  #waitingBytes = 0;
  /** Bytes the frame starting `#buffer` needs in all, once its header is in; else 0. */
  #needed = 0;

  /** Adds bytes and returns every message completed by them. */
  push(chunk: Uint8Array): unknown[] {
    const have = this.#buffer.length + this.#waitingBytes + chunk.length;
    if (this.#needed > 0 && have < this.#needed) {
      this.#waiting.push(chunk);
      this.#waitingBytes += chunk.length;
      return [];
    }
    const joined = new Uint8Array(have);
    let at = 0;
    for (const part of [this.#buffer, ...this.#waiting, chunk]) {
      joined.set(part, at);
      at += part.length;
    }
    this.#waiting = [];
    this.#waitingBytes = 0;
    const messages: unknown[] = [];
    let offset = 0;
    this.#needed = 0;
    while (true) {
      const start = findMagic(joined, offset);
      if (start < 0) {
        // Keep a possible partial magic at the end.
        offset = Math.max(offset, joined.length - (MAGIC.length - 1));
        break;
      }
      offset = start;
      if (joined.length - start < HEADER) break;
      const length = new DataView(joined.buffer, joined.byteOffset + start + 4, 4).getUint32(0);
      if (joined.length - start - HEADER < length) {
        this.#needed = HEADER + length;
        break;
      }
      const body = joined.subarray(start + HEADER, start + HEADER + length);
      messages.push(deserialize(body));
      offset = start + HEADER + length;
    }
    this.#buffer = joined.slice(offset);
    return messages;
  }
}

function findMagic(bytes: Uint8Array, from: number): number {
  for (let i = from; i + MAGIC.length <= bytes.length; i++) {
    if (
      bytes[i] === MAGIC[0] && bytes[i + 1] === MAGIC[1] && bytes[i + 2] === MAGIC[2] &&
      bytes[i + 3] === MAGIC[3]
    ) return i;
  }
  return -1;
}
