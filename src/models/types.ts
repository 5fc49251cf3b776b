/**
 * Plain, readonly data shapes of validated templates. Parsing and validation
 * (`src/models/*.ts`) produce them; the executor consumes them. Field names
 * are camelCase here; the YAML keys they come from are noted where they differ.
 *
 * @module
 */

import type { SourcePosition } from "../errors.ts";

/** Run and node statuses. */
export type Status = "SUCCESS" | "FAILED" | "SKIP" | "CANCEL" | "WAIT";

/** Levels of trace lines and lifecycle events, lowest first: debug, info, warning, error. */
export type LogLevel = "debug" | "info" | "warning" | "error";

/** Param types of DESIGN §5. */
export type ParamType =
  | "str"
  | "int"
  | "float"
  | "bool"
  | "datetime"
  | "date"
  | "choice"
  | "map"
  | "array"
  | "secret";

/** One declared workflow param. */
export interface ParamSpec {
  /** Param name (its key under `params:`). */
  readonly name: string;
  /** Declared type; decides how a passed value is coerced. */
  readonly type: ParamType;
  /** Human description (`desc:`). */
  readonly desc?: string;
  /** `true` when the caller must pass it (a declared default satisfies it). */
  readonly required: boolean;
  /** Declared default (raw YAML value, coerced when applied). */
  readonly default?: unknown;
  /** Allowed values for `choice`. */
  readonly options?: readonly (string | number)[];
}

/** `retry:` on stages and jobs. */
export interface RetrySpec {
  /** Total attempts including the first (`retry: 3` means up to 3 attempts). */
  readonly attempts: number;
  /** Delay before the second attempt, ms. */
  readonly delayMs: number;
  /** Multiplier applied to the delay after each attempt. */
  readonly backoff: number;
  /** Upper bound for one delay, ms. */
  readonly maxDelayMs: number;
}

/** Fields every stage kind has. */
export interface StageBase {
  /** Declared `id` (may hold `${{ matrix.* }}` templates); absent → hash of the rendered name. */
  readonly id?: string;
  /** Display name; rendered, and hashed into the id when `id` is absent. */
  readonly name: string;
  /** Human description (`desc:`). */
  readonly desc?: string;
  /** `if:` condition: a bare expression, a `${{ }}` template, or a YAML boolean. */
  readonly if?: string | boolean;
  /** `timeout:` in ms. */
  readonly timeoutMs?: number;
  /** `retry:` policy; absent → one attempt. */
  readonly retry?: RetrySpec;
  /** `continue-on-error:` — a failure does not stop the job. */
  readonly continueOnError: boolean;
  /** Where the stage is declared. */
  readonly source?: SourcePosition;
}

/** `echo:`/`sleep:` stage: logs a message and/or waits; outputs `{}`. */
export interface EmptyStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "empty";
  /** Message to render and log. */
  readonly echo?: string;
  /** Seconds; number or template string. */
  readonly sleep?: number | string;
}

/** `bash:`/`sh:` stage: runs a script through the runtime's spawn adapter. */
export interface ShellStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "shell";
  /** `bash:` or `sh:` script. */
  readonly script: string;
  /** Which key declared it; `bash` runs `bash`, `sh` runs `sh`. */
  readonly shell: "bash" | "sh";
  /** `env:` variables for the script (values rendered). */
  readonly env: Readonly<Record<string, unknown>>;
  /** `cwd:` working directory for the script. */
  readonly cwd?: string;
}

/** `run:` stage: JavaScript in a worker, or Python in a subprocess. */
export interface RunStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "run";
  /** `run:` source code (rendered before it runs). */
  readonly code: string;
  /** `lang:`; absent → config default (`WORKFLOW_CORE_RUN_DEFAULT_LANG`, else javascript). */
  readonly lang?: "javascript" | "python";
  /** `vars:` passed to the code as variables (values rendered). */
  readonly vars: Readonly<Record<string, unknown>>;
}

