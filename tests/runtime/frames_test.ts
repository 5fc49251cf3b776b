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

describe("encodeFrame() and FrameDecoder", () => {
  const shared = { n: 1 };
  const holes = [1, , 3];
  const extra = Object.assign([1, 2], { label: "x" });
  const values: Record<string, unknown> = {
    "plain data": { s: "text", n: 1.5, b: true, nothing: null, list: [1, [2, { deep: "x" }]] },
    "non-ASCII text": { word: "naïve – ข้อความ 🎉", lone: "\ud800" },
    "an own __proto__ entry": JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
    "an undefined entry": { kept: undefined, other: 1 },
    "-0, NaN and Infinity": { values: [-0, NaN, Infinity, -Infinity] },
    "an array with a hole": { holes },
    "an array with an extra key": { extra },
    "one object reached twice": { a: shared, b: shared },
    "dates, maps, sets and big integers": {
      when: new Date(0),
      map: new Map([["k", 1]]),
      set: new Set([1]),
      big: 10n,
    },
    "a null-prototype object": Object.assign(Object.create(null), { a: 1 }),
  };
  for (const [label, value] of Object.entries(values)) {
    it(`gives back what structured cloning gives for ${label}`, () => {
      const [decoded] = new FrameDecoder().push(encodeFrame(value));
      assert.deepEqual(decoded, structuredClone(value));
      if (label === "one object reached twice") {
        const pair = decoded as { a: unknown; b: unknown };
        assert.equal(pair.a, pair.b);
      }
    });
  }

  it("throws as postMessage would for a value that cannot be cloned", () => {
    assert.throws(() => encodeFrame({ fn: () => 1 }));
  });

  it("decodes correctly when the caller reuses its read buffer for the next chunk", () => {
    const frame = encodeFrame({ type: "result", id: 1, outputs: { text: "y".repeat(5000) } });
    const buffer = new Uint8Array(frame.length);
    const decoder = new FrameDecoder();
    const got: unknown[] = [];
    for (let at = 0; at < frame.length; at += 1000) {
      const part = frame.subarray(at, at + 1000);
      buffer.set(part);
      got.push(...decoder.push(buffer.subarray(0, part.length)));
      buffer.fill(0);
    }
    assert.deepEqual(got, [{ type: "result", id: 1, outputs: { text: "y".repeat(5000) } }]);
  });
});
