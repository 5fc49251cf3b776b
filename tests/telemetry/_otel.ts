/**
 * An in-memory OpenTelemetry SDK for tests: registers a global tracer provider whose spans
 * land in an `InMemorySpanExporter`.
 */
import { trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/** Registers an in-memory provider; `stop()` unregisters it. */
export function inMemoryTracing(): {
  spans: () => ReadableSpan[];
  reset: () => void;
  stop: () => void;
} {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    stop: () => trace.disable(),
  };
}

/** The one span named `name`. */
export function spanNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one span '${name}', found ${found.length}; spans: ${
        spans.map((s) => s.name).join(", ")
      }`,
    );
  }
  return found[0];
}

/** Span id of the parent of `span` (undefined for a root span). */
export function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
