/**
 * Error classes shared by every layer. Each has a stable `name` so callers,
 * contexts (`{name, message}`) and the API can tell them apart without
 * `instanceof` across realms (workers, subprocesses).
 *
 * @module
 */

/** Base class of every error the engine raises on purpose. */
export class WorkflowBaseError extends Error {
  override name = "WorkflowBaseError";
}

/** Where a problem sits in a config file. */
export interface SourcePosition {
  /** File path as given to the loader (relative to the config root when loaded from one). */
  readonly file?: string;
  /** 1-based line. */
  readonly line?: number;
  /** 1-based column. */
  readonly column?: number;
  /** Path inside the template, e.g. `jobs.extract.stages[2].uses`. */
  readonly path?: string;
}

/** One problem found while loading or validating config. */
export interface ConfigIssue extends SourcePosition {
  readonly message: string;
}

/** Formats an issue as `file:line:col path: message` (parts that are unknown are left out). */
export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file ?? "";
  if (issue.file && issue.line !== undefined) {
    where += `:${issue.line}:${issue.column ?? 1}`;
  }
  if (issue.path) where += where ? ` ${issue.path}` : issue.path;
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** A config file or template is invalid. Carries every issue found, not just the first. */
export class ConfigError extends WorkflowBaseError {
  override name = "ConfigError";
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[] | string) {
    const list = typeof issues === "string" ? [{ message: issues }] : issues;
    super(list.map(formatIssue).join("\n"));
    this.issues = list;
  }
}

/** A template or expression cannot be parsed or evaluated. */
export class TemplateError extends WorkflowBaseError {
  override name = "TemplateError";
  /** The template source, when known. */
  readonly template?: string;
  /** 0-based column inside `template` where the problem starts, when known. */
  readonly column?: number;
  constructor(message: string, options?: { template?: string; column?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.template = options?.template;
    this.column = options?.column;
  }
}

/** A param value cannot be coerced to its declared type, or a required param is missing. */
export class ParamError extends WorkflowBaseError {
  override name = "ParamError";
  readonly param?: string;
  constructor(message: string, param?: string) {
    super(message);
    this.param = param;
  }
}

/** A stage failed. */
export class StageError extends WorkflowBaseError {
  override name = "StageError";
}

/** A stage ran longer than its `timeout`. */
export class StageTimeoutError extends StageError {
  override name = "StageTimeoutError";
}

/** A stage, job or workflow was cancelled (caller signal, fail-fast, workflow timeout). */
export class CancelError extends WorkflowBaseError {
  override name = "CancelError";
}

/** Thrown by stage code to end the stage as SKIP. */
export class SkipError extends WorkflowBaseError {
  override name = "SkipError";
}

/** A failure that retries must not repeat (bad config, bad arguments). */
export class NonRetriableError extends StageError {
  override name = "NonRetriableError";
}

/** A job failed or could not run. */
export class JobError extends WorkflowBaseError {
  override name = "JobError";
}

/** A workflow failed or could not run. */
export class WorkflowError extends WorkflowBaseError {
  override name = "WorkflowError";
}

/** A `uses:` target cannot be resolved or a registration clashes. */
export class RegistryError extends WorkflowBaseError {
  override name = "RegistryError";
}

/** The runtime lacks a capability (no `node:sqlite`, no `python3`, no container engine). */
export class UnsupportedError extends WorkflowBaseError {
  override name = "UnsupportedError";
}

/** Plain `{name, message}` of any thrown value, as recorded in run contexts. */
export function errorToRecord(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}
