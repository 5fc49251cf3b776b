// The one contract every AuditStore passes. Imported by audit_store_test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AuditRecord, AuditStore } from "../../src/results/audit_store.ts";

import { type ContractOptions, type StoreHandle, withStoreFrom } from "./_helpers.ts";
/** A store under test; `reopen` (persistent stores) opens a second store on the same data. */
export type AuditStoreHandle = StoreHandle<AuditStore>;

const JAN_1 = Date.UTC(2024, 0, 1, 8, 30);
const MINUTE = 60_000;

/** An audit record with sensible defaults. */
export function audit(fields: Partial<AuditRecord> = {}): AuditRecord {
  return {
    workflow: "wf-daily",
    release: JAN_1,
    type: "normal",
    runId: "run-1",
    status: "SUCCESS",
    context: {
      params: { name: "x" },
      jobs: { first: { stages: { s1: { outputs: { n: 1, ok: true, list: [1, "a", null] } } } } },
    },
    durationMs: 125,
    createdAt: JAN_1 + 1_000,
    ...fields,
  };
}

/** Runs the AuditStore contract against stores made by `factory`. */
export function auditStoreContract(
  name: string,
  factory: () => Promise<AuditStoreHandle>,
  options: ContractOptions = {},
): void {
  const skip = options.skip ?? false;
  const withStore = withStoreFrom(factory);

  describe(`AuditStore contract: ${name}`, () => {
    it(
      "find() returns the record written for that workflow and release",
      { skip },
      withStore(async ({ store }) => {
        const record = audit({ parentRunId: "parent-9", type: "force", status: "FAILED" });
        await store.write(record);
        assert.deepEqual(await store.find("wf-daily", JAN_1), record);
      }),
    );

    it(
      "find() returns null and exists() false for a release never written",
      { skip },
      withStore(async ({ store }) => {
        await store.write(audit());
        assert.equal(await store.find("wf-daily", JAN_1 + MINUTE), null);
        assert.equal(await store.find("other", JAN_1), null);
        assert.equal(await store.exists("wf-daily", JAN_1 + MINUTE), false);
        assert.equal(await store.exists("wf-daily", JAN_1), true);
      }),
    );

    it(
      "find() tells apart releases within the same second",
      { skip },
      withStore(async ({ store }) => {
        await store.write(audit({ release: JAN_1 + 100, runId: "a" }));
        await store.write(audit({ release: JAN_1 + 900, runId: "b" }));
        assert.equal((await store.find("wf-daily", JAN_1 + 100))?.runId, "a");
        assert.equal((await store.find("wf-daily", JAN_1 + 900))?.runId, "b");
        assert.equal(await store.exists("wf-daily", JAN_1), false);
      }),
    );

    it(
      "find() returns the newest of several runs of one release",
      { skip },
      withStore(async ({ store }) => {
        await store.write(audit({ runId: "first", createdAt: JAN_1 + 1_000 }));
        await store.write(audit({ runId: "forced", type: "force", createdAt: JAN_1 + 5_000 }));
        await store.write(audit({ runId: "middle", createdAt: JAN_1 + 3_000 }));
        assert.equal((await store.find("wf-daily", JAN_1))?.runId, "forced");
        assert.equal((await store.list("wf-daily")).length, 3);
      }),
    );

    it(
      "write() with the same workflow, release and run id replaces the record",
      { skip },
      withStore(async ({ store }) => {
        await store.write(audit({ status: "WAIT" }));
        await store.write(audit({ status: "SUCCESS", durationMs: 999 }));
        const list = await store.list();
        assert.equal(list.length, 1);
        assert.equal(list[0].status, "SUCCESS");
        assert.equal(list[0].durationMs, 999);
      }),
    );

    it(
      "list() returns newest release first, filters by workflow, and pages",
      { skip },
      withStore(async ({ store }) => {
        for (let i = 0; i < 4; i++) {
          await store.write(audit({ release: JAN_1 + i * MINUTE, runId: `daily-${i}` }));
        }
        await store.write(
          audit({ workflow: "wf-hourly", release: JAN_1 + 90_000, runId: "hourly" }),
        );
        const ids = (records: AuditRecord[]) => records.map((r) => r.runId);
        assert.deepEqual(ids(await store.list()), [
          "daily-3",
          "daily-2",
          "hourly",
          "daily-1",
          "daily-0",
        ]);
        assert.deepEqual(ids(await store.list("wf-daily")), [
          "daily-3",
          "daily-2",
          "daily-1",
          "daily-0",
        ]);
        assert.deepEqual(ids(await store.list("wf-daily", { limit: 2, offset: 1 })), [
          "daily-2",
          "daily-1",
        ]);
        assert.deepEqual(ids(await store.list(undefined, { limit: 3 })), [
          "daily-3",
          "daily-2",
          "hourly",
        ]);
        assert.deepEqual(await store.list("nobody"), []);
      }),
    );

    it(
      "listWorkflows() names each workflow with records once, sorted",
      { skip },
      withStore(async ({ store }) => {
        assert.deepEqual(await store.listWorkflows(), []);
        await store.write(audit({ workflow: "zeta" }));
        await store.write(audit({ workflow: "alpha", runId: "a1" }));
        await store.write(audit({ workflow: "alpha", runId: "a2", release: JAN_1 + MINUTE }));
        assert.deepEqual(await store.listWorkflows(), ["alpha", "zeta"]);
      }),
    );

    it(
      "workflow names and run ids with slashes, spaces and dots round-trip",
      { skip },
      withStore(async ({ store }) => {
        const record = audit({ workflow: "team/etl daily..v2", runId: "../run id/1" });
        await store.write(record);
        assert.deepEqual(await store.find("team/etl daily..v2", JAN_1), record);
        assert.deepEqual(await store.listWorkflows(), ["team/etl daily..v2"]);
      }),
    );

    it(
      "cleanup() removes records written before olderThan and returns how many",
      { skip },
      withStore(async ({ store }) => {
        await store.write(audit({ runId: "old-1", createdAt: 1_000 }));
        await store.write(audit({ runId: "old-2", release: JAN_1 + MINUTE, createdAt: 2_000 }));
        await store.write(audit({ runId: "new", release: JAN_1 + 2 * MINUTE, createdAt: 9_000 }));
        assert.equal(await store.cleanup({ olderThan: 5_000 }), 2);
        assert.equal(await store.exists("wf-daily", JAN_1), false);
        assert.equal(await store.exists("wf-daily", JAN_1 + MINUTE), false);
        assert.deepEqual((await store.list()).map((r) => r.runId), ["new"]);
        assert.equal(await store.cleanup({ olderThan: 5_000 }), 0);
      }),
    );

    it(
      "records returned are copies: changing one does not change the store",
      { skip },
      withStore(async ({ store }) => {
        const record = audit();
        await store.write(record);
        (record.context.params as Record<string, unknown>).name = "changed";
        const found = await store.find("wf-daily", JAN_1);
        assert.deepEqual(found?.context.params, { name: "x" });
        (found?.context.params as Record<string, unknown>).name = "changed again";
        assert.deepEqual((await store.find("wf-daily", JAN_1))?.context.params, { name: "x" });
      }),
    );

    it(
      "claim() has exactly one winner per (workflow, release); losers learn the owner",
      { skip },
      withStore(async ({ store }) => {
        const owners = ["host-a:1", "host-a:2", "host-b:3", "host-b:4"];
        const claims = await Promise.all(owners.map((o) => store.claim("wf-daily", JAN_1, o)));
        const winners = owners.filter((_, i) => claims[i].won);
        assert.equal(winners.length, 1);
        for (const claim of claims) {
          if (!claim.won) assert.equal(claim.owner, winners[0]);
        }
        assert.deepEqual(await store.claim("wf-daily", JAN_1, winners[0]), {
          won: false,
          owner: winners[0],
        }, "a second claim loses, even by the same owner");
        assert.deepEqual(await store.claim("wf-daily", JAN_1 + MINUTE, "host-b:3"), { won: true });
        assert.deepEqual(await store.claim("wf-other", JAN_1, "host-b:3"), { won: true });
        assert.equal(await store.exists("wf-daily", JAN_1), false, "a claim is not a record");
        assert.deepEqual(await store.list(), []);
        assert.deepEqual(await store.listWorkflows(), []);
      }),
    );

    it(
      "cleanup() keeps the claim of a release while a record of it is left",
      { skip },
      withStore(async ({ store }) => {
        await store.claim("wf-daily", JAN_1, "a");
        await store.write(audit({ createdAt: JAN_1 + 10 * MINUTE }));
        await store.claim("wf-daily", JAN_1 + MINUTE, "a");
        assert.equal(await store.cleanup({ olderThan: JAN_1 + 5 * MINUTE }), 0);
        assert.deepEqual(await store.claim("wf-daily", JAN_1, "b"), { won: false, owner: "a" });
        assert.deepEqual(
          await store.claim("wf-daily", JAN_1 + MINUTE, "b"),
          { won: true },
          "an old claim with no record is dropped",
        );
      }),
    );

    if (!options.persistent) return;
    it(
      "a claim outlives the store: a store reopened on the same data still refuses it",
      { skip },
      withStore(async ({ store, reopen }) => {
        assert.ok(reopen, "a persistent store's factory gives reopen()");
        assert.deepEqual(await store.claim("wf-daily", JAN_1, "first"), { won: true });
        await store.close();
        const again = await reopen();
        try {
          assert.deepEqual(await again.claim("wf-daily", JAN_1, "second"), {
            won: false,
            owner: "first",
          });
          assert.deepEqual(await again.list(), [], "a claim lists no audit");
        } finally {
          await again.close();
        }
      }),
    );

    it(
      "records written before close() can be read by a store reopened on the same data",
      { skip },
      withStore(async ({ store, reopen }) => {
        assert.ok(reopen, "a persistent store's factory gives reopen()");
        const record = audit();
        await store.write(record);
        await store.claim("wf-daily", JAN_1 + MINUTE, "a");
        await store.close();
        const again = await reopen();
        try {
          assert.deepEqual(await again.find("wf-daily", JAN_1), record);
          assert.deepEqual(await again.claim("wf-daily", JAN_1 + MINUTE, "b"), {
            won: false,
            owner: "a",
          });
        } finally {
          await again.close();
        }
      }),
    );
  });
}
