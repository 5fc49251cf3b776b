/**
 * Whether runs build OpenTelemetry spans, decided when an engine is created. The span builder
 * (`otel.ts`) is imported only when spans are on, so an engine without them loads none of it.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { TelemetryAttachment } from "./otel.ts";

/** The environment variable that turns OpenTelemetry spans on (`true`) or off (`false`). */
export const OTEL_ENV = "WORKFLOW_LOG_OTEL";

/** Telemetry, ready to attach to an engine's events. */
export interface TelemetryStarter {
  /** Subscribes span building to `events`. */
  attach(events: EventTarget): TelemetryAttachment;
}

/**
 * Decides whether runs build spans: `true` (the `telemetry` setting, `WORKFLOW_LOG_OTEL=true`)
 * always, `false` never, `"auto"` when `@opentelemetry/api` is installed and a tracer provider
 * is registered now. Resolves `undefined` when spans are off, so nothing is subscribed.
 *
 * @param mode The `telemetry` setting, already validated.
 * @throws {ConfigError} when spans are asked for but `@opentelemetry/api` cannot be imported.
 */
export async function startTelemetry(
  mode: boolean | "auto",
): Promise<TelemetryStarter | undefined> {
  if (mode === false) return undefined;
  // "auto" without a registered provider needs no API: skip importing it (start-up time).
  if (mode !== true && !tracerProviderRegistered()) return undefined;
  const { attachOpenTelemetry, hasTracerProvider, loadOpenTelemetry } = await import("./otel.ts");
  const api = await loadOpenTelemetry();
  if (!api) {
    if (mode === true) {
      throw new ConfigError(
        `OpenTelemetry spans are on (telemetry: true or ${OTEL_ENV}=true) but ` +
          "'@opentelemetry/api' cannot be imported; install it (npm install @opentelemetry/api) " +
          "or turn telemetry off",
      );
    }
    return undefined;
  }
  if (mode !== true && !hasTracerProvider(api)) return undefined;
  return { attach: (events) => attachOpenTelemetry(events, api) };
}

/**
 * Whether any copy of the OpenTelemetry API 1.x holds a global tracer provider, read from the
 * registry the API keeps on `globalThis` (`Symbol.for("opentelemetry.js.api.1")`), so that
 * "auto" imports nothing when no provider is set.
 */
function tracerProviderRegistered(): boolean {
  const registry = (globalThis as Record<symbol, unknown>)[Symbol.for("opentelemetry.js.api.1")];
  return typeof registry === "object" && registry !== null && "trace" in registry;
}
