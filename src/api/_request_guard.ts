/**
 * Checks every request passes before it reaches a route: the method, the body's media type,
 * and, when the API has no token, that the request comes from this machine (a loopback
 * `Host` and, if present, a loopback `Origin`). Together they stop the cross-site requests a
 * browser sends without a CORS preflight (`text/plain`, form and multipart bodies) and DNS
 * rebinding (a foreign name that resolves to 127.0.0.1).
 *
 * @module
 */

import { ApiError } from "./errors.ts";

/** The methods the API answers. */
export const ALLOWED_METHODS: readonly string[] = ["GET", "HEAD", "POST"];

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** `application/json` or any `application/<something>+json`, parameters allowed. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;.*)?$/i;

const TOKEN_HINT = "set WORKFLOW_API_TOKEN (option token) to serve other clients with a token";

/** `true` for `localhost`, any `127.x.x.x` and `[::1]` (as the URL parser normalises them). */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** A `Host` value in the form browsers and clients send for loopback: no parsing needed. */
const PLAIN_LOOPBACK_HOST = /^(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(?::\d{1,5})?$/;

/** The hostname of a `Host` header value (`name[:port]`), or `undefined` when it is malformed. */
function hostnameOf(host: string): string | undefined {
  if (PLAIN_LOOPBACK_HOST.test(host)) return "localhost";
  if (host === "" || /[\s/?#@\\]/.test(host)) return undefined;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

function describe(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

/** 405 unless the API answers `method`. */
export function checkMethod(method: string): ApiError | undefined {
  if (ALLOWED_METHODS.includes(method)) return undefined;
  return new ApiError(
    405,
    "MethodNotAllowed",
    `the API answers ${ALLOWED_METHODS.join(", ")} only, got ${describe(method)}`,
  );
}

/**
 * 403 unless the request is addressed to a loopback host: its `Host` header, else the host of
 * its URL. Used when the API has no token.
 */
export function checkLoopbackHost(request: Request): ApiError | undefined {
  const header = request.headers.get("host");
  let hostname: string | undefined;
  if (header !== null) hostname = hostnameOf(header.trim());
  else {
    try {
      hostname = new URL(request.url).hostname;
    } catch {
      hostname = undefined;
    }
  }
  if (hostname !== undefined && isLoopbackHostname(hostname)) return undefined;
  return new ApiError(
    403,
    "ForeignHost",
    `Host ${describe(header ?? request.url)} is not a loopback address: without a token the ` +
      `API answers only requests addressed to 127.0.0.1, localhost or [::1] (any port); ` +
      TOKEN_HINT,
  );
}

/**
 * 403 when the request carries an `Origin` other than an http(s) loopback one (`null`
 * included). Requests without `Origin` (curl, scripts) pass. Used when the API has no token.
 */
export function checkLoopbackOrigin(request: Request): ApiError | undefined {
  const origin = request.headers.get("origin");
  if (origin === null) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  if (
    url && (url.protocol === "http:" || url.protocol === "https:") &&
    isLoopbackHostname(url.hostname)
  ) return undefined;
  return new ApiError(
    403,
    "ForeignOrigin",
    `Origin ${describe(origin)} is not allowed: without a token the API accepts browser ` +
      `requests only from http(s)://127.0.0.1, localhost or [::1] pages (any port); ` +
      TOKEN_HINT,
  );
}

/**
 * 415 unless a POST, PUT or PATCH says `Content-Type: application/json` (parameters such as
 * `charset` and `+json` types are fine), with or without a body. No route reads the body of
 * another method.
 */
export function checkJsonBody(request: Request): ApiError | undefined {
  if (!BODY_METHODS.has(request.method)) return undefined;
  const type = request.headers.get("content-type");
  if (type !== null && JSON_MEDIA_TYPE.test(type.trim())) return undefined;
  return new ApiError(
    415,
    "UnsupportedMediaType",
    `${request.method} needs 'Content-Type: application/json' (the API reads JSON bodies ` +
      `only), got ${type === null ? "no Content-Type" : describe(type)}`,
    { extra: { expected: "application/json" } },
  );
}
