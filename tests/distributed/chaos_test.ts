/**
 * Chaos: 3 `workflow worker` processes on one PostgreSQL database run many queued runs of a
 * 3-job workflow while a killer SIGKILLs a random worker every 0.5–1 s and starts a new one.
 * Afterwards every run ended SUCCESS exactly once, no job whose completion was recorded ran
 * again (a trigger logs every checkpoint write: one SUCCESS per job), and nothing is left
 * queued or running. Stages append side-effect lines to a file: a line written twice is a
 * stage cut off by a kill after its side effect but before its job's checkpoint (at least
 * once). 60 runs by default so the test stays well under a minute on a loaded machine;
 * `WF_CHAOS_RUNS=300` runs the full size.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { openPostgres } from "../../src/runtime/postgres.ts";
import { type CliProcess, lines, startCli } from "../recovery/_process.ts";
import { setupQueue } from "./_queue.ts";

const RUNS = Number(process.env.WF_CHAOS_RUNS ?? 60);

it(`chaos: ${RUNS} runs, 3 workers, one SIGKILLed every 0.5–1 s: each run SUCCESS once, no recorded job runs again`, async () => {
  const queue = await setupQueue();
  const sql = await openPostgres(queue.db.url, { maxConnections: 1 });
  const workers: CliProcess[] = [];
  const args = ["worker", "--conf", `${queue.dir}/conf`, "--lease", "2", "--poll", "0.5"];
  const spawnWorker = () => workers.push(startCli(args, queue.env)) - 1;
  try {
    await sql.query(`CREATE TABLE checkpoint_log (run_id TEXT, job TEXT, status TEXT)`);
    await sql.query(`CREATE TABLE end_log (run_id TEXT, status TEXT)`);
    await sql.query(`CREATE FUNCTION log_checkpoint() RETURNS trigger AS $$ BEGIN
      INSERT INTO checkpoint_log VALUES (NEW.run_id, NEW.job, NEW.entry->>'status');
      RETURN NEW; END $$ LANGUAGE plpgsql`);
    await sql.query(`CREATE TRIGGER log_checkpoint AFTER INSERT OR UPDATE ON workflow_run_jobs
      FOR EACH ROW EXECUTE FUNCTION log_checkpoint()`);
    await sql.query(`CREATE FUNCTION log_end() RETURNS trigger AS $$ BEGIN
      INSERT INTO end_log VALUES (NEW.run_id, NEW.status); RETURN NEW; END $$ LANGUAGE plpgsql`);
    await sql.query(`CREATE TRIGGER log_end AFTER UPDATE ON workflow_runs FOR EACH ROW
      WHEN (OLD.state <> 'ended' AND NEW.state = 'ended') EXECUTE FUNCTION log_end()`);
    for (let i = 0; i < RUNS; i++) {
      await queue.enqueue("three", `chaos-${String(i).padStart(3, "0")}`, { n: String(i) });
    }
    const live = [spawnWorker(), spawnWorker(), spawnWorker()];
    const remaining = async () =>
      Number(
        (await sql.query(`SELECT count(*) AS n FROM workflow_runs WHERE state <> 'ended'`))[0].n,
      );
    let kills = 0;
    const chaosUntil = Date.now() + 20_000;
    while (Date.now() < chaosUntil && await remaining() > 0) {
      await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 500));
      const slot = Math.floor(Math.random() * live.length);
      const victim = workers[live[slot]];
      victim.child.kill("SIGKILL");
      await victim.exited;
      kills++;
      live[slot] = spawnWorker();
    }
    const deadline = Date.now() + 40_000;
    while (await remaining() > 0) {
      assert.ok(
        Date.now() < deadline,
        `runs left unfinished: ${await remaining()}\n${workers.at(-1)!.output()}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const records = await queue.store.list();
    assert.equal(records.length, RUNS);
    for (const record of records) {
      assert.equal(record.status, "SUCCESS", `${record.runId}: ${record.reason ?? ""}`);
      assert.deepEqual(Object.keys(record.jobs).sort(), ["first", "second", "third"]);
    }
    const ends = await sql.query(
      `SELECT run_id, count(*) AS n FROM end_log GROUP BY run_id HAVING count(*) <> 1`,
    );
    assert.deepEqual(ends, [], "every run ended exactly once");
    const recorded = await sql.query(
      `SELECT run_id, job, count(*) AS n FROM checkpoint_log WHERE status = 'SUCCESS'
        GROUP BY run_id, job HAVING count(*) <> 1`,
    );
    assert.deepEqual(recorded, [], "no job whose SUCCESS was recorded ran again");
    const takeovers = records.reduce((sum, record) => sum + record.attempt - 1, 0);
    const marks = lines(queue.marks);
    const repeated = marks.length - new Set(marks).size;
    for (let i = 0; i < RUNS; i++) {
      for (const job of ["first", "second", "third"]) {
        assert.ok(marks.includes(`${i} ${job}`), `side effect of run ${i} job ${job}`);
      }
    }
    console.log(
      `chaos: ${RUNS} runs, ${kills} kills, ${takeovers} takeovers (attempts beyond the first), ` +
        `${repeated} side effects repeated by a stage cut off before its checkpoint`,
    );
  } finally {
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.child.kill("SIGKILL");
        await worker.exited;
      }
    }
    await sql.close();
    await queue.dispose();
  }
});
