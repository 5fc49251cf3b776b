/**
 * OpenTelemetry traces built from lifecycle events: one span per run, job, matrix strategy and
 * stage (a sub-workflow's run span under its trigger stage), through `@opentelemetry/api`
 * only. The package is an optional peer dependency, loaded once with a dynamic import; without
 * it, or without a registered tracer provider, nothing is subscribed and runs pay nothing.
 * This is the only module that imports `@opentelemetry/api`.
 *
 * @module
 */

import type * as OtelApi from "@opentelemetry/api";
import { LifecycleBus, type LifecycleDetail, onLifecycle } from "../executor/events.ts";
import type { EventScope } from "../executor/run_state.ts";
import { VERSION } from "../version.ts";
import { formatTraceParent, parseTraceParent } from "./traceparent.ts";

type Api = typeof OtelApi;

/** Name of the tracer the spans come from (the instrumentation scope). */
export const TRACER_NAME = "@ddeutil/workflow";

let loading: Promise<Api | undefined> | undefined;

/**
 * Imports `@opentelemetry/api` once per process; `undefined` when it is not installed.
 * Every later call returns the same promise.
 */
export function loadOpenTelemetry(): Promise<Api | undefined> {
  loading ??= import("@opentelemetry/api").then(
    // Some loaders hand a CommonJS build over as `default` only.
    (module): Api | undefined => (module.trace ? module : (module.default as unknown as Api)),
    () => undefined,
  );
  return loading;
}

/** Whether a tracer provider is registered globally (the API's default is a no-op proxy,
 * whose tracers are `ProxyTracer`s until a provider is set). */
export function hasTracerProvider(api: Api): boolean {
  return !(api.trace.getTracer(TRACER_NAME) instanceof api.ProxyTracer);
}

/** What {@linkcode attachOpenTelemetry} returns. */
export interface TelemetryAttachment {
  /** The `traceparent` of the open stage span at `where` of run `runId`, if any. */
  traceContext(runId: string, where: EventScope): string | undefined;
  /** Stops listening (open spans are left as they are). */
  detach(): void;
}

const SEP = "\u0000";

function stageKey(
  runId: string,
  job: string | undefined,
  strategy: string | undefined,
  nested: readonly string[] | undefined,
  stage: string | undefined,
): string {
  return `${runId}${SEP}${job ?? ""}${SEP}${strategy ?? ""}${SEP}${
    nested?.join("\u0001") ?? ""
  }${SEP}${stage ?? ""}`;
}

const jobKey = (detail: { runId: string; job?: string }) => `${detail.runId}${SEP}${detail.job}`;
const strategyKey = (detail: { runId: string; job?: string; strategy?: string }) =>
  `${detail.runId}${SEP}${detail.job}${SEP}${detail.strategy}${SEP}#strategy`;

function attributeValue(value: unknown): OtelApi.AttributeValue {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return value;
  }
  return JSON.stringify(value) ?? String(value);
}

/**
 * Builds spans from the lifecycle events on `target` with `api`'s global tracer provider.
 * Names: `workflow <name>`, `job <id>`, `strategy <job>`, `stage <name>`. Attributes
 * (`workflow.name`, `workflow.run_id`, `workflow.parent_run_id`, `workflow.job.id`,
 * `workflow.strategy.id`, `workflow.matrix.<key>`, `workflow.stage.id`, `workflow.stage.name`,
 * `workflow.stage.kind`, `workflow.stage.nested`, `workflow.stage.attempts`, `workflow.status`)
 * come from the events, which are already masked. A FAILED node records its error as an
 * exception and sets the span status to ERROR; SUCCESS sets OK. Warning and error lines
 * (a retry, for one) become span events of the node they belong to.
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const api = await loadOpenTelemetry();
 * if (api) attachOpenTelemetry(engine.events, api);
 * ```
 */