/** `uses:` stage: calls a registered function with the rendered `with:` args. */
export interface CallStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "call";
  /** `uses: group/func@tag` (template allowed). */
  readonly uses: string;
  /** `with:` (alias `args:`). */
  readonly with: Readonly<Record<string, unknown>>;
}

/** `trigger:` stage: runs another workflow as a child run. */
export interface TriggerStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "trigger";
  /** Name of the workflow to run (template allowed). */
  readonly trigger: string;
  /** `params:` passed to the triggered workflow (values rendered). */
  readonly params: Readonly<Record<string, unknown>>;
}

/** `parallel:` stage: runs named branches of stages concurrently. */
export interface ParallelStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "parallel";
  /** Branch name → stages run in order within that branch. */
  readonly parallel: Readonly<Record<string, readonly Stage[]>>;
  /** `max-workers:` (number or template). @default 2 */
  readonly maxWorkers: number | string;
}

/** `foreach:` stage: runs nested stages once per item. */
export interface ForEachStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "foreach";
  /** A list or a template string that renders to a list. */
  readonly foreach: unknown;
  /** Nested stages run for each item (`${{ item }}` in scope). */
  readonly stages: readonly Stage[];
  /** How many items run at once. @default 1 */
  readonly concurrent: number;
  /** `use-index-as-key:` @default false */
  readonly useIndexAsKey: boolean;
}

/** `until:` stage: repeats nested stages until a condition holds. */
export interface UntilStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "until";
  /** Initial item. @default 0 */
  readonly item: unknown;
  /** Condition evaluated after each iteration; `true` ends the loop. */
  readonly until: string;
  /** Nested stages run on each iteration. */
  readonly stages: readonly Stage[];
  /** `max-loop:` — at most this many iterations. @default 10 */
  readonly maxLoop: number;
}

/** One branch of a case stage. `else: true` marks the fallback (`else:` or `case: "_"`). */
export interface CaseMatch {
  /** Value compared with the rendered `case:` (absent on the fallback branch). */
  readonly case?: unknown;
  /** `true` for the fallback branch. */
  readonly else: boolean;
  /** Stages run when this branch matches. */
  readonly stages: readonly Stage[];
}

/** `case:` stage: runs the stages of the branch whose value matches. */
export interface CaseStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "case";
  /** Template whose rendered value selects the branch. */
  readonly case: string;
  /** Branches in declaration order. */
  readonly match: readonly CaseMatch[];
  /** `skip-not-match:` @default false */
  readonly skipNotMatch: boolean;
}

/** `raise:` stage: fails with the rendered message. */
export interface RaiseStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "raise";
  /** Error message (template allowed). */
  readonly message: string;
}

/** `docker:` stage; fails with a clear error until a container engine is available. */
export interface DockerStage extends StageBase {
  /** Stage kind discriminator. */
  readonly kind: "docker";
  /** `image:` container image name. */
  readonly image: string;
  /** `tag:` image tag. */
  readonly tag?: string;
  /** `env:` variables for the container. */
  readonly env: Readonly<Record<string, unknown>>;
  /** `volume:` volume mounts for the container. */
  readonly volume: Readonly<Record<string, unknown>>;
  /** `auth:` registry credentials. */
  readonly auth: Readonly<Record<string, unknown>>;
}

/** Every stage kind. */
export type Stage =
  | EmptyStage
  | ShellStage
  | RunStage
  | CallStage
  | TriggerStage
  | ParallelStage
  | ForEachStage
  | UntilStage
  | CaseStage
  | RaiseStage
  | DockerStage;

/** Stage kinds by name. */
export type StageKind = Stage["kind"];

/** `trigger-rule:` values. */
export type TriggerRule =
  | "all_success"
  | "all_failed"
  | "all_done"
  | "one_failed"
  | "one_success"
  | "none_failed"
  | "none_skipped";

/** `strategy:` of a job. */
export interface Strategy {
  /** Key → list of values, or a template string rendering to a list (dynamic matrix). */
  readonly matrix: Readonly<Record<string, readonly unknown[] | string>>;
  /** Extra combinations added to the matrix. */
  readonly include: readonly Readonly<Record<string, unknown>>[];
  /** Partial combinations removed from the matrix. */
  readonly exclude: readonly Readonly<Record<string, unknown>>[];
  /** `max-parallel:` @default 1 */
  readonly maxParallel: number;
  /** `fail-fast:` @default false */
  readonly failFast: boolean;
}

