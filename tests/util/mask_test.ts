import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Masker } from "../../src/util/mask.ts";

describe("Masker", () => {
  it("mask() replaces a secret wherever it appears, also inside longer words", () => {
    const masker = new Masker();
    masker.add("hunter2");
    assert.equal(masker.mask("pw=hunter2; again:hunter2hunter2"), "pw=***; again:******");
  });

  it("mask() leaves text without secrets untouched", () => {
    const masker = new Masker();
    masker.add("hunter2");
    assert.equal(masker.mask("hunter and 2 others"), "hunter and 2 others");
  });

  it("masks the longest secret first so an overlapping shorter one leaves no tail", () => {
    const masker = new Masker();
    masker.add("abc");
    masker.add("abcdef");
    assert.equal(masker.mask("x abcdef y abc"), "x *** y ***");
  });

  it("treats regular-expression characters in secrets literally", () => {
    const masker = new Masker();
    masker.add("a.b*c(d)$");
    assert.equal(masker.mask("a.b*c(d)$ axbbbc(d)"), "*** axbbbc(d)");
  });

  it("ignores secrets shorter than three characters and empty ones", () => {
    const masker = new Masker();
    masker.add("");
    masker.add("a");
    masker.add("ab");
    assert.equal(masker.size, 0);
    assert.equal(masker.mask("a cab"), "a cab");
    const strict = new Masker({ minLength: 1 });
    strict.add("a");
    assert.equal(strict.mask("a cab"), "*** c***b");
  });

  it("also masks each line of a multi-line secret", () => {
    const masker = new Masker();
    masker.add("-----BEGIN KEY-----\nMIIEsecretline\n-----END KEY-----");
    assert.equal(masker.mask("line 2 is MIIEsecretline"), "line 2 is ***");
    assert.equal(masker.mask("-----BEGIN KEY-----\nMIIEsecretline\n-----END KEY-----"), "***");
  });

  it("maskValue() masks strings in nested objects and arrays, keys included, and keeps Dates", () => {
    const masker = new Masker();
    masker.add("s3cret");
    const at = new Date(Date.UTC(2024, 0, 1));
    const input = {
      params: { token: "s3cret", n: 5, ok: true, none: null, at },
      jobs: [{ stages: { "s3cret-stage": { out: ["x s3cret y", 1] } } }],
      error: new Error("failed with s3cret"),
    };
    const masked = masker.maskValue(input);
    assert.deepEqual(masked.params, { token: "***", n: 5, ok: true, none: null, at });
    assert.ok(masked.params.at instanceof Date && masked.params.at !== at);
    assert.deepEqual(masked.jobs, [{ stages: { "***-stage": { out: ["x *** y", 1] } } }]);
    assert.equal(masked.error.message, "failed with ***");
    assert.equal(input.params.token, "s3cret", "the input is not changed");
  });

  it("maskValue() copies cyclic structures without looping", () => {
    const masker = new Masker();
    masker.add("s3cret");
    const node: Record<string, unknown> = { value: "s3cret" };
    node.self = node;
    const masked = masker.maskValue(node);
    assert.equal(masked.value, "***");
    assert.equal(masked.self, masked);
  });

  it("maskValue() shows a class instance as JSON would, masked, so no secret hides inside it", () => {
    const masker = new Masker();
    masker.add("s3cret");
    class Client {
      constructor(readonly token: string) {}
    }
    const url = new URL("https://user:s3cret@example.com/");
    const masked = masker.maskValue({ client: new Client("s3cret"), url });
    assert.deepEqual(masked, { client: { token: "***" }, url: "https://user:***@example.com/" });
    assert.ok(!JSON.stringify(masked).includes("s3cret"));
  });

  it("with no secrets, mask() and maskValue() return their input as is", () => {
    const masker = new Masker();
    const value = { a: "anything" };
    assert.equal(masker.maskValue(value), value);
    assert.equal(masker.mask("anything"), "anything");
  });
});
