/**
 * Run metrics in the Prometheus text format, counted from lifecycle events and scheduler
 * releases: runs started and ended, run and stage durations, runs in progress, scheduler lag
 * and the trace writer's backlog. The HTTP API serves them at `GET /metrics`.
 *
 * @module
 */

import { LifecycleBus, type LifecycleDetail, onLifecycle } from "../executor/events.ts";
import { RELEASE_EVENT, type ScheduledRelease } from "../scheduler/decisions.ts";
import { Histogram, renderExposition, Sample } from "./prometheus.ts";

/** Duration buckets, seconds. */
export const DURATION_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
  300,
  900,
  3600,
];

/** Options of {@linkcode WorkflowMetrics}. */
export interface WorkflowMetricsOptions {
  /** Reads the trace writer's backlog (see `Engine.traceBacklog`); the gauge is left out
   * without it. */
  readonly traceBacklog?: () => number;
  /** Expose the scheduler lag histogram even before the first release. @default false */
  readonly scheduler?: boolean;
}

/**
 * Counts what runs do. {@linkcode WorkflowMetrics.attach} subscribes it to an engine's events
 * (at `info`, so it builds no event a trace writer would not: the edges of echo/sleep stages
 * are not timed); {@linkcode WorkflowMetrics.render} writes the exposition text.
 *
 * @example
 * ```ts
 * import { detectRuntime, Engine } from "@ddeutil/workflow";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const metrics = new WorkflowMetrics();
 * const detach = metrics.attach(engine.events);
 * await engine.execute("demo-hello");
 * console.log(metrics.render());
 * detach();
 * ```
 */
export class WorkflowMetrics {
  readonly #started = new Sample(
    "workflow_runs_started_total",
    "Runs started (sub-workflow runs included).",
    "counter",
    ["workflow"],
  );
  readonly #ended = new Sample(
    "workflow_runs_ended_total",
    "Runs ended, by final status.",
    "counter",
    ["workflow", "status"],
  );
  readonly #inProgress = new Sample(
    "workflow_runs_in_progress",
    "Runs started and not ended yet.",
    "gauge",
    ["workflow"],
  );
  readonly #runDuration = new Histogram(
    "workflow_run_duration_seconds",
    "Duration of ended runs.",
    DURATION_BUCKETS,
    ["workflow", "status"],
  );
  readonly #stageDuration = new Histogram(
    "workflow_stage_duration_seconds",
    "Duration of ended stages (echo/sleep stages are not timed).",
    DURATION_BUCKETS,
    ["workflow", "kind", "status"],
  );
  readonly #lag = new Histogram(
    "workflow_scheduler_release_lag_seconds",
    "Time from a release's logical (fire) time to its start by the scheduler.",
    [0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600],
  );
  readonly #backlog = new Sample(
    "workflow_trace_writer_backlog",
    "Trace events buffered or being written to the trace store.",
    "gauge",
  );
  readonly #options: WorkflowMetricsOptions;
  #releases = 0;

  /** Empty metrics. */
  constructor(options: WorkflowMetricsOptions = {}) {
    this.#options = options;
  }

  /** Counts one lifecycle event. */
  observe(detail: LifecycleDetail): void {
    switch (detail.type) {
      case "run-start":
        this.#started.inc({ workflow: detail.workflow });
        this.#inProgress.inc({ workflow: detail.workflow });
        return;
      case "run-end": {
        const status = detail.status ?? "SUCCESS";
        this.#ended.inc({ workflow: detail.workflow, status });
        this.#inProgress.inc({ workflow: detail.workflow }, -1);
        this.#runDuration.observe(
          { workflow: detail.workflow, status },
          (detail.durationMs ?? 0) / 1000,
        );
        return;
      }
      case "stage-end":
        this.#stageDuration.observe(
          {
            workflow: detail.workflow,
            kind: detail.kind ?? "unknown",
            status: detail.status ?? "SUCCESS",
          },
          (detail.durationMs ?? 0) / 1000,
        );
        return;
    }
  }

  /** Records a release the scheduler started (its lag behind its logical time). */
  observeRelease(release: ScheduledRelease): void {
    if (release.status === "SKIPPED_DUPLICATE") return;
    this.#releases++;
    this.#lag.observe({}, Math.max(0, release.startedAt - release.logicalTime) / 1000);
  }

  /**
   * Listens to lifecycle events and scheduler releases on `events`; returns a function that
   * stops listening.
   */
  attach(events: EventTarget): () => void {
    const listener = (detail: LifecycleDetail) => this.observe(detail);
    const stop = events instanceof LifecycleBus
      ? events.subscribe(listener, "info")
      : onLifecycle(events, listener, { minLevel: "info" });
    const onRelease = (event: Event) => {
      const detail = (event as Event & { detail?: ScheduledRelease }).detail;
      if (detail) this.observeRelease(detail);
    };
    events.addEventListener(RELEASE_EVENT, onRelease);
    return () => {
      stop();
      events.removeEventListener(RELEASE_EVENT, onRelease);
    };
  }

  /** The metrics in the Prometheus text exposition format. */
  render(): string {
    const families = [
      this.#started,
      this.#ended,
      this.#inProgress,
      this.#runDuration,
      this.#stageDuration,
    ];
    if (this.#options.scheduler || this.#releases > 0) families.push(this.#lag);
    if (this.#options.traceBacklog) {
      this.#backlog.set({}, this.#options.traceBacklog());
      families.push(this.#backlog);
    }
    return renderExposition(families);
  }
}
