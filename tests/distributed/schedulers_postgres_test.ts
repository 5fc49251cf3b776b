/**
 * Three `workflow schedule` processes on one PostgreSQL database (WORKFLOW_STORE_URL: audits,
 * release claims and run records), a cron every two seconds: one is killed with SIGKILL and
 * restarted mid-way. Every tick is released exactly once: one audit, one run record and one
 * side effect per tick.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import {
  kill,
  killReleaseInFlight,
  lines,
  schedulers,
  tickConf,
  waitForSchedulers,
} from "../recovery/_process.ts";
import { testDatabase } from "../_postgres.ts";
import { openPostgres } from "../../src/runtime/postgres.ts";

const TICK_MS = 2_000;

describe(
  "three schedulers on one PostgreSQL database, one killed and restarted",
  { timeout: 90_000 },
  () => {
    it("releases every tick exactly once", async () => {
      const tick = tickConf("wf-sched3-");
      const { dir, marks } = tick;
      const db = await testDatabase();
      const { started, schedule } = schedulers(tick.conf, { WORKFLOW_STORE_URL: db.url });
      const sql = await openPostgres(db.url, { maxConnections: 1 });
      try {
        const stopAt = Math.ceil((Date.now() + 22_000) / TICK_MS) * TICK_MS;
        const stop = new Date(stopAt).toISOString();
        const [a, b, c] = [schedule(stop), schedule(stop), schedule(stop)];
        await waitForSchedulers([a, b, c], 40_000);
        const firstTick = Date.now();
        // Whichever scheduler wins the ticks is killed while one of its releases runs.
        const killed = await killReleaseInFlight(tick, [a, b, c], 16_000);
        await new Promise((resolve) => setTimeout(resolve, TICK_MS));
        const again = schedule(stop);
        const codes = await Promise.all(
          [a, b, c].filter((p) => p !== killed).map((p) => p.exited).concat(again.exited),
        );
        const out = started.map((p) => p.output()).join("\n---\n");
        assert.deepEqual(codes, [0, 0, 0], out);

        const audits = await sql.query(
          `SELECT release, run_id, status FROM workflow_audits ORDER BY release`,
        );
        const ticks = audits.map((row) => Number(row.release));
        assert.equal(new Set(ticks).size, ticks.length, `a tick audited twice\n${out}`);
        assert.ok(ticks.length >= 5, `only ${ticks.length} ticks\n${out}`);
        assert.ok(
          ticks[0] <= firstTick + TICK_MS,
          `first tick ${new Date(ticks[0]).toISOString()}`,
        );
        assert.equal(ticks.at(-1), stopAt, out);
        for (let i = 1; i < ticks.length; i++) {
          assert.equal(
            ticks[i] - ticks[i - 1],
            TICK_MS,
            `tick missing after ${ticks[i - 1]}\n${out}`,
          );
        }
        assert.ok(audits.every((row) => row.status === "SUCCESS"), out);
        const claims = await sql.query(`SELECT release FROM workflow_release_claims`);
        assert.equal(claims.length, ticks.length, "one claim per tick");
        const runs = await sql.query(
          `SELECT run_id, state, status, (release::jsonb->>'logicalDate')::bigint AS at
            FROM workflow_runs ORDER BY at`,
        );
        assert.deepEqual(runs.map((row) => Number(row.at)), ticks, out);
        assert.ok(runs.every((row) => row.state === "ended" && row.status === "SUCCESS"), out);
        assert.deepEqual(
          new Set(audits.map((row) => String(row.run_id))),
          new Set(runs.map((row) => String(row.run_id))),
        );
        const worked = lines(marks).map((line) => Date.parse(line)).sort((x, y) => x - y);
        assert.deepEqual(worked, ticks, out);
        assert.match(
          again.output(),
          /recovered run \S+ \(tick\) of \S+: resuming as attempt 2/,
          out,
        );
      } finally {
        for (const p of started) kill(p.child.pid!);
        await sql.close();
        await db.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
