/**
 * Browser sessions of the web UI: the API's bearer token is exchanged once, on the login page,
 * for a signed session cookie (HttpOnly, SameSite=Strict, Secure behind https); every form
 * that changes something carries a CSRF token derived from the session. Without a token the
 * UI answers loopback requests only (as the API does) and opens a session by itself.
 *
 * Sessions are stateless: `<id>.<expires>.<signature>`, signed with HMAC-SHA-256 under a key
 * derived from the token, so changing the token ends every session. Logging out forgets the
 * id in this process.
 *
 * @module
 */

import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { timingSafeEqual } from "hono/utils/buffer";
import type { Clock } from "../../runtime/types.ts";

/** Name of the session cookie. */
export const SESSION_COOKIE = "wf_session";
/** Name of the cookie that carries the login form's CSRF token before a session exists. */
export const LOGIN_COOKIE = "wf_login";
/** How long a session lasts, ms. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Most logged-out session ids remembered (older ones have expired long before). */
const MAX_REVOKED = 10_000;

const encoder = new TextEncoder();

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `n` random bytes as base64url (session ids, nonces, login CSRF tokens). */
export function randomToken(n = 18): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(n)));
}

/** A verified session. */
export interface Session {
  /** Random id of the session (what the CSRF token is bound to). */
  readonly id: string;
  /** Epoch ms the session ends. */
  readonly expires: number;
  /** The CSRF token forms of this session must carry. */
  readonly csrf: string;
}

/** Signs and checks session cookies and CSRF tokens. */
export class SessionKeeper {
  readonly #token: string;
  readonly #clock: Clock;
  #key?: Promise<CryptoKey>;
  readonly #revoked = new Set<string>();

  /**
   * @param token The API's bearer token (`""` when the API has none: a random key is made on
   *   first use, so sessions last as long as this process).
   * @param clock Decides when sessions expire.
   */
  constructor(token: string, clock: Clock) {
    this.#token = token;
    this.#clock = clock;
  }

  /** `true` when a login with the token is needed. */
  get loginRequired(): boolean {
    return this.#token !== "";
  }

  // Made on first use: edge hosts refuse random numbers at a Worker's module scope.
  #signingKey(): Promise<CryptoKey> {
    return this.#key ??= (async () => {
      const secret = this.#token === ""
        ? crypto.getRandomValues(new Uint8Array(32))
        : new Uint8Array(
          await crypto.subtle.digest("SHA-256", encoder.encode(`workflow-ui:${this.#token}`)),
        );
      return await crypto.subtle.importKey(
        "raw",
        secret,
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
    })();
  }

  async #sign(text: string): Promise<string> {
    const signature = await crypto.subtle.sign(
      "HMAC",
      await this.#signingKey(),
      encoder.encode(text),
    );
    return base64Url(new Uint8Array(signature));
  }

  /** Checks a bearer token given on the login page, in constant time. */
  async tokenMatches(given: string): Promise<boolean> {
    return this.#token !== "" && await timingSafeEqual(given, this.#token);
  }

  /** A new session and its cookie value. */
  async open(): Promise<{ session: Session; cookie: string }> {
    const id = randomToken();
    const expires = this.#clock.now() + SESSION_TTL_MS;
    const body = `${id}.${expires}`;
    const cookie = `${body}.${await this.#sign(`session:${body}`)}`;
    return { session: { id, expires, csrf: await this.#sign(`csrf:${id}`) }, cookie };
  }

  /** The session a cookie value stands for, or `undefined` (missing, forged, expired, ended). */
  async verify(cookie: string | undefined): Promise<Session | undefined> {
    if (!cookie) return undefined;
    const match = /^([A-Za-z0-9_-]{1,64})\.(\d{1,16})\.([A-Za-z0-9_-]{1,128})$/.exec(cookie);
    if (!match) return undefined;
    const [, id, expiresText, signature] = match;
    const expected = await this.#sign(`session:${id}.${expiresText}`);
    if (!(await timingSafeEqual(signature, expected))) return undefined;
    const expires = Number(expiresText);
    if (expires <= this.#clock.now() || this.#revoked.has(id)) return undefined;
    return { id, expires, csrf: await this.#sign(`csrf:${id}`) };
  }

  /** Ends a session in this process (its cookie is also cleared by the caller). */
  revoke(session: Session): void {
    if (this.#revoked.size >= MAX_REVOKED) {
      this.#revoked.delete(this.#revoked.values().next().value!);
    }
    this.#revoked.add(session.id);
  }

  /** `true` when `given` is the CSRF token of `session` (constant time). */
  async csrfMatches(session: Session, given: string | undefined): Promise<boolean> {
    return typeof given === "string" && given !== "" && await timingSafeEqual(given, session.csrf);
  }
}

/** `true` when the request reached us over https (directly, or through a proxy that says so). */
export function isHttps(c: Context): boolean {
  const forwarded = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (forwarded) return forwarded === "https";
  return new URL(c.req.url).protocol === "https:";
}

/** Sets a UI cookie: HttpOnly, SameSite=Strict, scoped to the UI's path, Secure over https. */
export function setUiCookie(
  c: Context,
  name: string,
  value: string,
  options: { path: string; maxAgeSeconds?: number },
): void {
  setCookie(c, name, value, {
    path: options.path,
    httpOnly: true,
    sameSite: "Strict",
    secure: isHttps(c),
    ...(options.maxAgeSeconds === undefined ? {} : { maxAge: options.maxAgeSeconds }),
  });
}

/** The value of a request cookie. */
export function readCookie(c: Context, name: string): string | undefined {
  return getCookie(c, name);
}
