/**
 * A JSON Schema (draft-07) of a config file, for editors (yaml-language-server:
 * `# yaml-language-server: $schema=./workflow.schema.json`). It mirrors what the
 * validators accept; the validators stay the source of truth for messages. The stage
 * definitions come from the stage kinds' own fragments (`src/stages/kinds.ts`).
 *
 * @module
 */

import { PARAM_TYPES } from "../models/params.ts";
import { RUNS_ON_TYPES, TRIGGER_RULES } from "../models/job.ts";
import type { STAGE_COMMON_KEYS, StageKindSyntax } from "../models/stage.ts";
import {
  bool,
  int,
  type JsonSchema,
  map,
  ref,
  str,
  template,
  text,
} from "../models/json_schema.ts";
import { STAGE_KINDS } from "../stages/kinds.ts";

export type { JsonSchema } from "../models/json_schema.ts";

const STAGE_COMMON: Readonly<Record<(typeof STAGE_COMMON_KEYS)[number], JsonSchema>> = {
  id: text("Stage id used in `${{ stages.<id>.outputs }}`; defaults to a hash of the name."),
  name: text("Stage name (required); may hold `${{ matrix.* }}` templates."),
  desc: text("Free-text description."),
  if: ref("condition"),
  timeout: ref("duration"),
  retry: ref("retry"),
  "continue-on-error": bool("A failure of this stage does not stop the job."),
};

/** The schema definition of one stage kind: its fragment plus `name` and the common keys. */
function stageDefinition(kind: StageKindSyntax): JsonSchema {
  const { description, properties, required = [], oneRequired } = kind.schema;
  return {
    type: "object",
    title: `${kind.kind} stage`,
    description,
    required: ["name", ...required],
    properties: { ...STAGE_COMMON, ...properties },
    ...(oneRequired ? { oneOf: oneRequired.map((key) => ({ required: [key] })) } : {}),
    additionalProperties: false,
  };
}

/**
 * Returns the JSON Schema of a config file: a mapping of template name to a `Workflow`,
 * `Schedule` or `On` template (or a single template with a top-level `name:`).
 *
 * @example
 * ```ts
 * const schema = workflowJsonSchema();
 * JSON.stringify(schema, null, 2); // write it next to the config folder
 * ```
 */
export function workflowJsonSchema(): JsonSchema {
  return allowEmptyValues(configSchema()) as JsonSchema;
}

/**
 * Keys whose empty value (`key:` with nothing after it, YAML `null`) the engine refuses although
 * the key is optional; every other optional key reads an empty value as absent.
 */
const EMPTY_IS_AN_ERROR: ReadonlySet<string> = new Set(["type", "echo"]);

/**
 * The engine reads an optional key written with no value as if it were absent, so the schema
 * accepts `null` there too: every object definition (one with `additionalProperties: false`)
 * gets `null` added to its optional properties.
 */
function allowEmptyValues(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowEmptyValues);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = allowEmptyValues(value);
  const properties = out.properties as Record<string, JsonSchema> | undefined;
  if (properties && out.additionalProperties === false) {
    const required = (out.required ?? []) as readonly string[];
    const nullable: Record<string, JsonSchema> = {};
    for (const [key, property] of Object.entries(properties)) {
      nullable[key] = required.includes(key) || EMPTY_IS_AN_ERROR.has(key)
        ? property
        : orNull(property);
    }
    out.properties = nullable;
  }
  return out;
}

function orNull(property: JsonSchema): JsonSchema {
  const { type, anyOf, enum: values } = property;
  if (typeof type === "string" || Array.isArray(type)) {
    const types = typeof type === "string" ? [type] : type;
    return {
      ...property,
      type: [...types, "null"],
      ...(Array.isArray(values) ? { enum: [...values, null] } : {}),
    };
  }
  if (Array.isArray(anyOf)) return { ...property, anyOf: [...anyOf, { type: "null" }] };
  if (Array.isArray(values)) return { ...property, enum: [...values, null] };
  if (property.$ref !== undefined) return { anyOf: [property, { type: "null" }] };
  return property; // no type: null is already allowed
}

