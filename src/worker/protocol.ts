/**
 * The messages exchanged between the JavaScript runner pool and its workers.
 * Every message is a plain, structured-cloneable object tagged by `type`;
 * messages about a job carry its `id`.
 *
 * @module
 */

import type { LogLevel } from "../models/types.ts";
import type { ContextPatch } from "./context_sync.ts";

// Lines captured from `console.*` inside user code carry a trace level.
export type { LogLevel };

/** Host → worker: run one job. */
export interface RunRequest {
  /** Message tag. */
  readonly type: "run";
  /** Job id, echoed by every message about this job. */
  readonly id: number;
  /** Body of an async function. */
  readonly code: string;
  /** Values passed to the code as named variables. */
  readonly vars: Record<string, unknown>;
  /** How to make the read-only data the code sees as `context` from what the worker's
   * previous job saw (see `context_sync.ts`). */
  readonly context: ContextPatch;
}

/** Worker → host: the entry has loaded and accepts jobs. */
export interface ReadyMessage {
  /** Message tag. */
  readonly type: "ready";
}

/** Worker → host: one captured console line. */
export interface LogMessage {
  /** Message tag. */
  readonly type: "log";
  /** The job that printed the line. */
  readonly id: number;
  /** `console.log`/`info` → info, `warn` → warning, `error` → error, `debug` → debug. */
  readonly level: LogLevel;
  /** The printed arguments, formatted and joined by spaces. */
  readonly message: string;
}

/** Worker → host: the job finished with these outputs. */
export interface ResultMessage {
  /** Message tag. */
  readonly type: "result";
  /** The finished job. */
  readonly id: number;
  /** `outputs` merged with the returned object. */
  readonly outputs: Record<string, unknown>;
}

/** Worker → host: the job failed. */
export interface ErrorMessage {
  /** Message tag. */
  readonly type: "error";
  /** The failed job. */
  readonly id: number;
  /** What the job threw. */
  readonly error: { readonly name: string; readonly message: string };
}

/** Any message a worker sends. */
export type WorkerMessage = ReadyMessage | LogMessage | ResultMessage | ErrorMessage;

/** Any message the host sends. */
export type HostMessage = RunRequest;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Narrows data received from a worker. */
export function isWorkerMessage(data: unknown): data is WorkerMessage {
  if (!isRecord(data)) return false;
  switch (data.type) {
    case "ready":
      return true;
    case "log":
      return typeof data.id === "number" && typeof data.message === "string";
    case "result":
      return typeof data.id === "number" && isRecord(data.outputs);
    case "error":
      return typeof data.id === "number" && isRecord(data.error);
    default:
      return false;
  }
}

/** Narrows data received from the host. */
export function isRunRequest(data: unknown): data is RunRequest {
  return isRecord(data) && data.type === "run" && typeof data.id === "number" &&
    typeof data.code === "string" && isRecord(data.vars) && isContextPatch(data.context);
}

function isContextPatch(data: unknown): data is ContextPatch {
  if (!isRecord(data)) return false;
  if ("whole" in data) return true;
  return Array.isArray(data.keys) && Array.isArray(data.values) && Array.isArray(data.entries);
}
