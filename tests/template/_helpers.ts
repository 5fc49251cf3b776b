// Shared helpers of the template tests (not a test file itself).
import assert from "node:assert/strict";
import { TemplateError } from "../../src/errors.ts";

/** Asserts that `fn` throws a `TemplateError` whose message contains `text`. */
export function throwsTemplate(fn: () => unknown, text: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof TemplateError, `expected TemplateError, got ${error}`);
    assert.ok(
      error.message.includes(text),
      `message ${JSON.stringify(error.message)} lacks ${text}`,
    );
    return true;
  });
}
