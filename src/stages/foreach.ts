/**
 * `foreach:` stage: runs nested stages once per item, `concurrent` at a time;
 * the first failing item cancels the rest.
 *
 * @module
 */

import type { ForEachStage, Status } from "../models/types.ts";
import { CancelError, errorToRecord, NonRetriableError } from "../errors.ts";
import { forEachLimited } from "../util/concurrency.ts";
import type { StageHandler } from "./types.ts";
import { abortedOutcome, nestedOutcome, positiveInt } from "./_nested.ts";
import type { StageKindDefinition } from "./kind.ts";
import { requireStages } from "../models/stage.ts";
import { describeValue, readBoolean, readInteger } from "../models/fields.ts";
import { bool, int, ref } from "../models/json_schema.ts";

function itemKey(item: unknown): string {
  if (typeof item === "string") return item;
  if (item instanceof Date) return item.toISOString();
  return typeof item === "object" && item !== null ? JSON.stringify(item) : String(item);
}

function resolveItems(value: unknown, raw: unknown): unknown[] {
  let items = value;
  if (typeof items === "string") {
    try {
      items = JSON.parse(items);
    } catch {
      // fall through to the error below
    }
  }
  if (!Array.isArray(items)) {
    throw new NonRetriableError(
      `foreach must be a list (or a template that renders to one); ${JSON.stringify(raw)} gave ${
        items === null ? "null" : typeof items
      }`,
    );
  }
  return items;
}

/** Runs a foreach stage. Output `{items, foreach: {<key>: {item, status, stages, errors?}}}`. */
export const runForEachStage: StageHandler<ForEachStage> = async (stage, ctx) => {
  const items = resolveItems(ctx.render(stage.foreach), stage.foreach);
  const concurrent = positiveInt(ctx.render(stage.concurrent), "concurrent");
  const keys = items.map((item, index) => (stage.useIndexAsKey ? String(index) : itemKey(item)));
  if (!stage.useIndexAsKey) {
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) {
        throw new NonRetriableError(
          `foreach items must be unique, '${key}' appears twice; set use-index-as-key: true to allow duplicates`,
        );
      }
      seen.add(key);
    }
  }
  const out: Record<string, { item: unknown; status: Status; stages: unknown; errors?: unknown }> =
    {};
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  await forEachLimited(items, concurrent, async (item, index) => {
    const key = keys[index];
    const result = await ctx.runNested(stage.stages, { item, loop: index }, {
      signal,
      path: [key],
    });
    out[key] = { item, status: result.status, stages: result.stages };
    if (result.error) out[key].errors = result.error;
    if (result.status === "FAILED" && !stop.signal.aborted) {
      stop.abort(new CancelError(`cancelled because item '${key}' failed`));
    }
  }, {
    shouldStop: () => signal.aborted,
    // Whatever escapes an item is that item's failure, never a missing entry.
    onError: (error, item, index) => {
      const key = keys[index];
      out[key] = { item, status: "FAILED", stages: {}, errors: errorToRecord(error) };
      if (!stop.signal.aborted) {
        stop.abort(new CancelError(`cancelled because item '${key}' failed`));
      }
    },
  });
  items.forEach((item, index) => {
    out[keys[index]] ??= { item, status: "CANCEL", stages: {} };
  });
  const ordered: Record<string, (typeof out)[string]> = {};
  for (const key of keys) ordered[key] = out[key];
  const outputs = { items, foreach: ordered };
  return abortedOutcome(ctx, outputs) ?? nestedOutcome(outputs, Object.entries(ordered), "item");
};

/** `foreach:` items with nested `stages:`, `concurrent:` and `use-index-as-key:`. */
export const foreachKind: StageKindDefinition<ForEachStage> = {
  kind: "foreach",
  selectors: ["foreach"],
  keys: ["foreach", "stages", "concurrent", "use-index-as-key"],
  schema: {
    description: "Runs nested stages once per item (`${{ item }}`, `${{ loop }}`).",
    properties: {
      foreach: {
        description: "Items to loop over: a list or a template that renders to a list.",
        anyOf: [{ type: "array" }, { type: "string" }],
      },
      stages: ref("stages"),
      concurrent: int("How many items run at once.", 1),
      "use-index-as-key": bool("Key outputs by index instead of item value."),
    },
    required: ["foreach", "stages"],
  },
  parse(raw, base, { path, issues, stages }) {
    const value = raw.foreach;
    if (!Array.isArray(value) && typeof value !== "string") {
      issues.add(
        [...path, "foreach"],
        `expected a list or a template that renders to a list, got ${describeValue(value)}`,
      );
    }
    requireStages(raw, path, issues);
    const concurrent = readInteger(raw, "concurrent", path, issues);
    return {
      ...base,
      kind: "foreach",
      foreach: value,
      stages: stages(raw.stages, [...path, "stages"]),
      concurrent: typeof concurrent === "number" ? concurrent : 1,
      useIndexAsKey: readBoolean(raw, "use-index-as-key", path, issues, false),
    };
  },
  children: (stage) => [stage.stages],
  rawChildren: (raw) => [{ at: ["stages"], value: raw.stages }],
  run: runForEachStage,
};
