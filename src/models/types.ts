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
  readonly name: string;
  readonly type: ParamType;
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
  readonly name: string;
  readonly desc?: string;
  /** `if:` condition: a bare expression, a `${{ }}` template, or a YAML boolean. */
  readonly if?: string | boolean;
  /** `timeout:` in ms. */
  readonly timeoutMs?: number;
  readonly retry?: RetrySpec;
  /** `continue-on-error:` — a failure does not stop the job. */
  readonly continueOnError: boolean;
  /** Where the stage is declared. */
  readonly source?: SourcePosition;
}

export interface EmptyStage extends StageBase {
  readonly kind: "empty";
  readonly echo?: string;
  /** Seconds; number or template string. */
  readonly sleep?: number | string;
}

export interface ShellStage extends StageBase {
  readonly kind: "shell";
  /** `bash:` or `sh:` script. */
  readonly script: string;
  /** Which key declared it; `bash` runs `bash`, `sh` runs `sh`. */
  readonly shell: "bash" | "sh";
  readonly env: Readonly<Record<string, unknown>>;
  readonly cwd?: string;
}

export interface RunStage extends StageBase {
  readonly kind: "run";
  readonly code: string;
  /** `lang:`; absent → config default (`WORKFLOW_CORE_RUN_DEFAULT_LANG`, else javascript). */
  readonly lang?: "javascript" | "python";
  readonly vars: Readonly<Record<string, unknown>>;
}

export interface CallStage extends StageBase {
  readonly kind: "call";
  /** `uses: group/func@tag` (template allowed). */
  readonly uses: string;
  /** `with:` (alias `args:`). */
  readonly with: Readonly<Record<string, unknown>>;
}

export interface TriggerStage extends StageBase {
  readonly kind: "trigger";
  readonly trigger: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface ParallelStage extends StageBase {
  readonly kind: "parallel";
  readonly parallel: Readonly<Record<string, readonly Stage[]>>;
  /** `max-workers:` (number or template). @default 2 */
  readonly maxWorkers: number | string;
}

export interface ForEachStage extends StageBase {
  readonly kind: "foreach";
  /** A list or a template string that renders to a list. */
  readonly foreach: unknown;
  readonly stages: readonly Stage[];
  /** @default 1 */
  readonly concurrent: number;
  /** `use-index-as-key:` @default false */
  readonly useIndexAsKey: boolean;
}

export interface UntilStage extends StageBase {
  readonly kind: "until";
  /** Initial item. @default 0 */
  readonly item: unknown;
  readonly until: string;
  readonly stages: readonly Stage[];
  /** `max-loop:` — at most this many iterations. @default 10 */
  readonly maxLoop: number;
}

/** One branch of a case stage. `else: true` marks the fallback (`else:` or `case: "_"`). */
export interface CaseMatch {
  readonly case?: unknown;
  readonly else: boolean;
  readonly stages: readonly Stage[];
}

export interface CaseStage extends StageBase {
  readonly kind: "case";
  readonly case: string;
  readonly match: readonly CaseMatch[];
  /** `skip-not-match:` @default false */
  readonly skipNotMatch: boolean;
}

export interface RaiseStage extends StageBase {
  readonly kind: "raise";
  readonly message: string;
}

export interface DockerStage extends StageBase {
  readonly kind: "docker";
  readonly image: string;
  readonly tag?: string;
  readonly env: Readonly<Record<string, unknown>>;
  readonly volume: Readonly<Record<string, unknown>>;
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
  readonly include: readonly Readonly<Record<string, unknown>>[];
  readonly exclude: readonly Readonly<Record<string, unknown>>[];
  /** `max-parallel:` @default 1 */
  readonly maxParallel: number;
  /** `fail-fast:` @default false */
  readonly failFast: boolean;
}

/** `runs-on:`. Only `local` executes today. */
export interface RunsOn {
  readonly type: string;
  readonly with: Readonly<Record<string, unknown>>;
}

export interface Job {
  /** The key under `jobs:`. */
  readonly id: string;
  readonly desc?: string;
  readonly runsOn: RunsOn;
  readonly if?: string | boolean;
  readonly needs: readonly string[];
  /** @default "all_success" */
  readonly triggerRule: TriggerRule;
  readonly strategy?: Strategy;
  readonly stages: readonly Stage[];
  readonly timeoutMs?: number;
  readonly retry?: RetrySpec;
  readonly source?: SourcePosition;
}

/** One cron schedule of `on:`. */
export interface CronSchedule {
  readonly cronjob: string;
  /** IANA zone. @default config timezone (UTC) */
  readonly timezone: string;
  readonly source?: SourcePosition;
}

export interface Workflow {
  readonly name: string;
  readonly desc?: string;
  /** Declared params in declaration order. */
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly on: readonly CronSchedule[];
  /** Jobs in declaration order. */
  readonly jobs: Readonly<Record<string, Job>>;
  /** `max-job-parallel:` */
  readonly maxJobParallel?: number;
  readonly timeoutMs?: number;
  readonly tags: readonly string[];
  readonly source?: SourcePosition;
}

/** One entry of a `type: Schedule` template. */
export interface ScheduleWorkflow {
  /** Workflow name. */
  readonly name: string;
  /** @default name */
  readonly alias: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Empty → use the workflow's own `on`. */
  readonly on: readonly CronSchedule[];
  readonly source?: SourcePosition;
}

/** `catch-up:` policy after downtime. */
export type CatchUpPolicy = "none" | "latest" | "all";
/** `overlap:` policy when the previous run of an alias still runs. */
export type OverlapPolicy = "skip" | "allow" | "queue";

export interface Schedule {
  readonly name: string;
  readonly desc?: string;
  readonly workflows: readonly ScheduleWorkflow[];
  readonly catchUp: CatchUpPolicy;
  /** Window for `catch-up: all`, ms. */
  readonly catchUpWindowMs?: number;
  readonly overlap: OverlapPolicy;
  readonly source?: SourcePosition;
}
