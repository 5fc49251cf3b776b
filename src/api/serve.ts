/**
 * Runs a {@linkcode WorkflowApi} as an HTTP server on `Deno.serve`, `Bun.serve` or
 * `@hono/node-server` (picked by the globals present). The only API file that touches the host.
 *
 * @module
 */

import type { WorkflowApi } from "./app.ts";
import { ALLOWED_METHODS, checkMethod } from "./_request_guard.ts";

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** Interface to bind. @default "127.0.0.1" */
  readonly hostname?: string;
  /** Port; 0 picks a free one. @default 8000 */
  readonly port?: number;
  /** Aborting shuts the server down (with the default grace period). */
  readonly signal?: AbortSignal;
  /** Grace period used when `signal` aborts, ms. @default 10000 */
  readonly graceMs?: number;
}

/** A running server. */
export interface Server {
  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** The port actually bound. */
  readonly port: number;
  /**
   * Stops accepting connections, lets running workflows finish for up to `graceMs`, cancels
   * the rest, then closes. Safe to call more than once.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Resolves once the server has shut down. */
  readonly finished: Promise<void>;
}

type Fetch = (request: Request) => Promise<Response>;

interface DenoServer {
  readonly addr: { readonly port: number };
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
}
interface DenoGlobal {
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: Fetch,
  ): DenoServer;
}
interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
interface BunGlobal {
  serve(options: { hostname: string; port: number; fetch: Fetch; idleTimeout?: number }): BunServer;
}

/** Host-specific part: bind, and close after the API has drained. */
interface Bound {
  readonly port: number;
  /** Stops accepting new connections (existing ones are served until `close`). */
  stopAccepting(): void;
  close(): Promise<void>;
}

/** The socket side of a Node `http.Server` event, as far as {@linkcode answerRaw} needs it. */
interface RawSocket {
  readonly writable: boolean;
  end(data: string): void;
  destroy(): void;
}

/**
 * Answers on a raw socket with a JSON error and closes it: for what Node's HTTP server does
 * not hand to the fetch handler (`CONNECT`, requests it cannot parse), which it would
 * otherwise drop or answer without a body.
 */
function answerRaw(
  socket: RawSocket,
  error: { readonly status: number; readonly name: string; readonly message: string },
): void {
  const { status, name, message } = error;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const reason: Record<number, string> = {
    400: "Bad Request",
    405: "Method Not Allowed",
    408: "Request Timeout",
    431: "Request Header Fields Too Large",
  };
  const body = JSON.stringify({ error: { name, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason[status] ?? "Error"}\r\n` +
      "content-type: application/json; charset=utf-8\r\n" +
      `content-length: ${new TextEncoder().encode(body).length}\r\n` +
      (status === 405 ? `allow: ${ALLOWED_METHODS.join(", ")}\r\n` : "") +
      `connection: close\r\n\r\n${body}`,
  );
}

interface NodeServerEvents {
  on(event: "connect", listener: (request: unknown, socket: RawSocket) => void): void;
  on(event: "clientError", listener: (error: { code?: string }, socket: RawSocket) => void): void;
}

async function bind(fetch: Fetch, hostname: string, port: number): Promise<Bound> {
  const globals = globalThis as { Deno?: DenoGlobal; Bun?: BunGlobal };
  if (globals.Deno?.serve) {
    const server = globals.Deno.serve({ hostname, port, onListen: () => {} }, fetch);
    let stopped: Promise<void> | undefined;
    return {
      port: server.addr.port,
      // Deno's shutdown refuses new connections at once and resolves when responses end.
      stopAccepting() {
        stopped ??= server.shutdown();
      },
      close: () => stopped ??= server.shutdown(),
    };
  }
  if (globals.Bun?.serve) {
    // idleTimeout 0: event streams stay open between keep-alive comments.
    const server = globals.Bun.serve({ hostname, port, fetch, idleTimeout: 0 });
    return {
      port: server.port,
      stopAccepting() {
        void server.stop(false);
      },
      close: async () => {
        await server.stop(true);
      },
    };
  }
  const { serve: nodeServe } = await import("@hono/node-server");
  return await new Promise<Bound>((resolve, reject) => {
    const server = nodeServe({ fetch, hostname, port }, (info) => {
      resolve({
        port: info.port,
        stopAccepting() {
          server.close();
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            const closeAll = (server as { closeAllConnections?: () => void }).closeAllConnections;
            closeAll?.call(server);
          }),
      });
    });
    server.once("error", reject);
    const events = server as unknown as NodeServerEvents;
    events.on("connect", (_request, socket) => answerRaw(socket, checkMethod("CONNECT")!));
    events.on("clientError", (error, socket) => {
      if (error.code === "ECONNRESET") return socket.destroy();
      answerRaw(
        socket,
        error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? { status: 408, name: "RequestTimeout", message: "the request took too long to arrive" }
          : error.code === "HPE_HEADER_OVERFLOW"
          ? { status: 431, name: "HeadersTooLarge", message: "the request headers are too large" }
          : {
            status: 400,
            name: "BadRequest",
            message: "the request is not valid HTTP/1.1 (unknown method, bad request line or " +
              "headers)",
          },
      );
    });
  });
}

/**
 * Serves `api` over HTTP.
 *
 * @param api The API to serve (from `createApi`).
 * @param options Host, port, signal and callbacks; see {@linkcode ServeOptions}.
 *
 * @example
 * ```ts
 * import { createApi, detectRuntime, Engine } from "@ddeutil/workflow";
 *
 * const engine = await Engine.create({ runtime: detectRuntime() });
 * const server = await serve(createApi(engine), { port: 0 });
 * console.log(server.url);
 * await server.shutdown(5000);
 * ```
 */
export async function serve(api: WorkflowApi, options: ServeOptions = {}): Promise<Server> {
  const hostname = options.hostname ?? "127.0.0.1";
  const bound = await bind((request) => api.fetch(request), hostname, options.port ?? 8000);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => finish = resolve);
  let shutting: Promise<void> | undefined;
  const shutdown = (graceMs = options.graceMs ?? 10_000) =>
    shutting ??= (async () => {
      bound.stopAccepting();
      await api.close({ graceMs });
      await bound.close();
      finish();
    })();
  if (options.signal) {
    if (options.signal.aborted) void shutdown();
    else options.signal.addEventListener("abort", () => void shutdown(), { once: true });
  }
  return { url: `http://${host}:${bound.port}`, port: bound.port, shutdown, finished };
}
