import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeFrame, FrameDecoder } from "../../src/runtime/_frames.ts";

const messages = [
  { type: "ready" },
  { type: "result", id: 1, outputs: { big: "x".repeat(300_000), when: new Date(0) } },
  { type: "log", id: 2, level: "info", message: "done" },
];

/** Stray text, then the frames of `messages`, as one byte stream. */
function stream(): Uint8Array {
  const parts = [new TextEncoder().encode("stray output\n"), ...messages.map(encodeFrame)];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

describe("FrameDecoder", () => {
  for (const size of [1, 7, 4096, 65_536, 1 << 20]) {
    it(`decodes every message, in order and once, from chunks of ${size} bytes`, () => {
      const bytes = stream();
      const decoder = new FrameDecoder();
      const got: unknown[] = [];
      const ends = messages.map((_, i) =>
        13 + messages.slice(0, i + 1).reduce((n, m) => n + encodeFrame(m).length, 0)
      );
      for (let at = 0; at < bytes.length; at += size) {
        got.push(...decoder.push(bytes.subarray(at, at + size)));
        const end = Math.min(at + size, bytes.length);
        // A message comes out as soon as its last byte is in, not before.
        assert.equal(got.length, ends.filter((e) => e <= end).length);
      }
      assert.deepEqual(got, messages);
    });
  }
});
