/**
 * The HTTP API: `createApi(engine, options)` gives a web-standard `fetch` handler; `serve`
 * (from `./serve.ts`) runs it on Deno, Bun or Node.
 *
 * @module
 */

export {
  type ApiCloseOptions,
  type ApiOptions,
  createApi,
  type RegisteredRoute,
  type WorkflowApi,
} from "./app.ts";
export type { ApiEngine } from "./engine_port.ts";
export { ApiError, type ErrorBody } from "./errors.ts";
export { serve, type ServeOptions, type Server } from "./serve.ts";
