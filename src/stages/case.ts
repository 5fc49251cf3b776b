/**
 * `case:` stage: runs the stages of the first `match` whose value equals the
 * rendered `case`, else the `else` branch.
 *
 * @module
 */

import type { CaseStage } from "../models/types.ts";
import { NonRetriableError } from "../errors.ts";
import type { StageHandler } from "./types.ts";
import { abortedOutcome } from "./_nested.ts";
import type { StageKindDefinition } from "./kind.ts";
import type { CaseMatch, Stage } from "../models/types.ts";
import type { RawNestedStages } from "../models/stage.ts";
import { textField } from "../models/stage.ts";
import { checkKeys, describeValue, isRawMap, readBoolean } from "../models/fields.ts";
import { bool, ref, scalar } from "../models/json_schema.ts";

function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** Runs a case stage. Output `{case, stages}` (`case` is `"_"` for the else branch). */
export const runCaseStage: StageHandler<CaseStage> = async (stage, ctx) => {
  const value = asText(ctx.render(stage.case));
  let chosen = stage.match.find((m) => !m.else && asText(ctx.render(m.case)) === value);
  let label = value;
  if (!chosen) {
    chosen = stage.match.find((m) => m.else);
    label = "_";
  }
  if (!chosen) {
    if (stage.skipNotMatch) {
      ctx.log("info", `[STAGE]: Case '${ctx.stageName}': no match for '${value}', skipped`);
      return { outputs: { case: value, stages: {} }, status: "SKIP" };
    }
    const options = stage.match.map((m) => asText(ctx.render(m.case))).join(", ");
    throw new NonRetriableError(
      `case value '${value}' matches none of [${options}] and there is no else branch ` +
        `(add one, or set skip-not-match: true)`,
    );
  }
  const result = await ctx.runNested(chosen.stages, {}, { signal: ctx.signal, path: [label] });
  const outputs = { case: label, stages: result.stages };
  const aborted = abortedOutcome(ctx, outputs);
  if (aborted) return aborted;
  if (result.status === "FAILED" || result.status === "CANCEL") {
    return { outputs, status: result.status, error: result.error };
  }
  return { outputs };
};

const MATCH_KEYS = ["case", "stages", "stage", "else"] as const;

/** `case:` value with `match:` branches and `skip-not-match:`. */
export const caseKind: StageKindDefinition<CaseStage> = {
  kind: "case",
  selectors: ["case", "match"],
  keys: ["case", "match", "skip-not-match"],
  schema: {
    description: "Runs the stages of the `match` branch whose `case` equals the rendered `case`.",
    properties: {
      case: scalar("Value (usually a template) compared to each match's `case`."),
      match: {
        type: "array",
        description: "Branches: `{case, stages}` (or `{case, stage}`), and one `{else: stages}`.",
        items: {
          type: "object",
          description: "`{case, stages}`, `{case, stage}` or `{else: stages}`; `case: _` is else.",
          properties: {
            case: { description: "Value compared (type-sensitive) to the rendered `case`." },
            stages: ref("stages"),
            stage: ref("stage"),
            else: ref("stages"),
          },
          additionalProperties: false,
        },
      },
      "skip-not-match": bool("End as SKIP instead of failing when nothing matches."),
    },
    required: ["case", "match"],
  },
  parse(raw, base, { path, issues, stages, stage: parseOne }) {
    let caseValue = "";
    if (raw.case === undefined) issues.add(path, "'case' is required (the value to match)");
    else caseValue = textField(raw, "case", path, issues) ?? "";
    const matches: CaseMatch[] = [];
    const matchPath = [...path, "match"];
    if (raw.match === undefined) {
      issues.add(path, "'match' is required (a list of {case, stages} and an optional {else})");
    } else if (!Array.isArray(raw.match)) {
      issues.add(
        matchPath,
        `expected a list of {case, stages} items, got ${describeValue(raw.match)}`,
      );
    } else {
      let elseIndex: number | undefined;
      raw.match.forEach((item: unknown, index: number) => {
        const at = [...matchPath, index];
        if (!isRawMap(item)) {
          issues.add(at, `expected {case, stages} or {else: stages}, got ${describeValue(item)}`);
          return;
        }
        checkKeys(item, MATCH_KEYS, at, issues);
        let isElse = false;
        let list: Stage[] = [];
        if (item.else !== undefined) {
          isElse = true;
          if (item.case !== undefined) {
            issues.add(at, "a match item has either 'case' or 'else', not both");
          }
          list = stages(item.else, [...at, "else"]);
        } else {
          if (item.case === undefined) issues.add(at, "'case' is required (or use 'else')");
          isElse = item.case === "_";
          if (item.stages !== undefined && item.stage !== undefined) {
            issues.add(at, "use either 'stages' (a list) or 'stage' (one stage), not both");
          }
          if (item.stages !== undefined) list = stages(item.stages, [...at, "stages"]);
          else if (item.stage !== undefined) {
            const single = parseOne(item.stage, [...at, "stage"]);
            list = single ? [single] : [];
          } else issues.add(at, "'stages' is required");
        }
        if (isElse) {
          if (elseIndex !== undefined) {
            issues.add(at, `only one else branch is allowed (another at match[${elseIndex}])`);
          }
          elseIndex ??= index;
        }
        matches.push(
          isElse ? { else: true, stages: list } : { case: item.case, else: false, stages: list },
        );
      });
    }
    return {
      ...base,
      kind: "case",
      case: caseValue,
      match: matches,
      skipNotMatch: readBoolean(raw, "skip-not-match", path, issues, false),
    };
  },
  children: (stage) => stage.match.map((branch) => branch.stages),
  *rawChildren(raw): Generator<RawNestedStages> {
    if (!Array.isArray(raw.match)) return;
    for (const [index, item] of raw.match.entries()) {
      if (!isRawMap(item)) continue;
      for (const key of ["stages", "else"]) {
        if (item[key] !== undefined) yield { at: ["match", index, key], value: item[key] };
      }
      if (item.stage !== undefined) {
        yield { at: ["match", index, "stage"], value: item.stage, single: true };
      }
    }
  },
  run: runCaseStage,
};