/** `runs-on:`. Only `local` executes today. */
export interface RunsOn {
  /** Runner type (`runs-on.type`), e.g. `local`. */
  readonly type: string;
  /** Runner options (`runs-on.with`). */
  readonly with: Readonly<Record<string, unknown>>;
}

/** One job under `jobs:`. */
export interface Job {
  /** The key under `jobs:`. */
  readonly id: string;
  /** Human description (`desc:`). */
  readonly desc?: string;
  /** `runs-on:` runner. @default {type: "local", with: {}} */
  readonly runsOn: RunsOn;
  /** `if:` condition: a bare expression, a `${{ }}` template, or a YAML boolean. */
  readonly if?: string | boolean;
  /** Ids of jobs that must finish first (`needs:`). */
  readonly needs: readonly string[];
  /** `trigger-rule:` deciding whether the job runs after its `needs`. @default "all_success" */
  readonly triggerRule: TriggerRule;
  /** Matrix `strategy:`; absent → one run of the stages. */
  readonly strategy?: Strategy;
  /** Stages run in order. */
  readonly stages: readonly Stage[];
  /** `timeout:` in ms. */
  readonly timeoutMs?: number;
  /** `retry:` policy for the whole job; absent → one attempt. */
  readonly retry?: RetrySpec;
  /** Where the job is declared. */
  readonly source?: SourcePosition;
}

/** One cron schedule of `on:`. */
export interface CronSchedule {
  /** `cronjob:` cron expression. */
  readonly cronjob: string;
  /** IANA time zone. @default config timezone (UTC) */
  readonly timezone: string;
  /** Where the schedule is declared. */
  readonly source?: SourcePosition;
}

/** A validated `type: Workflow` template. */
export interface Workflow {
  /** Template name (its top-level key or `name:`). */
  readonly name: string;
  /** Human description (`desc:`). */
  readonly desc?: string;
  /** Declared params in declaration order. */
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Cron schedules (`on:`), resolved from names to `{cronjob, timezone}`. */
  readonly on: readonly CronSchedule[];
  /** Jobs in declaration order. */
  readonly jobs: Readonly<Record<string, Job>>;
  /** `max-job-parallel:` */
  readonly maxJobParallel?: number;
  /** `timeout:` for the whole run, in ms. */
  readonly timeoutMs?: number;
  /** `tags:` labels for listing and filtering. */
  readonly tags: readonly string[];
  /** Where the template is declared. */
  readonly source?: SourcePosition;
}

/** One entry of a `type: Schedule` template. */
export interface ScheduleWorkflow {
  /** Workflow name. */
  readonly name: string;
  /** Name the scheduler releases this entry under (`alias:`). @default name */
  readonly alias: string;
  /** `params:` passed on each release (values may be templates). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Empty → use the workflow's own `on`. */
  readonly on: readonly CronSchedule[];
  /** Where the entry is declared. */
  readonly source?: SourcePosition;
}

/** `catch-up:` policy after downtime. */
export type CatchUpPolicy = "none" | "latest" | "all";
/** `overlap:` policy when the previous run of an alias still runs. */
export type OverlapPolicy = "skip" | "allow" | "queue";

/** A validated `type: Schedule` template. */
export interface Schedule {
  /** Template name (its top-level key or `name:`). */
  readonly name: string;
  /** Human description (`desc:`). */
  readonly desc?: string;
  /** Workflows this schedule releases. */
  readonly workflows: readonly ScheduleWorkflow[];
  /** `catch-up:` policy. @default "none" */
  readonly catchUp: CatchUpPolicy;
  /** Window for `catch-up: all`, ms. */
  readonly catchUpWindowMs?: number;
  /** `overlap:` policy. @default "skip" */
  readonly overlap: OverlapPolicy;
  /** Where the template is declared. */
  readonly source?: SourcePosition;
}