export function attachOpenTelemetry(target: EventTarget, api: Api): TelemetryAttachment {
  const tracer = api.trace.getTracer(TRACER_NAME, VERSION);
  const spans = new Map<string, OtelApi.Span>();
  const { SpanStatusCode } = api;

  const start = (
    key: string,
    name: string,
    parent: OtelApi.Context,
    time: number,
    attributes: OtelApi.Attributes,
  ) => {
    spans.set(key, tracer.startSpan(name, { startTime: time, attributes }, parent));
  };

  const under = (span: OtelApi.Span | undefined): OtelApi.Context =>
    span ? api.trace.setSpan(api.ROOT_CONTEXT, span) : api.ROOT_CONTEXT;

  const runParent = (detail: LifecycleDetail): OtelApi.Context => {
    const parent = parseTraceParent(detail.traceparent);
    if (!parent) return api.context.active();
    return api.trace.setSpanContext(api.ROOT_CONTEXT, { ...parent, isRemote: true });
  };

  const stageParent = (detail: LifecycleDetail): OtelApi.Span | undefined => {
    const { runId, job, strategy, nested } = detail;
    if (nested) {
      // `nested` is [...outer path, parent stage id, ...branch/item path]: the nearest
      // enclosing stage span is the longest prefix that names one.
      for (let i = nested.length; i >= 1; i--) {
        const span = spans.get(
          stageKey(runId, job, strategy, nested.slice(0, i - 1), nested[i - 1]),
        );
        if (span) return span;
      }
    }
    if (strategy !== undefined) {
      const span = spans.get(strategyKey(detail));
      if (span) return span;
    }
    return spans.get(jobKey(detail)) ?? spans.get(detail.runId);
  };

  const end = (key: string, detail: LifecycleDetail) => {
    const span = spans.get(key);
    if (!span) return;
    spans.delete(key);
    if (detail.status) span.setAttribute("workflow.status", detail.status);
    if (detail.attempts !== undefined) {
      span.setAttribute("workflow.stage.attempts", detail.attempts);
    }
    if (detail.status === "FAILED") {
      if (detail.error) {
        span.recordException(
          { name: detail.error.name, message: detail.error.message },
          detail.time,
        );
      }
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: detail.error ? `${detail.error.name}: ${detail.error.message}` : "FAILED",
      });
    } else if (detail.status === "SUCCESS") {
      span.setStatus({ code: SpanStatusCode.OK });
    }
    span.end(detail.time);
  };

  const base = (detail: LifecycleDetail): OtelApi.Attributes => ({
    "workflow.name": detail.workflow,
    "workflow.run_id": detail.runId,
  });

  const listener = (detail: LifecycleDetail): void => {
    switch (detail.type) {
      case "run-start": {
        const attributes = base(detail);
        if (detail.parentRunId !== undefined) {
          attributes["workflow.parent_run_id"] = detail.parentRunId;
        }
        start(
          detail.runId,
          `workflow ${detail.workflow}`,
          runParent(detail),
          detail.time,
          attributes,
        );
        return;
      }
      case "run-end":
        end(detail.runId, detail);
        return;
      case "job-start":
        start(jobKey(detail), `job ${detail.job}`, under(spans.get(detail.runId)), detail.time, {
          ...base(detail),
          "workflow.job.id": detail.job ?? "",
        });
        return;
      case "job-end":
        end(jobKey(detail), detail);
        return;
      case "strategy-start": {
        const attributes: OtelApi.Attributes = {
          ...base(detail),
          "workflow.job.id": detail.job ?? "",
          "workflow.strategy.id": detail.strategy ?? "",
        };
        for (const [name, value] of Object.entries(detail.matrix ?? {})) {
          attributes[`workflow.matrix.${name}`] = attributeValue(value);
        }
        const parent = spans.get(jobKey(detail)) ?? spans.get(detail.runId);
        start(
          strategyKey(detail),
          `strategy ${detail.job}`,
          under(parent),
          detail.time,
          attributes,
        );
        return;
      }
      case "strategy-end":
        end(strategyKey(detail), detail);
        return;
      case "stage-start": {
        const attributes: OtelApi.Attributes = {
          ...base(detail),
          "workflow.job.id": detail.job ?? "",
          "workflow.stage.id": detail.stage ?? "",
          "workflow.stage.name": detail.stageName ?? detail.stage ?? "",
        };
        if (detail.kind !== undefined) attributes["workflow.stage.kind"] = detail.kind;
        if (detail.strategy !== undefined) attributes["workflow.strategy.id"] = detail.strategy;
        if (detail.nested) attributes["workflow.stage.nested"] = detail.nested.join("/");
        start(
          stageKey(detail.runId, detail.job, detail.strategy, detail.nested, detail.stage),
          `stage ${detail.stageName ?? detail.stage}`,
          under(stageParent(detail)),
          detail.time,
          attributes,
        );
        return;
      }
      case "stage-end":
        end(
          stageKey(detail.runId, detail.job, detail.strategy, detail.nested, detail.stage),
          detail,
        );
        return;
      case "log": {
        if (detail.level !== "warning" && detail.level !== "error") return;
        const span = detail.stage !== undefined
          ? spans.get(
            stageKey(detail.runId, detail.job, detail.strategy, detail.nested, detail.stage),
          )
          : detail.job !== undefined
          ? spans.get(jobKey(detail))
          : spans.get(detail.runId);
        span?.addEvent(
          "log",
          { "log.severity": detail.level, "log.message": detail.message ?? "" },
          detail.time,
        );
        return;
      }
    }
  };

  // Every stage edge is wanted, the `debug` ones of echo/sleep stages too.
  const stop = target instanceof LifecycleBus
    ? target.subscribe(listener, "debug")
    : onLifecycle(target, listener);

  return {
    traceContext(runId, where) {
      const span = spans.get(stageKey(runId, where.job, where.strategy, where.nested, where.stage));
      if (!span) return undefined;
      const context = span.spanContext();
      if (!api.trace.isSpanContextValid(context)) return undefined;
      return formatTraceParent(context);
    },
    detach: stop,
  };
}
