/**
 * Observability: OpenTelemetry spans built from lifecycle events, Prometheus metrics and W3C
 * trace context helpers.
 *
 * @module
 */

export {
  attachOpenTelemetry,
  hasTracerProvider,
  loadOpenTelemetry,
  type TelemetryAttachment,
  TRACER_NAME,
} from "./otel.ts";
export { formatTraceParent, parseTraceParent, type TraceParent } from "./traceparent.ts";
export { DURATION_BUCKETS, WorkflowMetrics, type WorkflowMetricsOptions } from "./metrics.ts";
export { escapeLabelValue, PROMETHEUS_CONTENT_TYPE } from "./prometheus.ts";

export { OTEL_ENV, startTelemetry, type TelemetryStarter } from "./start.ts";
