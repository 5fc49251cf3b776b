import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { Registry, tag, tagInfo } from "../../src/stages/registry.ts";
import type { CallContext } from "../../src/stages/types.ts";
import { oneJob, runStages } from "./_stage_helpers.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe("tag()", () => {
  it("names a task after its function in kebab-case unless an alias is given", () => {
    const plain = tag("demo")(function getItemsNow() {
      return {};
    });
    const aliased = tag("v2", { alias: "load" })(function whatever() {
      return {};
    });
    assert.deepEqual(tagInfo(plain), { name: "get-items-now", tag: "demo", schema: undefined });
    assert.equal(tagInfo(aliased)?.name, "load");
    assert.equal(tagInfo(() => ({})), undefined);
  });

  it("names an anonymous task after its export, and rejects one it cannot name", () => {
    const anonymous = () => ({ ok: true });
    Object.defineProperty(anonymous, "name", { value: "" });
    const registry = new Registry({ builtins: false }).register("g", {
      loadSales: tag("v1")(anonymous),
    });
    assert.deepEqual(registry.list(), ["g/load-sales@v1"]);
    const nameless = () => ({});
    Object.defineProperty(nameless, "name", { value: "" });
    assert.throws(() => new Registry().register("g", [tag("v1")(nameless)], "x.ts"), {
      name: "RegistryError",
      message: "a task tagged 'v1' in x.ts has no name: give it an alias or export it by name",
    });
  });
});

