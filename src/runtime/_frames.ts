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

/** Incrementally decodes frames from a byte stream. */
export class FrameDecoder {
  #buffer = new Uint8Array(0);

  /** Adds bytes and returns every message completed by them. */
  push(chunk: Uint8Array): unknown[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer, 0);
    joined.set(chunk, this.#buffer.length);
    const messages: unknown[] = [];
    let offset = 0;
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
      if (joined.length - start - HEADER < length) break;
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
