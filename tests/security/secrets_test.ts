/**
 * Secrets stay masked wherever they travel: into trigger children, stage names and ids,
 * foreach paths; the server's own credentials never reach a stage; and only env values whose
 * name marks a secret (or that are listed) are masked.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { captureEvents, engineFor, runtimeWithEnv, withProcessEnv } from "../_helpers.ts";
import { MemoryTraceStore } from "../../src/results/memory_trace_store.ts";
import { resultToJson } from "../../src/results/result.ts";
import { revealSecrets } from "../../src/executor/result.ts";
import type { LifecycleDetail } from "../../src/executor/events.ts";

const SECRET = "s3cr3t-PARAM-7f1c";
const ENV_SECRET = "s3cr3t-ENV-9a2b";
const TOKEN = "tok-API-5d3e";

/** Every trace record the store holds, as one text. */
async function traceText(store: MemoryTraceStore): Promise<string> {
  const runs = await store.listRuns();
  const records = await Promise.all(runs.map((run) => store.getTrace(run.runId)));
  return JSON.stringify(records.flat());
}

const TRIGGER_YAML = `
parent:
  type: Workflow
  params:
    password: secret
  jobs:
    call:
      stages:
        - name: Call child
          id: call
          trigger: child
          params:
            value: \${{ params.password }}
child:
  type: Workflow
  params:
    value: str
  jobs:
    show:
      stages:
        - name: Show
          id: show
          echo: "child got \${{ params.value }}"
        - name: Print
          id: print
          bash: echo "child printed \${{ params.value }}"
`;