describe("call stage (uses:)", () => {
  it("calls a registered async function with rendered args and its context", async () => {
    const seen: { runId?: string; aborted?: boolean; params?: unknown } = {};
    const load = tag("v1")(async function load(args: Record<string, unknown>, ctx: CallContext) {
      await Promise.resolve();
      seen.runId = ctx.runId;
      seen.aborted = ctx.signal.aborted;
      seen.params = ctx.params;
      ctx.trace(`loading ${args.table}`);
      return { records: (args.rows as number[]).length, table: args.table };
    });
    const registry = new Registry().register("etl", { load });
    const run = await runStages(
      oneJob(
        `
        - name: Load
          id: load
          uses: etl/load@v1
          with:
            table: "\${{ params.table }}"
            rows: [1, 2, 3]
        `,
        { params: "table: str" },
      ),
      { params: { table: "sales" }, engine: { registry } },
    );
    assert.equal(run.result.status, "SUCCESS");
    assert.deepEqual(run.stages.load, {
      status: "SUCCESS",
      outputs: { records: 3, table: "sales" },
    });
    assert.equal(seen.runId, run.result.runId);
    assert.equal(seen.aborted, false);
    assert.deepEqual(seen.params, { table: "sales" });
    assert.ok(run.logs.includes("loading sales"), run.logs.join("\n"));
  });

  it("validates args with a zod schema and names the bad arg", async () => {
    const schema = z.object({ table: z.string(), limit: z.number().int().positive() });
    const load = tag("v1", { schema })(function load(args: Record<string, unknown>) {
      return { got: args };
    });
    const registry = new Registry().register("etl", [load]);
    const run = await runStages(
      oneJob(`
        - name: Good
          id: good
          uses: etl/load@v1
          with: { table: t, limit: 5 }
        - name: Bad
          id: bad
          uses: etl/load@v1
          with: { table: t, limit: "many" }
      `),
      { engine: { registry } },
    );
    assert.deepEqual(run.stages.good, {
      status: "SUCCESS",
      outputs: { got: { table: "t", limit: 5 } },
    });
    const bad = run.stages.bad as { status: string; errors: { name: string; message: string } };
    assert.equal(bad.status, "FAILED");
    assert.equal(bad.errors.name, "NonRetriableError");
    assert.match(bad.errors.message, /^invalid args for 'etl\/load@v1': 'limit': /);
  });

  it("finds tasks/get-items@demo in <caller>/tasks/mod.ts", async () => {
    const run = await runStages(
      oneJob(`
        - name: Items
          id: items
          uses: tasks/get-items@demo
      `),
      { engine: { settings: { registryCaller: [fixture("registry_a")] } } },
    );
    assert.deepEqual(run.stages.items, { status: "SUCCESS", outputs: { items: [1, 2, 3, 4] } });
  });

  it("lists what exists when the group, function or tag is unknown", async () => {
    const settings = { registryCaller: [fixture("registry_a")] };
    const run = await runStages(
      oneJob(`
        - name: Group
          id: group
          continue-on-error: true
          uses: nope/get-items@demo
        - name: Function
          id: function
          continue-on-error: true
          uses: tasks/get-itemz@demo
        - name: Tag
          id: tag
          continue-on-error: true
          uses: tasks/get-items@prod
      `),
      { engine: { settings } },
    );
    const message = (id: string) =>
      (run.stages[id] as { errors: { message: string } }).errors.message;
    assert.match(
      message("group"),
      /task group 'nope' not found under .*registry_a; known groups: notify, tasks/,
    );
    assert.equal(
      message("function"),
      "task 'get-itemz' not found in group 'tasks'; it has: get-items, same",
    );
    assert.equal(message("tag"), "task 'tasks/get-items' has no tag 'prod'; tags: demo");
  });

  it("reports a name@tag defined twice, naming both places", async () => {
    const run = await runStages(
      oneJob(`
        - name: Same
          id: same
          uses: tasks/same@v1
      `),
      { engine: { settings: { registryCaller: [fixture("registry_a"), fixture("registry_b")] } } },
    );
    const entry = run.stages.same as { status: string; errors: { name: string; message: string } };
    assert.equal(entry.status, "FAILED");
    assert.equal(entry.errors.name, "RegistryError");
    assert.match(entry.errors.message, /'tasks\/same@v1' is defined twice/);
    assert.match(entry.errors.message, /registry_a\/tasks\/mod\.ts/);
    assert.match(entry.errors.message, /registry_b\/tasks\.ts/);
  });

  it("rejects a registration that clashes in code", () => {
    const one = tag("v1", { alias: "x" })(() => ({}));
    const two = tag("v1", { alias: "x" })(() => ({}));
    const registry = new Registry().register("g", [one], "first.ts");
    assert.throws(
      () => registry.register("g", [two], "second.ts"),
      {
        name: "RegistryError",
        message: "task 'g/x@v1' is defined twice: in first.ts and in second.ts",
      },
    );
  });

  it("fails clearly when a task returns something other than a plain object", async () => {
    const bad = tag("raise", { alias: "return-type-not-valid" })(() => true);
    const registry = new Registry().register("tasks", [bad]);
    const run = await runStages(
      oneJob(`
        - name: Bad
          id: bad
          uses: tasks/return-type-not-valid@raise
      `),
      { engine: { registry } },
    );
    assert.deepEqual(run.stages.bad, {
      status: "FAILED",
      outputs: {},
      errors: {
        name: "StageError",
        message: "'tasks/return-type-not-valid@raise' returned boolean; a task must return a " +
          "plain object (or nothing), e.g. return { records: 1 }",
      },
    });
  });

  it("skips without calling when if is false", async () => {
    let called = false;
    const fn = tag("v1", { alias: "f" })(() => {
      called = true;
      return {};
    });
    const run = await runStages(
      oneJob(`
        - name: Never
          id: never
          if: "false"
          uses: g/f@v1
      `),
      { engine: { registry: new Registry().register("g", [fn]) } },
    );
    assert.deepEqual(run.stages, { never: { status: "SKIP", outputs: {}, skipped: true } });
    assert.equal(called, false);
  });

  it("aborts the task's signal at the stage timeout", async () => {
    let abortedWith: unknown;
    // Like a task waiting on I/O that would fail on its own after 10 s of the run's clock.
    const wait = tag("v1", { alias: "wait" })((_args, ctx) =>
      new Promise((_, reject) => {
        const io = new AbortController();
        ctx.clock.sleep(10_000, { signal: io.signal })
          .then(() => reject(new Error("not aborted")), () => {});
        ctx.signal.addEventListener("abort", () => {
          io.abort();
          abortedWith = ctx.signal.reason;
          reject(ctx.signal.reason);
        });
      })
    );
    const run = await runStages(
      oneJob(`
        - name: Wait
          id: wait
          timeout: 0.2
          uses: g/wait@v1
      `),
      { engine: { registry: new Registry().register("g", [wait]) }, fakeClock: true },
    );
    assert.deepEqual(run.stages.wait, {
      status: "FAILED",
      outputs: {},
      errors: { name: "StageTimeoutError", message: "stage 'Wait' timed out after 200ms" },
    });
    assert.ok(abortedWith instanceof Error);
    const end = run.events.find((e) => e.type === "stage-end" && e.stage === "wait");
    assert.equal(end?.time, 200, "the task is stopped at the timeout");
  });

  it("ends CANCEL even when the task ignores its signal", async () => {
    const controller = new AbortController();
    let release: () => void = () => {};
    const stubborn = tag("v1", { alias: "stubborn" })(() =>
      new Promise<Record<string, unknown>>((resolve) => {
        release = () => resolve({});
        controller.abort();
      })
    );
    const run = await runStages(
      oneJob(`
        - name: Stubborn
          id: stubborn
          uses: g/stubborn@v1
      `),
      { engine: { registry: new Registry().register("g", [stubborn]) }, signal: controller.signal },
    );
    release();
    assert.equal(run.result.status, "CANCEL");
    assert.equal((run.stages.stubborn as { status: string }).status, "CANCEL");
  });
});
