import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { onDemandJsRunner } from "../../src/worker/on_demand.ts";
import type { JsRunner } from "../../src/stages/types.ts";

/** A stand-in runner that records what is done with it and its sessions. */
function recordingRunner(log: string[]): JsRunner {
  let sessions = 0;
  return {
    run: (job) => {
      log.push(`run ${job.code}`);
      return Promise.resolve({ code: job.code });
    },
    session: () => {
      const id = ++sessions;
      log.push(`open session ${id}`);
      return {
        run: (job) => {
          log.push(`session ${id} runs ${job.code}`);
          return Promise.resolve({ code: job.code, session: id });
        },
        close: () => {
          log.push(`close session ${id}`);
          return Promise.resolve();
        },
      };
    },
    close: () => {
      log.push("close runner");
      return Promise.resolve();
    },
  };
}

const job = (code: string) => ({ code, vars: {}, context: {} });

describe("onDemandJsRunner()", () => {
  it("loads nothing when nothing runs, sessions and close included", async () => {
    const log: string[] = [];
    const runner = onDemandJsRunner(() => {
      log.push("load");
      return Promise.resolve(recordingRunner(log));
    });
    const session = runner.session!();
    await session.close();
    await runner.close();
    assert.deepEqual(log, []);
  });

  it("loads once for every run and session, and closes what it opened", async () => {
    const log: string[] = [];
    const runner = onDemandJsRunner(() => {
      log.push("load");
      return Promise.resolve(recordingRunner(log));
    });
    const first = runner.session!();
    const second = runner.session!();
    const outputs = await Promise.all([
      first.run(job("a"), {}),
      first.run(job("b"), {}),
      second.run(job("c"), {}),
      runner.run(job("d"), {}),
    ]);
    assert.deepEqual(outputs, [
      { code: "a", session: 1 },
      { code: "b", session: 1 },
      { code: "c", session: 2 },
      { code: "d" },
    ]);
    await first.close();
    await second.close();
    await runner.close();
    assert.equal(log.filter((line) => line === "load").length, 1);
    assert.deepEqual(log.filter((line) => line.startsWith("close")), [
      "close session 1",
      "close session 2",
      "close runner",
    ]);
  });

  it("a runner that fails to load fails each run with its error; closing still ends quietly", async () => {
    let loads = 0;
    const runner = onDemandJsRunner(() => {
      loads++;
      return Promise.reject(new Error("worker pool unavailable"));
    });
    const session = runner.session!();
    await assert.rejects(session.run(job("a"), {}), /worker pool unavailable/);
    await assert.rejects(runner.run(job("b"), {}), /worker pool unavailable/);
    await session.close();
    await runner.close();
    assert.equal(loads, 1);
  });
});