function configSchema(): JsonSchema {
  const stageKinds: Record<string, JsonSchema> = {};
  for (const kind of STAGE_KINDS) stageKinds[`stage_${kind.kind}`] = stageDefinition(kind);
  const templateOf = (type: string, name: string): JsonSchema => ({
    if: { properties: { type: { const: type } }, required: ["type"] },
    then: ref(name),
  });
  // A schedule in `on:` and an On template take the same interval and zone fields.
  const intervalFields: Record<string, JsonSchema> = {
    interval: { enum: ["daily", "weekly", "monthly"], description: "Instead of cronjob." },
    day: {
      type: ["string", "integer"],
      description: "weekly: a weekday (monday, mon); monthly: a day of the month 1-31.",
    },
    time: str('Time of day "HH:MM" for `interval` (default "00:00").'),
    timezone: str("IANA time zone (default UTC)."),
    tz: str("Alias of `timezone`."),
  };
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://github.com/ddeutil/workflow/schema/config.json",
    title: "@ddeutil/workflow config file",
    description:
      "Templates by name: `type: Workflow`, `type: Schedule`, `type: On` or `type: YearOn`.",
    type: "object",
    // A file that is one template has top-level `name:` and `type:` strings.
    if: {
      required: ["name", "type"],
      properties: { name: { type: "string" }, type: { type: "string" } },
    },
    then: ref("template"),
    else: { additionalProperties: ref("topLevelEntry") },
    definitions: {
      topLevelEntry: {
        description: "A template when it has `type:`; other entries (YAML anchors) are ignored.",
        if: { type: "object", required: ["type"] },
        then: ref("template"),
      },
      template: {
        type: "object",
        required: ["type"],
        properties: {
          type: {
            enum: ["Workflow", "Schedule", "On", "YearOn"],
            description: "Template kind.",
          },
        },
        allOf: [
          templateOf("Workflow", "workflow"),
          templateOf("Schedule", "schedule"),
          templateOf("On", "onTemplate"),
          templateOf("YearOn", "yearOnTemplate"),
        ],
      },
      workflow: {
        type: "object",
        description: "A workflow: params, schedules and jobs of stages (none: runs to SUCCESS).",
        properties: {
          type: { const: "Workflow" },
          name: str("Workflow name (single-template files); must not hold a template."),
          desc: text("Description (common indentation removed)."),
          params: {
            type: "object",
            description: "Declared params: `name: str` or `name: {type, desc, required, ...}`.",
            additionalProperties: ref("param"),
          },
          on: ref("on"),
          jobs: {
            type: "object",
            description: "Job id → job; jobs run in `needs` order.",
            additionalProperties: ref("job"),
          },
          "max-job-parallel": int("Jobs that may run at once."),
          timeout: ref("duration"),
          tags: {
            description: "Free-form tags: a list, or one tag.",
            type: ["array", "string"],
            items: { type: ["string", "number"] },
          },
        },
        additionalProperties: false,
      },
      param: {
        description: "A param type name, or a mapping with `type:`.",
        anyOf: [
          { type: "string", enum: PARAM_TYPES },
          {
            type: "object",
            required: ["type"],
            properties: {
              type: { type: "string", enum: PARAM_TYPES, description: "Param type." },
              desc: text("Description."),
              required: bool("The caller must pass a value (a default satisfies it)."),
              default: { description: "Value used when the caller passes none." },
              options: {
                type: "array",
                items: { type: ["string", "number"] },
                description: "Allowed values (choice only).",
              },
            },
            additionalProperties: false,
          },
        ],
      },
      job: {
        type: "object",
        description: "A job: stages run in order on one runner.",
        properties: {
          desc: text("Description."),
          "runs-on": {
            description: "Runner: a type name or `{type, with}`. Only `local` executes today.",
            anyOf: [
              { type: "string", enum: RUNS_ON_TYPES },
              {
                type: "object",
                properties: {
                  type: { type: "string", enum: RUNS_ON_TYPES },
                  with: map("Runner options."),
                  args: map("Alias of `with`."),
                },
                additionalProperties: false,
              },
            ],
          },
          if: ref("condition"),
          needs: {
            description: "Job ids that must finish first.",
            anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }],
          },
          "trigger-rule": {
            type: "string",
            enum: TRIGGER_RULES,
            description: "When this job runs given its needs (default all_success).",
          },
          strategy: ref("strategy"),
          stages: ref("stages"),
          timeout: ref("duration"),
          retry: ref("retry"),
        },
        additionalProperties: false,
      },
      strategy: {
        type: "object",
        description: "Matrix strategy: the job runs once per combination.",
        properties: {
          matrix: {
            type: "object",
            description: "Key → list of values (or a template rendering to a list).",
            additionalProperties: { anyOf: [{ type: "array", minItems: 1 }, template] },
          },
          include: { type: "array", items: { type: "object" }, description: "Extra combinations." },
          exclude: {
            type: "array",
            items: { type: "object" },
            description: "Combinations to drop (partial matches allowed).",
          },
          "max-parallel": int("Combinations that run at once (default 1)."),
          "fail-fast": bool("Cancel remaining combinations after the first failure."),
        },
        additionalProperties: false,
      },
      stages: { type: "array", description: "Stages, run in order.", items: ref("stage") },
      stage: {
        description: "A stage; its kind is chosen by its distinguishing key.",
        anyOf: Object.keys(stageKinds).map(ref),
      },
      ...stageKinds,
      condition: {
        description: "Expression (`params.mode == 'full'`), a `${{ }}` template, or a boolean.",
        type: ["string", "boolean"],
      },
      duration: {
        description: "Seconds as a number, or a string such as `30s`, `10m`, `1h`.",
        anyOf: [
          { type: "number", minimum: 0 },
          { type: "string", pattern: "^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)?\\s*)+$" },
        ],
      },
      retry: {
        description: "Attempts (a number) or `{attempts, delay, backoff, max-delay}`.",
        anyOf: [
          { type: "integer", minimum: 0 },
          {
            type: "object",
            required: ["attempts"],
            properties: {
              attempts: int("Total attempts including the first."),
              delay: ref("duration"),
              backoff: { type: "number", minimum: 1, description: "Delay multiplier." },
              "max-delay": ref("duration"),
            },
            additionalProperties: false,
          },
        ],
      },
      cron: {
        type: "object",
        description: "`{cronjob, timezone}`, or `{interval, day, time, timezone}`.",
        anyOf: [{ required: ["cronjob"] }, { required: ["interval"] }],
        properties: {
          cronjob: str("Cron expression (`*/5 * * * *`)."),
          ...intervalFields,
        },
        additionalProperties: false,
      },
      on: {
        description: "Schedules: an On template name, a list of names and/or " +
          "`{cronjob, timezone}`, or `{schedule: [...]}`.",
        anyOf: [
          { type: "string" },
          ref("cron"),
          { type: "array", items: { anyOf: [{ type: "string" }, ref("cron")] } },
          {
            type: "object",
            properties: {
              schedule: { type: "array", items: { anyOf: [{ type: "string" }, ref("cron")] } },
            },
            additionalProperties: false,
          },
        ],
      },
      onTemplate: {
        type: "object",
        description: "A named cron schedule, referenced from `on:` by name: `cronjob`, or " +
          "`interval` with `day` and `time`.",
        properties: {
          type: { const: "On" },
          name: str("Template name (single-template files)."),
          desc: text("Description."),
          cronjob: str("Cron expression."),
          ...intervalFields,
        },
        additionalProperties: false,
      },
      yearOnTemplate: {
        type: "object",
        description: "A named cron schedule with a year field, referenced from `on:` by name.",
        required: ["cronjob"],
        properties: {
          type: { const: "YearOn" },
          name: str("Template name (single-template files)."),
          desc: text("Description."),
          cronjob: str("6 fields: minute hour day-of-month month weekday year (1990-2100)."),
          timezone: str("IANA time zone (default UTC)."),
          tz: str("Alias of `timezone`."),
        },
        additionalProperties: false,
      },
      schedule: {
        type: "object",
        description: "Workflows released by the scheduler.",
        required: ["workflows"],
        properties: {
          type: { const: "Schedule" },
          name: str("Template name (single-template files)."),
          desc: text("Description."),
          workflows: {
            type: "array",
            items: {
              description: "A workflow name, or `{name, alias, params, on}`.",
              type: ["string", "object"],
              required: ["name"],
              properties: {
                name: text("Workflow name."),
                alias: text("Release name (default: the workflow name)."),
                params: map("Params; `${{ release.logical_date }}` is available."),
                on: ref("on"),
              },
              additionalProperties: false,
            },
          },
          "catch-up": {
            enum: ["none", "latest", "all"],
            description: "Releases missed during downtime: none, only the latest, or all.",
          },
          "catch-up-window": ref("duration"),
          overlap: {
            enum: ["skip", "allow", "queue"],
            description: "When the previous run of an alias still runs.",
          },
        },
        additionalProperties: false,
      },
    },
  };
}
