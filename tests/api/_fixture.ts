/**
 * Shared fixture of the API tests: a small config and an API over it.
 */
import { engineFor } from "../_helpers.ts";
import { type ApiOptions, createApi, type WorkflowApi } from "../../src/api/mod.ts";
import type { Engine } from "../../src/engine.ts";

/** Workflows used across the API tests. */
export const API_YAML = `
greet:
  type: Workflow
  desc: Says hello
  params:
    name:
      type: str
      default: world
    count:
      type: int
      default: 1
    password:
      type: secret
      default: ""
  on:
    - cronjob: "0 8 * * *"
      timezone: Asia/Bangkok
  jobs:
    hello:
      stages:
        - name: Greet
          id: greet
          echo: "hello \${{ params.name }} x\${{ params.count }} \${{ params.password }}"
slow:
  type: Workflow
  jobs:
    wait:
      stages:
        - name: Nap
          id: nap
          sleep: 0.3
        - name: After
          id: after
          echo: done
broken:
  type: Workflow
  jobs:
    fail:
      stages:
        - name: Boom
          raise: something went wrong
needy:
  type: Workflow
  params:
    day:
      type: str
      required: true
  jobs:
    a:
      stages:
        - name: Show
          echo: "\${{ params.day }}"
nightly:
  type: Schedule
  workflows:
    - name: greet
      alias: greet-night
      on:
        - cronjob: "30 23 * * *"
          timezone: UTC
`;

/** An API over {@linkcode API_YAML}. */
export async function apiFor(
  options: ApiOptions = {},
): Promise<{ api: WorkflowApi; engine: Engine }> {
  const engine = await engineFor(API_YAML);
  return { api: createApi(engine, { prefix: "/api/v1", token: "", ...options }), engine };
}

/** POSTs JSON. */
export function postJson(
  api: WorkflowApi,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return api.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Polls a run until it has ended. */
export async function waitForRun(
  api: WorkflowApi,
  runId: string,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 500; i++) {
    const response = await api.request(`/api/v1/runs/${runId}`);
    const body = await response.json() as Record<string, unknown>;
    if (body.status !== "WAIT") return body;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`run ${runId} did not end`);
}
