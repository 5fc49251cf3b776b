/**
 * Error classes shared by every layer. Each has a stable `name` so callers,
 * contexts (`{name, message}`) and the API can tell them apart without
 * `instanceof` across realms (workers, subprocesses).
 *
 * @module
 */

/** Base class of every error the engine raises on purpose. */
export class WorkflowBaseError extends Error {
  /** Stable error name: `"WorkflowBaseError"`. */
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
  /** What is wrong and, where possible, how to fix it. */
  readonly message: string;
  /**
   * `"warning"` for a risk that does not stop the template from loading or running (e.g. a
   * param pasted unquoted into shell code); absent (or `"error"`) for a problem that does.
   */
  readonly severity?: "error" | "warning";
}

/** Whether an issue blocks loading (every issue that is not a `"warning"`). */
export function isBlockingIssue(issue: ConfigIssue): boolean {
  return issue.severity !== "warning";
}

/**
 * Formats an issue as `file:line:col path: message` (parts that are unknown are left out);
 * warnings read `file:line:col path: warning: message`.
 */
export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file ?? "";
  if (issue.file && issue.line !== undefined) {
    where += `:${issue.line}:${issue.column ?? 1}`;
  }
  if (issue.path) where += where ? ` ${issue.path}` : issue.path;
  const message = issue.severity === "warning" ? `warning: ${issue.message}` : issue.message;
  return where ? `${where}: ${message}` : message;
}

/** A config file or template is invalid. Carries every issue found, not just the first. */
export class ConfigError extends WorkflowBaseError {
  /** Stable error name: `"ConfigError"`. */
  override name = "ConfigError";
  /** Every problem found, in the order found. */
  readonly issues: readonly ConfigIssue[];
  /** Builds the error from issues (or one plain message); the message lists them one per line. */
  constructor(issues: readonly ConfigIssue[] | string) {
    const list = typeof issues === "string" ? [{ message: issues }] : issues;
    super(list.map(formatIssue).join("\n"));
    this.issues = list;
  }
}

