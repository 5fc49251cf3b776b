/**
 * Two `workflow schedule` processes on one file audit folder and one run folder, a cron every
 * two seconds: one is killed with SIGKILL and restarted mid-way. Every tick is released exactly
 * once: one audit and one run per tick, and the schedulers that lose a claim say who won.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  kill,
  killReleaseInFlight,
  lines,
  schedulers,
  tickConf,
  waitForSchedulers,
} from "./_process.ts";

const TICK_MS = 2_000;

function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)
    );
}

describe(
  "two schedulers on one audit folder, one killed and restarted",
  { timeout: 90_000 },
  () => {
    it("releases every tick exactly once", async () => {
      const tick = tickConf("wf-sched2-");
      const { dir, marks } = tick;
      const env = {
        WORKFLOW_LOG_AUDIT_ENABLE_WRITE: "true",
        WORKFLOW_LOG_AUDIT_PATH: `${dir}/audits`,
        WORKFLOW_LOG_RUN_ENABLE_WRITE: "true",
        WORKFLOW_LOG_RUN_PATH: `${dir}/runs`,
      };
      const { started, schedule } = schedulers(tick.conf, env);
      try {
        // Both run until a stop ~20 s ahead, whatever their start-up took.
        const stopAt = Math.ceil((Date.now() + 20_000) / TICK_MS) * TICK_MS;
        const stop = new Date(stopAt).toISOString();
        const a = schedule(stop);
        const b = schedule(stop);
        await waitForSchedulers([a, b], 30_000);
        const firstTick = Date.now();
        // The scheduler holding a release in flight is killed: whichever of the two won that
        // tick's claim.
        const killed = await killReleaseInFlight(tick, [a, b], 16_000);
        const survivor = killed === a ? b : a;
        await new Promise((resolve) => setTimeout(resolve, 2 * TICK_MS));
        const again = schedule(stop);
        const codes = await Promise.all([survivor.exited, again.exited]);
        const out = started.map((p) => p.output()).join("\n---\n");
        assert.deepEqual(codes, [0, 0], out);

        // One audit per tick, and no tick left out from the first one to the stop.
        const audits = filesBelow(`${dir}/audits`).filter((file) => file.endsWith(".json"))
          .map((file) =>
            JSON.parse(readFileSync(file, "utf8")) as {
              release: string;
              run_id: string;
              status: string;
            }
          );
        const ticks = audits.map((audit) => Date.parse(audit.release)).sort((x, y) => x - y);
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
            `tick missing after ${new Date(ticks[i - 1]).toISOString()}\n${out}`,
          );
        }
        assert.ok(audits.every((audit) => audit.status === "SUCCESS"), out);

        // One run per tick: each audit's run, recorded once, ended SUCCESS.
        const runs = filesBelow(`${dir}/runs`).filter((file) => file.endsWith("run.json"))
          .map((file) =>
            JSON.parse(readFileSync(file, "utf8")) as {
              runId: string;
              state: string;
              status: string;
              release: { logicalDate: number };
            }
          );
        assert.equal(runs.length, ticks.length, out);
        assert.deepEqual(runs.map((run) => run.release.logicalDate).sort((x, y) => x - y), ticks);
        assert.ok(runs.every((run) => run.state === "ended" && run.status === "SUCCESS"), out);
        assert.deepEqual(
          new Set(audits.map((audit) => audit.run_id)),
          new Set(runs.map((run) => run.runId)),
        );
        // Every tick did its work once.
        const worked = lines(marks).map((line) => Date.parse(line)).sort((x, y) => x - y);
        assert.deepEqual(worked, ticks, out);

        // The restarted scheduler took the killed one's release over and finished it.
        assert.match(
          again.output(),
          /recovered run \S+ \(tick\) of \S+: resuming as attempt 2/,
          out,
        );
        assert.match(again.output(), /recovered run \S+ ended SUCCESS/, out);

        // The losers said who won (how many ticks each one lost depends on the machine's load:
        // a scheduler late to a tick finds it claimed, or still running and skips it for overlap).
        const lost = out.split("\n").filter((line) =>
          /skipped-claimed +tick @ .*: claimed by \S+:\d+$/.test(line)
        );
        assert.ok(lost.length >= 1, `no claim lost\n${out}`);
      } finally {
        for (const p of started) kill(p.child.pid!);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
