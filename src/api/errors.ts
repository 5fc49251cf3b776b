/**
 * Errors of the HTTP API and their JSON form `{error: {name, message, field?}}`. Every error a
 * route raises goes through {@linkcode errorResponse}, so no stack trace ever leaves the server,
 * and no absolute path of the server's file system either.
 *
 * @module
 */

import { ConfigError, ParamError, RunIdError, WorkflowBaseError } from "../errors.ts";

/** An error with the HTTP status it should be answered with. */
export class ApiError extends WorkflowBaseError {
  /** Stable error name clients see (set by the constructor). */
  override name = "ApiError";
  /** HTTP status code. */
  readonly status: number;
  /** The request field at fault (body path, query or path parameter), when there is one. */
  readonly field?: string;
  /** Extra JSON fields placed beside `name` and `message`. */
  readonly extra?: Readonly<Record<string, unknown>>;

  /**
   * Creates an error answered with `status`; `name` is the stable error name clients see.
   *
   * @param status The HTTP status.
   * @param name The stable error name shown as `error.name`.
   * @param message What went wrong, for the caller.
   * @param options The field at fault and extra fields of the error body.
   */
  constructor(
    status: number,
    name: string,
    message: string,
    options: { field?: string; extra?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.status = status;
    this.name = name;
    this.field = options.field;
    this.extra = options.extra;
  }
}

/** JSON body of every error answer. */
export interface ErrorBody {
  /** What went wrong. */
  readonly error: {
    readonly name: string;
    readonly message: string;
    readonly field?: string;
    readonly [key: string]: unknown;
  };
}

// An absolute path: POSIX (`/a/b`, not part of a URL or a relative path), Windows (`C:\\a`) or
// a `file:` URL. Its folders are dropped, its last segment kept.
const ABSOLUTE_PATH =
  /(?<![\w.~:/\\-])(?:file:\/\/)?(?:\/|[A-Za-z]:\\)(?:[^\s'"`/\\,;:()<>[\]{}]+[/\\])+/g;

/**
 * `message` with the folders of every absolute path left out (`stat '/srv/logs/x'` →
 * `stat '…/x'`), for messages of errors the API did not raise itself (a store's I/O error,
 * say), which may name where the server keeps its files.
 */
export function withoutServerPaths(message: string): string {
  return message.replace(ABSOLUTE_PATH, "…/");
}

/** `{name, message}` of an error as clients may see it (server paths left out). */
export function publicErrorRecord(error: unknown): { name: string; message: string } {
  if (error instanceof ApiError) return { name: error.name, message: error.message };
  const name = error instanceof Error && error.name ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return { name, message: withoutServerPaths(message) };
}

/** Status, headers and body of the answer to `error`. */
export function errorAnswer(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: {
        error: {
          name: error.name,
          message: error.message,
          ...(error.field === undefined ? {} : { field: error.field }),
          ...error.extra,
        },
      },
    };
  }
  if (error instanceof ParamError) {
    return {
      status: 400,
      body: {
        error: {
          name: error.name,
          message: error.message,
          ...(error.param === undefined ? {} : { field: `params.${error.param}` }),
        },
      },
    };
  }
  if (error instanceof RunIdError) {
    return {
      status: error.reason === "taken" ? 409 : 400,
      body: {
        error: {
          name: error.name,
          message: error.message,
          field: error.option === "parentRunId" ? "parent_run_id" : "run_id",
        },
      },
    };
  }
  if (error instanceof ConfigError) {
    return {
      status: 422,
      body: { error: { name: error.name, message: error.message, issues: error.issues } },
    };
  }
  return { status: 500, body: { error: publicErrorRecord(error) } };
}

/** A JSON `Response` answering `error`. */
export function errorResponse(error: unknown, headers?: HeadersInit): Response {
  const { status, body } = errorAnswer(error);
  const out = new Headers(headers);
  out.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { status, headers: out });
}
