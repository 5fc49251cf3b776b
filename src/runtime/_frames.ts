/**
 * Length-prefixed message frames for workers that run in a subprocess and
 * talk over stdin/stdout. A frame is a 4-byte magic, a big-endian uint32
 * length and the body. Magic `WFM1`: the body is a V8-serialized value (the
 * same algorithm as structured cloning). Magic `WFJ1`: the body is UTF-8
 * JSON, used when JSON gives back exactly what structured cloning would (plain
 * objects and arrays of strings, finite numbers, booleans and null, no shared
 * or missing entries): on Deno, `node:v8` `serialize` costs tens of µs for a
 * small message, JSON about one. Bytes before a magic are skipped, so stray
 * output written straight to stdout cannot wedge the stream.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";

const V8_MAGIC = [0x57, 0x46, 0x4d, 0x31]; // WFM1
const JSON_MAGIC = [0x57, 0x46, 0x4a, 0x31]; // WFJ1
const HEADER = 8;
const MAGIC_LENGTH = 4;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * Whether `JSON.parse(JSON.stringify(value))` equals the structured clone of `value`: only
 * plain objects, dense plain arrays, strings, booleans, null and finite numbers other than
 * -0, with no `undefined` entry and no object reached twice (a clone keeps the sharing).
 */
function jsonFaithful(value: unknown, seen: Set<object>): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (seen.has(value)) return false;
  seen.add(value);
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) return false;
    // A clone keeps holes and extra keys, which JSON turns into null or drops.
    if (Object.keys(value).length !== value.length) return false;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !jsonFaithful(value[i], seen)) return false;
    }
    return true;
  }
  if (proto !== Object.prototype && proto !== null) return false;
  const record = value as Record<string, unknown>;
  // `toJSON` would change what JSON writes; a clone would refuse the function anyway.
  for (const key in record) {
    if (!Object.hasOwn(record, key)) return false;
    if (!jsonFaithful(record[key], seen)) return false;
  }
  return true;
}

/** JSON text of `message` when JSON carries it faithfully, else `undefined`. */
function faithfulJson(message: unknown): string | undefined {
  try {
    return jsonFaithful(message, new Set()) ? JSON.stringify(message) : undefined;
  } catch {
    // Too deep to walk: let the V8 serializer decide.
    return undefined;
  }
}

/** Writes the magic and the big-endian body length. */
function writeHeader(frame: Uint8Array, magic: readonly number[], length: number): Uint8Array {
  frame.set(magic, 0);
  frame[4] = length >>> 24;
  frame[5] = (length >>> 16) & 0xff;
  frame[6] = (length >>> 8) & 0xff;
  frame[7] = length & 0xff;
  return frame;
}

/** Encodes one message as a frame; throws a `DataCloneError` like `postMessage` would. */
export function encodeFrame(message: unknown): Uint8Array {
  const json = faithfulJson(message);
  if (json === undefined) {
    const body = serialize(message);
    const frame = writeHeader(new Uint8Array(HEADER + body.length), V8_MAGIC, body.length);
    frame.set(body, HEADER);
    return frame;
  }
  // One allocation when the text is ASCII (the usual case: then bytes = characters).
  const frame = new Uint8Array(HEADER + json.length);
  if (encoder.encodeInto(json, frame.subarray(HEADER)).read === json.length) {
    return writeHeader(frame, JSON_MAGIC, json.length);
  }
  const body = encoder.encode(json);
  const wide = writeHeader(new Uint8Array(HEADER + body.length), JSON_MAGIC, body.length);
  wide.set(body, HEADER);
  return wide;
}

/**
 * Incrementally decodes frames from a byte stream. A frame that arrives in many chunks (pipes
 * deliver 64 KiB at a time) is joined once, when its last byte is in, not again per chunk.
 */
export class FrameDecoder {
  /** Unparsed bytes: a partial frame (from its magic on) or a partial magic. */
  #buffer = EMPTY;
  /** Chunks received while the frame in `#buffer` is still incomplete. */
  #waiting: Uint8Array[] = [];
  #waitingBytes = 0;
  /** Bytes the frame starting `#buffer` needs in all, once its header is in; else 0. */
  #needed = 0;

  /** Adds bytes and returns every message completed by them. Keeps no reference to `chunk`,
   * so the caller may read the next bytes into the same buffer. */
  push(chunk: Uint8Array): unknown[] {
    const have = this.#buffer.length + this.#waitingBytes + chunk.length;
    if (this.#needed > 0 && have < this.#needed) {
      this.#waiting.push(chunk.slice());
      this.#waitingBytes += chunk.length;
      return [];
    }
    let joined = chunk;
    if (have !== chunk.length) {
      joined = new Uint8Array(have);
      let at = 0;
      for (const part of [this.#buffer, ...this.#waiting, chunk]) {
        joined.set(part, at);
        at += part.length;
      }
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
        offset = Math.max(offset, joined.length - (MAGIC_LENGTH - 1));
        break;
      }
      offset = start;
      if (joined.length - start < HEADER) break;
      const length = ((joined[start + 4] << 24) | (joined[start + 5] << 16) |
        (joined[start + 6] << 8) | joined[start + 7]) >>> 0;
      if (joined.length - start - HEADER < length) {
        this.#needed = HEADER + length;
        break;
      }
      const body = joined.subarray(start + HEADER, start + HEADER + length);
      messages.push(
        joined[start + 2] === JSON_MAGIC[2] ? JSON.parse(decoder.decode(body)) : deserialize(body),
      );
      offset = start + HEADER + length;
    }
    this.#buffer = offset >= joined.length ? EMPTY : joined.slice(offset);
    return messages;
  }
}

/** Index of the first `WFM1` or `WFJ1` at or after `from`, or -1. */
function findMagic(bytes: Uint8Array, from: number): number {
  for (let i = from; i + MAGIC_LENGTH <= bytes.length; i++) {
    if (
      bytes[i] === V8_MAGIC[0] && bytes[i + 1] === V8_MAGIC[1] &&
      (bytes[i + 2] === V8_MAGIC[2] || bytes[i + 2] === JSON_MAGIC[2]) &&
      bytes[i + 3] === V8_MAGIC[3]
    ) return i;
  }
  return -1;
}
