/**
 * Raw HTTP/1.1 over a TCP socket, for requests `fetch` will not send as a browser or an
 * attacker would (a foreign `Host`, `CONNECT`, unknown methods, no `Content-Type`).
 */
import net from "node:net";

/** What came back: `closed` when the server closed the connection without a response. */
export interface RawResponse {
  readonly closed: boolean;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The parsed JSON body, `undefined` when the body is not JSON. */
  readonly json: unknown;
}

/** Options of {@linkcode rawRequest}. */
export interface RawRequestOptions {
  /** Request headers; `Host` defaults to `127.0.0.1:<port>`, `Connection` to `close`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Request body; `Content-Length` is set from it. */
  readonly body?: string;
  /** Give up after this many ms. @default 5000 */
  readonly timeoutMs?: number;
}

function dechunk(text: string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/**
 * Sends `<method> <target> HTTP/1.1` with `options` to `127.0.0.1:<port>` and reads until the
 * server closes the connection.
 */
export function rawRequest(
  port: number,
  method: string,
  target: string,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Connection: "close",
    ...options.headers,
  };
  for (const [name, value] of Object.entries(headers)) if (value === "") delete headers[name];
  const body = options.body ?? "";
  if (options.body !== undefined) {
    headers["Content-Length"] = String(new TextEncoder().encode(body).length);
  }
  const head = `${method} ${target} HTTP/1.1\r\n` +
    Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("") + "\r\n";
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    const socket = net.connect(port, "127.0.0.1", () => socket.write(head + body));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${method} ${target.slice(0, 60)} in time`));
    }, options.timeoutMs ?? 5000);
    socket.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    socket.on("error", () => {}); // a reset counts as closed below
    socket.on("close", () => {
      clearTimeout(timer);
      const text = new TextDecoder().decode(
        chunks.reduce((all, chunk) => {
          const next = new Uint8Array(all.length + chunk.length);
          next.set(all);
          next.set(chunk, all.length);
          return next;
        }, new Uint8Array()),
      );
      const split = text.indexOf("\r\n\r\n");
      if (text === "" || split < 0) {
        resolve({ closed: true, status: 0, headers: {}, body: text, json: undefined });
        return;
      }
      const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
      const parsed: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon > 0) {
          parsed[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
      }
      let responseBody = text.slice(split + 4);
      if (/chunked/i.test(parsed["transfer-encoding"] ?? "")) responseBody = dechunk(responseBody);
      let json: unknown;
      try {
        json = JSON.parse(responseBody);
      } catch {
        json = undefined;
      }
      resolve({
        closed: false,
        status: Number(statusLine.split(" ")[1]),
        headers: parsed,
        body: responseBody,
        json,
      });
    });
  });
}
