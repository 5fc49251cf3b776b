/**
 * Built-in task group `notify`: `uses: notify/webhook@v1` POSTs a JSON summary of the run so
 * far (workflow, run id, status and each ended job's status and error) to a webhook, e.g. a
 * Slack incoming webhook, from a final job with `trigger-rule: one_failed`. The URL is a
 * secret: the task masks it in everything the run shows before it is used.
 *
 * @module
 */

import { NonRetriableError, StageError } from "../../errors.ts";
import type { Status } from "../../models/types.ts";
import { tag } from "../tag.ts";
import type { CallContext } from "../types.ts";

/** The body {@linkcode webhook} sends unless `payload` is given. */
export interface RunSummary {
  /** `args.text`, else a one-line summary (Slack shows this field). */
  readonly text: string;
  /** Workflow name. */
  readonly workflow: string;
  /** Run id. */
  readonly run_id: string;
  /** FAILED if an ended job failed, else CANCEL if one was cancelled, else SUCCESS. */
  readonly status: Status;
  /** Each ended job's status and error (masked). */
  readonly jobs: Readonly<Record<string, { status: Status; error?: string }>>;
  /** Ids of the failed jobs. */
  readonly failed_jobs: readonly string[];
}

interface JobLike {
  readonly status?: Status;
  readonly errors?: { readonly name?: string; readonly message?: string };
}

/** The summary of the jobs that ended so far. */
export function runSummary(context: CallContext, text?: string): RunSummary {
  const jobs: Record<string, { status: Status; error?: string }> = {};
  const failed: string[] = [];
  let cancelled = false;
  for (const [id, value] of Object.entries(context.jobs)) {
    const job = value as JobLike;
    const status = job.status ?? "SUCCESS";
    const entry: { status: Status; error?: string } = { status };
    if (job.errors?.message) {
      entry.error = context.mask(`${job.errors.name ?? "Error"}: ${job.errors.message}`);
    }
    jobs[id] = entry;
    if (status === "FAILED") failed.push(id);
    if (status === "CANCEL") cancelled = true;
  }
  const status: Status = failed.length ? "FAILED" : cancelled ? "CANCEL" : "SUCCESS";
  const detail = failed.length
    ? `: ${
      failed.map((id) => `job '${id}' failed${jobs[id].error ? ` (${jobs[id].error})` : ""}`).join(
        "; ",
      )
    }`
    : "";
  return {
    text: text ?? `Workflow '${context.workflow}' run ${context.runId} ${status}${detail}`,
    workflow: context.workflow,
    run_id: context.runId,
    status,
    jobs,
    failed_jobs: failed,
  };
}

function argError(message: string): NonRetriableError {
  return new NonRetriableError(`invalid args for 'notify/webhook@v1': ${message}`);
}

/** Reads a non-negative number arg. */
function numberArg(args: Record<string, unknown>, name: string, fallback: number): number {
  const value = args[name];
  if (value === undefined || value === null || value === "") return fallback;
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number) || number < 0) {
    throw argError(`'${name}' must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return number;
}

const RETRY_DELAY_MS = 1000;

/**
 * POSTs the run summary (or `payload`) as JSON to `url`.
 *
 * Args: `url` (required, http or https; pass it from a `secret` param or `${ENV}`), `text`
 * (summary line, templates allowed), `payload` (an object sent instead of the summary),
 * `timeout` (seconds per attempt, default 10), `retry` (extra attempts after a network error,
 * HTTP 429 or 5xx, one second apart, default 2). Outputs `{status_code, attempts}`.
 *
 * @example
 * ```yaml
 * notify:
 *   needs: [load]
 *   trigger-rule: one_failed
 *   stages:
 *     - name: Tell Slack
 *       uses: notify/webhook@v1
 *       with:
 *         url: ${{ params.webhook }}
 *         text: "nightly load failed: ${{ jobs.load.status }}"
 * ```
 */
export const webhook = tag("v1", { alias: "webhook" })(
  async function webhook(args: Record<string, unknown>, context: CallContext) {
    const url = args.url;
    if (typeof url !== "string" || url.trim() === "") {
      throw argError("'url' is required: the webhook URL, e.g. url: ${{ params.webhook }}");
    }
    // Masked before anything can show it: traces, errors, results and spans.
    context.addSecret(url);
    let parsed: URL;
    try {
      parsed = new URL(url.trim());
    } catch {
      throw argError("'url' is not a valid URL");
    }
    context.addSecret(parsed.href);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw argError(`'url' must be http or https, not ${parsed.protocol}`);
    }
    if (args.text !== undefined && typeof args.text !== "string") {
      throw argError("'text' must be a string");
    }
    const payload = args.payload;
    if (payload !== undefined && (typeof payload !== "object" || payload === null)) {
      throw argError("'payload' must be an object (or a list)");
    }
    const timeoutMs = numberArg(args, "timeout", 10) * 1000;
    const retries = Math.floor(numberArg(args, "retry", 2));
    const body = JSON.stringify(payload ?? runSummary(context, args.text as string | undefined));
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (context.traceparent) headers.traceparent = context.traceparent;

    let problem = "";
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      if (attempt > 1) {
        context.trace(
          `[STAGE]: webhook attempt ${attempt - 1} failed (${problem}); retrying`,
          "warning",
        );
        await context.clock.sleep(RETRY_DELAY_MS, { signal: context.signal });
      }
      const timer = new AbortController();
      const signal = AbortSignal.any([context.signal, timer.signal]);
      context.clock.sleep(timeoutMs, { signal }).then(
        () => timer.abort(new StageError(`timed out after ${timeoutMs / 1000} s`)),
        () => {},
      );
      try {
        const response = await fetch(parsed, { method: "POST", headers, body, signal });
        const text = await response.text().catch(() => "");
        if (response.ok) return { status_code: response.status, attempts: attempt };
        problem = `HTTP ${response.status}${text ? `: ${context.mask(text.slice(0, 300))}` : ""}`;
        if (response.status < 500 && response.status !== 429) {
          throw new NonRetriableError(`the webhook answered ${problem}`);
        }
      } catch (error) {
        if (error instanceof NonRetriableError) throw error;
        if (context.signal.aborted) throw error;
        problem = timer.signal.aborted
          ? `timed out after ${timeoutMs / 1000} s`
          : context.mask(error instanceof Error ? error.message : String(error));
      } finally {
        timer.abort();
      }
    }
    throw new StageError(
      `the webhook could not be reached after ${retries + 1} attempt(s): ${problem}`,
    );
  },
);

/** The `notify` group's tasks, as registered. */
export const NOTIFY_TASKS: Readonly<Record<string, unknown>> = { webhook };