/** A template or expression cannot be parsed or evaluated. */
export class TemplateError extends WorkflowBaseError {
  /** Stable error name: `"TemplateError"`. */
  override name = "TemplateError";
  /** The template source, when known. */
  readonly template?: string;
  /** 0-based column inside `template` where the problem starts, when known. */
  readonly column?: number;
  /**
   * Creates the error; `options.cause` keeps the underlying error.
   *
   * @param message What went wrong.
   * @param options The template source, the column where the problem starts and the `cause`.
   */
  constructor(message: string, options?: { template?: string; column?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.template = options?.template;
    this.column = options?.column;
  }
}

/** A param value cannot be coerced to its declared type, or a required param is missing. */
export class ParamError extends WorkflowBaseError {
  /** Stable error name: `"ParamError"`. */
  override name = "ParamError";
  /** Name of the param at fault, when known. */
  readonly param?: string;
  /**
   * Creates the error for the param named `param`.
   *
   * @param message What went wrong.
   * @param param The param's name.
   */
  constructor(message: string, param?: string) {
    super(message);
    this.param = param;
  }
}

/** A stage failed. */
export class StageError extends WorkflowBaseError {
  /** Stable error name: `"StageError"`. */
  override name = "StageError";
}

/** A stage ran longer than its `timeout`. */
export class StageTimeoutError extends StageError {
  /** Stable error name: `"StageTimeoutError"`. */
  override name = "StageTimeoutError";
}

/** A stage, job or workflow was cancelled (caller signal, fail-fast, workflow timeout). */
export class CancelError extends WorkflowBaseError {
  /** Stable error name: `"CancelError"`. */
  override name = "CancelError";
}

/** Thrown by stage code to end the stage as SKIP. */
export class SkipError extends WorkflowBaseError {
  /** Stable error name: `"SkipError"`. */
  override name = "SkipError";
}

/** A failure that retries must not repeat (bad config, bad arguments). */
export class NonRetriableError extends StageError {
  /** Stable error name: `"NonRetriableError"`. */
  override name = "NonRetriableError";
}

/** A job failed or could not run. */
export class JobError extends WorkflowBaseError {
  /** Stable error name: `"JobError"`. */
  override name = "JobError";
}

/** A workflow failed or could not run. */
export class WorkflowError extends WorkflowBaseError {
  /** Stable error name: `"WorkflowError"`. */
  override name = "WorkflowError";
}

/** A `uses:` target cannot be resolved or a registration clashes. */
export class RegistryError extends WorkflowBaseError {
  /** Stable error name: `"RegistryError"`. */
  override name = "RegistryError";
}

/** The runtime lacks a capability (no SQLite driver, no `python3`, no container engine). */
export class UnsupportedError extends WorkflowBaseError {
  /** Stable error name: `"UnsupportedError"`. */
  override name = "UnsupportedError";
}

/**
 * A run id given by a caller cannot be used: it breaks the run id format (`reason: "invalid"`)
 * or a run with that id exists already, running or recorded (`reason: "taken"`).
 */
export class RunIdError extends WorkflowBaseError {
  /** Stable error name: `"RunIdError"`. */
  override name = "RunIdError";
  /** The id at fault (cut to 64 characters). */
  readonly runId: string;
  /** `invalid` (format) or `taken` (a run with that id exists). */
  readonly reason: "invalid" | "taken";
  /** Which option held it: `runId`, `parentRunId` for the id of the calling run, or `rerunOf`
   * for the run a re-run repeats. */
  readonly option: "runId" | "parentRunId" | "rerunOf";
  /**
   * Creates the error for `runId`.
   *
   * @param message What went wrong.
   * @param runId The id at fault.
   * @param reason `invalid` (format) or `taken` (in use).
   * @param option Which option held it.
   */
  constructor(
    message: string,
    runId: string,
    reason: "invalid" | "taken",
    option: "runId" | "parentRunId" | "rerunOf" = "runId",
  ) {
    super(message);
    this.runId = runId.slice(0, 64);
    this.reason = reason;
    this.option = option;
  }
}

/** A trace or audit store could not write what a run produced. */
export class StoreError extends WorkflowBaseError {
  /** Stable error name: `"StoreError"`. */
  override name = "StoreError";
}

/** An exclusive create (`writeText(path, data, {exclusive: true})`) found the path taken. */
export class FileExistsError extends WorkflowBaseError {
  /** Stable error name: `"FileExistsError"`. */
  override name = "FileExistsError";
  /** The path that exists. */
  readonly path: string;
  /**
   * Creates the error for `path`.
   *
   * @param path The path that exists already.
   */
  constructor(path: string) {
    super(`'${path}' exists already`);
    this.path = path;
  }
}

/**
 * A write to a run record carried an attempt number (fencing token) that is no longer the
 * record's: another owner has taken the run over (or it has ended), so nothing was written.
 */
export class StaleAttemptError extends WorkflowBaseError {
  /** Stable error name: `"StaleAttemptError"`. */
  override name = "StaleAttemptError";
  /** The run. */
  readonly runId: string;
  /** The attempt the refused write carried. */
  readonly attempt: number;
  /** The record's attempt now (`undefined` when the run does not exist). */
  readonly current?: number;
  /**
   * Creates the error.
   *
   * @param runId The run.
   * @param attempt The attempt the write carried.
   * @param current The record's attempt, or `undefined` for an unknown run.
   * @param why Why the write was refused, appended to the message.
   */
  constructor(runId: string, attempt: number, current: number | undefined, why: string) {
    super(`run '${runId}' refused a write of attempt ${attempt}: ${why}`);
    this.runId = runId;
    this.attempt = attempt;
    if (current !== undefined) this.current = current;
  }
}

/** Plain `{name, message}` of any thrown value, as recorded in run contexts. */
export function errorToRecord(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}
