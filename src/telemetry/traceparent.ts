/**
 * W3C Trace Context `traceparent` values (`00-<trace id>-<span id>-<flags>`): parsing and
 * formatting, without any OpenTelemetry package, so a caller's trace context can be handed on
 * to stages whether or not telemetry is on.
 *
 * @module
 */

/** The parts of a `traceparent`. */
export interface TraceParent {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lower-case hex digits, not all zero. */
  readonly spanId: string;
  /** Trace flags (bit 0: sampled). */
  readonly traceFlags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Parses a `traceparent` header value; `undefined` when it is not a valid one (W3C rules:
 * version `ff` and all-zero ids are invalid; version `00` has exactly four fields).
 *
 * @example
 * ```ts
 * parseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?.spanId;
 * // "00f067aa0ba902b7"
 * ```
 */
export function parseTraceParent(value: string | null | undefined): TraceParent | undefined {
  if (typeof value !== "string") return undefined;
  const match = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) };
}

/** Formats a version-00 `traceparent`. */
export function formatTraceParent(parent: TraceParent): string {
  const flags = (parent.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${parent.traceId}-${parent.spanId}-${flags}`;
}