describe("secrets", () => {
  it("a trigger child masks the secrets its parent hands it in events, traces and its context", async () => {
    const traces = new MemoryTraceStore();
    const { target, events } = captureEvents();
    const engine = await engineFor(TRIGGER_YAML, { traces, events: target });
    const result = await engine.execute("parent", { password: SECRET });
    await engine.close();
    assert.equal(result.status, "SUCCESS", JSON.stringify(resultToJson(result)));

    const childEvents = events.filter((e) => e.workflow === "child");
    assert.ok(childEvents.length > 0);
    const eventText = JSON.stringify(events);
    assert.ok(!eventText.includes(SECRET), "an event shows the secret");
    assert.match(eventText, /child got \*\*\*/);
    assert.match(eventText, /child printed \*\*\*/);

    const text = await traceText(traces);
    assert.ok(!text.includes(SECRET), "a trace record shows the secret");
    assert.match(text, /child got \*\*\*/);

    const json = JSON.stringify(resultToJson(result));
    assert.ok(!json.includes(SECRET));
    assert.match(json, /child printed \*\*\*/);
  });

  it("a Result shows *** for a secret param in its context and JSON; revealSecrets() gives the real value", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    password: secret
  jobs:
    a:
      stages:
        - name: Keep
          id: keep
          run: "return { kept: 'pw=' + password };"
          vars:
            password: \${{ params.password }}
`);
    const result = await engine.execute("wf", { password: SECRET });
    await engine.close();
    assert.equal(result.status, "SUCCESS", JSON.stringify(result));

    assert.equal(result.context.params.password, "***");
    assert.equal(result.context.jobs.a.stages?.keep.outputs.kept, "pw=***");
    assert.ok(!JSON.stringify(result).includes(SECRET), "JSON.stringify(result) shows the secret");
    assert.ok(!JSON.stringify(resultToJson(result)).includes(SECRET));
    assert.ok(!("secrets" in result), "the result carries its secret values in a field");

    const revealed = revealSecrets(result);
    assert.equal(revealed.context.params.password, SECRET);
    assert.equal(revealed.context.jobs.a.stages?.keep.outputs.kept, `pw=${SECRET}`);
    assert.deepEqual(revealed.secrets, [SECRET]);
  });

  it("revealSecrets() refuses a copy of a result, which carries no real values", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    password: secret
  jobs:
    a:
      stages:
        - name: Hello
          echo: hello
`);
    const result = await engine.execute("wf", { password: SECRET });
    await engine.close();
    assert.throws(
      () => revealSecrets({ ...result }),
      (error: unknown) => error instanceof TypeError && /returned by execute/.test(error.message),
    );
  });

  it("a trigger child's real outputs feed the parent's later stages while both results show ***", async () => {
    const engine = await engineFor(`
parent:
  type: Workflow
  params:
    password: secret
  jobs:
    call:
      stages:
        - name: Call child
          id: call
          trigger: child
          params:
            value: \${{ params.password }}
        - name: Use
          id: use
          run: "return { length: got.length, same: got === expected };"
          vars:
            got: \${{ stages.call.outputs.jobs.make.stages.make.outputs.token }}
            expected: \${{ params.password }}
child:
  type: Workflow
  params:
    value: str
  jobs:
    make:
      stages:
        - name: Make
          id: make
          run: "return { token: value };"
          vars:
            value: \${{ params.value }}
`);
    const result = await engine.execute("parent", { password: SECRET });
    await engine.close();
    assert.equal(result.status, "SUCCESS", JSON.stringify(result));
    const use = result.context.jobs.call.stages?.use.outputs;
    assert.deepEqual(use, { length: SECRET.length, same: true });
    const call = result.context.jobs.call.stages?.call.outputs as {
      jobs: Record<string, { stages: Record<string, { outputs: { token: string } }> }>;
    };
    assert.equal(call.jobs.make.stages.make.outputs.token, "***");
    assert.ok(!JSON.stringify(result).includes(SECRET));
  });

  it("resuming from the revealed context keeps a succeeded job's real outputs", async () => {
    const engine = await engineFor(`
wf:
  type: Workflow
  params:
    password: secret
    fail:
      type: bool
      default: false
  jobs:
    first:
      stages:
        - name: Keep
          id: keep
          run: "return { token: password };"
          vars:
            password: \${{ params.password }}
    second:
      needs: [first]
      stages:
        - name: Maybe fail
          id: check
          raise: "asked to fail"
          if: \${{ params.fail }}
        - name: Compare
          id: compare
          run: "return { same: got === expected };"
          vars:
            got: \${{ jobs.first.stages.keep.outputs.token }}
            expected: \${{ params.password }}
`);
    const failed = await engine.execute("wf", { password: SECRET, fail: true });
    assert.equal(failed.status, "FAILED");
    const resumed = await engine.execute("wf", { password: SECRET }, {
      resume: { runId: failed.runId, context: revealSecrets(failed).context },
    });
    await engine.close();
    assert.equal(resumed.status, "SUCCESS", JSON.stringify(resumed));
    assert.equal(resumed.context.jobs.first.resumed_from, failed.runId);
    assert.deepEqual(resumed.context.jobs.second.stages?.compare.outputs, { same: true });
    assert.ok(!JSON.stringify(resumed).includes(SECRET));
  });

  it("a stage whose name or id is built from a secret shows *** in events and traces", async () => {
    const traces = new MemoryTraceStore();
    const { target, events } = captureEvents();
    const engine = await engineFor(
      `
wf:
  type: Workflow
  params:
    password: secret
  jobs:
    list:
      stages:
        - name: targets
          id: get
          run: "return { targets: [password] };"
          vars:
            password: \${{ params.password }}
    deploy:
      needs: [list]
      strategy:
        matrix:
          target: "\${{ jobs.list.stages.get.outputs.targets }}"
      stages:
        - name: "deploy \${{ matrix.target }}"
          id: "deploy-\${{ matrix.target }}"
          echo: deploying
`,
      { traces, events: target },
    );
    const result = await engine.execute("wf", { password: SECRET });
    await engine.close();
    assert.equal(result.status, "SUCCESS", JSON.stringify(resultToJson(result)));

    const names = events.map((e) => e.stageName).filter(Boolean);
    assert.ok(names.includes("deploy ***"), names.join(", "));
    const ids = events.map((e) => e.stage).filter(Boolean);
    assert.ok(ids.includes("deploy-***"), ids.join(", "));
    const eventText = JSON.stringify(events);
    assert.ok(!eventText.includes(SECRET), "an event shows the secret");
    const text = await traceText(traces);
    assert.ok(!text.includes(SECRET), "a trace record shows the secret");
    assert.match(text, /deploy-\*\*\*/);
  });

  it("the nested path of a foreach over a secret shows *** in events", async () => {
    const { target, events } = captureEvents();
    const engine = await engineFor(
      `
wf:
  type: Workflow
  params:
    password: secret
  jobs:
    loop:
      stages:
        - name: items
          id: get
          run: "return { items: [password] };"
          vars:
            password: \${{ params.password }}
        - name: Each
          id: each
          foreach: "\${{ stages.get.outputs.items }}"
          stages:
            - name: Show
              id: show
              echo: "item"
`,
      { events: target },
    );
    const result = await engine.execute("wf", { password: SECRET });
    await engine.close();
    assert.equal(result.status, "SUCCESS", JSON.stringify(resultToJson(result)));
    const inner = events.find((e: LifecycleDetail) => e.type === "stage-end" && e.stage === "show");
    assert.deepEqual(inner?.nested, ["each", "***"]);
    assert.ok(!JSON.stringify(events).includes(SECRET), "an event shows the secret");
  });

  it("masks ${VAR} values whose name marks a secret or is listed, and shows the others", async () => {
    const runtime = runtimeWithEnv({
      MY_API_TOKEN: ENV_SECRET,
      db_passwd_file: "/run/pw-file",
      SHOWN_DIR: "/srv/shown-dir",
      DB_HOST: "db-host.internal",
      WORKFLOW_CORE_SECRET_ENV: "DB_HOST",
    });
    const { target, events } = captureEvents();
    const engine = await engineFor(
      `
wf:
  type: Workflow
  jobs:
    a:
      stages:
        - name: Show
          echo: "\${MY_API_TOKEN} \${db_passwd_file} \${SHOWN_DIR} \${DB_HOST} \${SHOWN_DIR}"
`,
      { runtime, events: target },
    );
    await engine.execute("wf");
    await engine.close();
    const lines = events.filter((e) => e.type === "log").map((e) => e.message).join("\n");
    assert.match(lines, /\*\*\* \*\*\* \/srv\/shown-dir \*\*\* \/srv\/shown-dir/);
  });

  it("masks the env names listed in settings.secretEnv given in code", async () => {
    const runtime = runtimeWithEnv({ SHOWN_DIR: "/srv/shown-dir", REGION: "eu-central-9" });
    const { target, events } = captureEvents();
    const engine = await engineFor(
      `
wf:
  type: Workflow
  jobs:
    a:
      stages:
        - name: Show
          echo: "in \${REGION} from \${SHOWN_DIR}"
`,
      { runtime, events: target, settings: { secretEnv: ["REGION"] } },
    );
    await engine.execute("wf");
    await engine.close();
    const lines = events.filter((e) => e.type === "log").map((e) => e.message).join("\n");
    assert.match(lines, /in \*\*\* from \/srv\/shown-dir/);
  });

  it("a stage never sees the server's API token or a store URL's password in its environment", async () => {
    const storeUrl = "postgres://wf:pw-STORE-31c7@db.internal/workflow";
    await withProcessEnv(
      { WORKFLOW_API_TOKEN: TOKEN, WORKFLOW_RUNS_STORE_URL: storeUrl },
      async () => {
        const { target, events } = captureEvents();
        const engine = await engineFor(
          `
wf:
  type: Workflow
  jobs:
    a:
      stages:
        - name: Print env
          id: env
          bash: env
        - name: Read in JavaScript
          id: js
          run: |
            const env = globalThis.process?.env ?? {};
            const deno = globalThis.Deno?.env?.toObject?.() ?? {};
            return { seen: [env.WORKFLOW_API_TOKEN, deno.WORKFLOW_API_TOKEN,
              env.WORKFLOW_RUNS_STORE_URL, deno.WORKFLOW_RUNS_STORE_URL].filter(Boolean),
              home: Boolean(env.HOME ?? deno.HOME) };
        - name: Template
          id: template
          echo: "\${WORKFLOW_API_TOKEN:none}"
`,
          { events: target },
        );
        const result = await engine.execute("wf");
        await engine.close();
        assert.equal(result.status, "SUCCESS", JSON.stringify(resultToJson(result)));
        const stages = (result.context.jobs as Record<string, {
          stages: Record<string, {
            outputs: Record<string, unknown>;
          }>;
        }>).a.stages;
        const stdout = String(stages.env.outputs.stdout);
        assert.match(stdout, /PATH=/, "env printed nothing");
        assert.doesNotMatch(stdout, /WORKFLOW_API_TOKEN|WORKFLOW_RUNS_STORE_URL/);
        assert.deepEqual(stages.js.outputs.seen, []);
        assert.equal(stages.js.outputs.home, true, "the JavaScript stage lost the rest of its env");
        const all = JSON.stringify(result.context) + JSON.stringify(events);
        assert.ok(!all.includes(TOKEN) && !all.includes("pw-STORE-31c7"));
        assert.match(JSON.stringify(events), /none/);
      },
    );
  });
});
