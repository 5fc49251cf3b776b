import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { readFileSync } from "node:fs";
import {
  createMemoryRuntime,
  detectRuntime,
  FakeProcessTable,
  hostName,
} from "../../src/runtime/mod.ts";
import { createWebRuntime } from "../../src/runtime/web.ts";
import type { Clock, Runtime, SpawnOptions, WorkerLike } from "../../src/runtime/types.ts";
import { FileExistsError } from "../../src/errors.ts";

interface Subject {
  readonly label: string;
  make(): Promise<{ runtime: Runtime; base: string; cleanup(): Promise<void> }>;
}

const subjects: Subject[] = [
  {
    label: `detected (${hostName()})`,
    async make() {
      const base = (await mkdtemp(`${tmpdir()}/wf-runtime-`)).replaceAll("\\", "/");
      return {
        runtime: detectRuntime(),
        base,
        cleanup: () => rm(base, { recursive: true, force: true }),
      };
    },
  },
  {
    label: "memory",
    make() {
      const runtime = createMemoryRuntime({ cwd: "/app" });
      return Promise.resolve({
        runtime,
        base: "/app/work",
        cleanup: () => Promise.resolve(),
      });
    },
  },
];

for (const subject of subjects) {
  describe(`Runtime fs contract: ${subject.label}`, () => {
    it("writeText() then readText() round-trips UTF-8 text, creating folders when asked", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        await runtime.fs.writeText(`${base}/a/b/c.txt`, "héllo ✓", { createDirs: true });
        assert.equal(await runtime.fs.readText(`${base}/a/b/c.txt`), "héllo ✓");
      } finally {
        await cleanup();
      }
    });

    it("writeText() without createDirs rejects when the folder is missing", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        await assert.rejects(runtime.fs.writeText(`${base}/missing/x.txt`, "x"));
      } finally {
        await cleanup();
      }
    });

    it("writeText() appends with append and replaces atomically with atomic", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        await runtime.fs.mkdir(base);
        const file = `${base}/log.txt`;
        await runtime.fs.writeText(file, "one\n");
        await runtime.fs.writeText(file, "two\n", { append: true });
        assert.equal(await runtime.fs.readText(file), "one\ntwo\n");
        await runtime.fs.writeText(file, "fresh", { atomic: true });
        assert.equal(await runtime.fs.readText(file), "fresh");
        assert.deepEqual(await runtime.fs.listFiles(base), [file], "no temp file is left behind");
      } finally {
        await cleanup();
      }
    });

    it("writeText() with exclusive lets exactly one of racing writers create the file", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        const file = `${base}/claims/one`;
        const outcomes = await Promise.allSettled(
          ["a", "b", "c", "d"].map((who) =>
            runtime.fs.writeText(file, who, { exclusive: true, createDirs: true })
          ),
        );
        const won = outcomes.flatMap((o, i) => o.status === "fulfilled" ? ["abcd"[i]] : []);
        assert.equal(won.length, 1);
        for (const outcome of outcomes) {
          if (outcome.status === "rejected") {
            assert.ok(outcome.reason instanceof FileExistsError, String(outcome.reason));
            assert.match(outcome.reason.message, /claims\/one' exists already/);
          }
        }
        assert.equal(await runtime.fs.readText(file), won[0], "the winner's content, whole");
        assert.deepEqual(await runtime.fs.listFiles(`${base}/claims`), [file], "no temp files");
      } finally {
        await cleanup();
      }
    });

    it("readText() of a missing file rejects with a message naming the path", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        await assert.rejects(runtime.fs.readText(`${base}/nope.yml`), /nope\.yml/);
      } finally {
        await cleanup();
      }
    });

    it("listFiles() lists nested and hidden files recursively, sorted, under the given dir", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        for (const name of ["z.yml", "a/b.yml", "a/.hidden/c.yml", ".confignore"]) {
          await runtime.fs.writeText(`${base}/${name}`, name, { createDirs: true });
        }
        assert.deepEqual(await runtime.fs.listFiles(base), [
          `${base}/.confignore`,
          `${base}/a/.hidden/c.yml`,
          `${base}/a/b.yml`,
          `${base}/z.yml`,
        ]);
        await assert.rejects(runtime.fs.listFiles(`${base}/none`));
      } finally {
        await cleanup();
      }
    });

    it("readDir() lists direct entries by name with their kind", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        await runtime.fs.writeText(`${base}/sub/x.txt`, "x", { createDirs: true });
        await runtime.fs.writeText(`${base}/b.txt`, "b");
        assert.deepEqual(await runtime.fs.readDir(base), [
          { name: "b.txt", isDirectory: false },
          { name: "sub", isDirectory: true },
        ]);
      } finally {
        await cleanup();
      }
    });

    it("stat() describes files and folders and returns null for missing paths", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        await runtime.fs.writeText(`${base}/f.txt`, "abc", { createDirs: true });
        const file = await runtime.fs.stat(`${base}/f.txt`);
        assert.equal(file?.isFile, true);
        assert.equal(file?.size, 3);
        assert.equal(typeof file?.mtimeMs, "number");
        assert.equal((await runtime.fs.stat(base))?.isDirectory, true);
        assert.equal(await runtime.fs.stat(`${base}/missing`), null);
        assert.equal(await runtime.fs.stat(`${base}/f.txt/below`), null);
      } finally {
        await cleanup();
      }
    });

    it("remove() deletes a folder tree and ignores missing paths", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        await runtime.fs.writeText(`${base}/t/a/b.txt`, "b", { createDirs: true });
        await runtime.fs.remove(`${base}/t`);
        assert.equal(await runtime.fs.stat(`${base}/t`), null);
        assert.equal(await runtime.fs.stat(`${base}/t/a/b.txt`), null);
        await runtime.fs.remove(`${base}/t`);
      } finally {
        await cleanup();
      }
    });

    it("rename() moves a file over an existing target", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        await runtime.fs.writeText(`${base}/from.txt`, "new", { createDirs: true });
        await runtime.fs.writeText(`${base}/to.txt`, "old");
        await runtime.fs.rename(`${base}/from.txt`, `${base}/to.txt`);
        assert.equal(await runtime.fs.readText(`${base}/to.txt`), "new");
        assert.equal(await runtime.fs.stat(`${base}/from.txt`), null);
      } finally {
        await cleanup();
      }
    });

    it("watch() reports a file changed in a sub-folder, and stops when its signal aborts", async () => {
      const { runtime, base, cleanup } = await subject.make();
      const stop = new AbortController();
      try {
        assert.ok(runtime.fs.watch, "this runtime's fs can watch");
        await runtime.fs.writeText(`${base}/conf/sub/a.yml`, "a: 1", { createDirs: true });
        const seen: string[] = [];
        let notified!: () => void;
        const changed = new Promise<void>((resolve) => notified = resolve);
        const watching = runtime.fs.watch(`${base}/conf`, (path) => {
          seen.push(path);
          if (path.endsWith("sub/a.yml")) notified();
        }, { signal: stop.signal, pollMs: 20 });
        // A host watcher starts asynchronously: write until it reports (the test's own
        // timeout bounds this, nothing here is timed).
        let done = false;
        changed.then(() => done = true);
        for (let i = 0; !done; i++) {
          await runtime.fs.writeText(`${base}/conf/sub/a.yml`, `a: ${i}`);
          await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, 50))]);
        }
        assert.ok(seen.every((path) => path.startsWith(`${base}/conf/`)), seen.join(", "));
        stop.abort();
        await watching;
      } finally {
        stop.abort();
        await cleanup();
      }
    });

    it("watch() rejects for a folder that does not exist", async () => {
      const { runtime, base, cleanup } = await subject.make();
      try {
        await assert.rejects(runtime.fs.watch!(`${base}/nope`, () => {}));
      } finally {
        await cleanup();
      }
    });

    it("cwd() is an absolute path with / separators", async () => {
      const { runtime, cleanup } = await subject.make();
      try {
        assert.ok(runtime.cwd().startsWith("/"), runtime.cwd());
        assert.ok(!runtime.cwd().includes("\\"));
      } finally {
        await cleanup();
      }
    });
  });
}

interface ClockSubject {
  readonly label: string;
  /** The clock under test and a way to let `ms` of its time pass. */
  make(): { clock: Clock; pass(ms: number): Promise<void> };
}

const realPass = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const clockSubjects: ClockSubject[] = [
  {
    label: `detected (${hostName()})`,
    make: () => ({ clock: detectRuntime().clock, pass: realPass }),
  },
  { label: "web", make: () => ({ clock: createWebRuntime().clock, pass: realPass }) },
  {
    label: "memory",
    make() {
      const { clock } = createMemoryRuntime({ now: Date.UTC(2024, 0, 1) });
      return { clock, pass: (ms) => clock.advance(ms) };
    },
  },
];

for (const subject of clockSubjects) {
  describe(`Runtime clock contract: ${subject.label}`, () => {
    it("now() is epoch ms, and now() and monotonic() move forward as time passes", async () => {
      const { clock, pass } = subject.make();
      const wall = clock.now();
      const mono = clock.monotonic();
      assert.ok(Number.isFinite(wall) && wall > Date.UTC(2000, 0, 1), String(wall));
      await pass(20);
      assert.ok(clock.now() >= wall, "the wall clock did not go back");
      assert.ok(clock.monotonic() > mono, "the monotonic clock moved on");
    });

    it("sleep() resolves once its time has passed, and sleep(0) or a negative one at once", async () => {
      const { clock, pass } = subject.make();
      let woke = false;
      const sleeping = clock.sleep(30).then(() => (woke = true));
      await Promise.resolve();
      assert.equal(woke, false, "a sleep does not resolve before its time");
      await pass(60);
      await sleeping;
      assert.equal(woke, true);
      const zero = clock.sleep(0);
      const negative = clock.sleep(-5);
      await pass(0);
      await Promise.all([zero, negative]);
    });

    it("sleeps wake in the order of their deadlines", async () => {
      const { clock, pass } = subject.make();
      const woke: number[] = [];
      const all = [60, 5, 30].map((ms) => clock.sleep(ms).then(() => woke.push(ms)));
      await pass(100);
      await Promise.all(all);
      assert.deepEqual(woke, [5, 30, 60]);
    });

    it("sleep() rejects with the signal's reason on abort, and at once when already aborted", async () => {
      const { clock, pass } = subject.make();
      const controller = new AbortController();
      const sleeping = clock.sleep(60_000, { signal: controller.signal });
      controller.abort(new Error("stop sleeping"));
      await assert.rejects(sleeping, /stop sleeping/);
      await assert.rejects(clock.sleep(10, { signal: controller.signal }), /stop sleeping/);
      // A signal that does not abort leaves the sleep to end on time.
      const calm = new AbortController();
      const calmSleep = clock.sleep(5, { signal: calm.signal });
      await pass(20);
      await calmSleep;
    });

    it("timeout() returns a signal that aborts with a TimeoutError once its time has passed", async () => {
      const { clock, pass } = subject.make();
      const signal = clock.timeout(20);
      assert.equal(signal.aborted, false, "not before its time");
      // The timeout alone does not keep the process alive (like AbortSignal.timeout), so pass
      // time with something that does.
      await pass(100);
      assert.equal(signal.aborted, true);
      assert.equal((signal.reason as DOMException).name, "TimeoutError");
    });
  });
}

describe("Runtime clock: detected runtime", () => {
  it("now() reads the wall clock", () => {
    assert.ok(Math.abs(detectRuntime().clock.now() - Date.now()) < 1000);
  });
});

describe("FakeClock of the memory runtime: time moves only when driven", () => {
  it("starts at the given time and only moves when advanced", async () => {
    const runtime = createMemoryRuntime({ now: 1_000 });
    assert.equal(runtime.clock.now(), 1_000);
    await runtime.clock.advance(500);
    assert.equal(runtime.clock.now(), 1_500);
    assert.equal(runtime.clock.monotonic(), 500);
  });

  it("fires sleeping timers in time order as the clock advances", async () => {
    const { clock } = createMemoryRuntime();
    const fired: string[] = [];
    void clock.sleep(300).then(() => fired.push(`300@${clock.now()}`));
    void clock.sleep(100).then(() => fired.push(`100@${clock.now()}`));
    void clock.sleep(200).then(() => fired.push(`200@${clock.now()}`));
    await clock.advance(150);
    assert.deepEqual(fired, ["100@100"]);
    await clock.advance(1_000);
    assert.deepEqual(fired, ["100@100", "200@200", "300@300"]);
    assert.equal(clock.now(), 1_150);
  });

  it("wakes chained sleeps inside one advance", async () => {
    const { clock } = createMemoryRuntime();
    const ticks: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(60_000);
        ticks.push(clock.now());
      }
    })();
    await clock.advance(180_000);
    await loop;
    assert.deepEqual(ticks, [60_000, 120_000, 180_000]);
  });

  it("set() jumps forward firing due timers, and runUntilIdle() drains every timer", async () => {
    const { clock } = createMemoryRuntime({ now: 0 });
    let woke = false;
    void clock.sleep(10_000).then(() => (woke = true));
    await clock.set(10_000);
    assert.equal(woke, true);
    const late = clock.sleep(99_999);
    await clock.runUntilIdle();
    await late;
    assert.equal(clock.pendingTimers, 0);
  });

  it("sleep() rejects with the reason on abort and timeout() aborts with a TimeoutError", async () => {
    const { clock } = createMemoryRuntime();
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, { signal: controller.signal });
    controller.abort(new Error("cancelled"));
    await assert.rejects(sleeping, /cancelled/);
    const signal = clock.timeout(50);
    await clock.advance(49);
    assert.equal(signal.aborted, false);
    await clock.advance(1);
    assert.equal((signal.reason as DOMException).name, "TimeoutError");
  });
});

describe("Runtime env contract", () => {
  it("the detected runtime reads the process environment", () => {
    const env = detectRuntime().env;
    const path = env.get("PATH");
    assert.equal(typeof path, "string");
    assert.equal(env.toObject().PATH, path);
    assert.equal(env.get("WF_SURELY_NOT_SET_123"), undefined);
  });

  it("the memory runtime reads only the given variables, as a copy", () => {
    const runtime = createMemoryRuntime({ env: { A: "1" } });
    assert.equal(runtime.env.get("A"), "1");
    assert.equal(runtime.env.get("PATH"), undefined);
    const copy = runtime.env.toObject();
    copy.A = "changed";
    assert.equal(runtime.env.get("A"), "1");
  });
});

function processIsGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // A zombie waiting for init to reap it is dead too.
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

describe(`Runtime spawn contract: detected (${hostName()})`, () => {
  const { spawn } = detectRuntime().spawn;

  it("spawn() captures stdout, stderr and the exit code without a shell", async () => {
    const result = await spawn(["sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert.equal(result.code, 3);
    assert.equal(result.signal, null);
    assert.equal(result.stdout, "out\n");
    assert.equal(result.stderr, "err\n");
    const literal = await spawn(["echo", "$HOME", "*"]);
    assert.equal(literal.stdout, "$HOME *\n");
  });

  it("spawn() of a child ended by a signal reports the signal and no exit code", async () => {
    const result = await spawn(["sh", "-c", "echo before; kill -TERM $$; echo after"]);
    assert.equal(result.code, null);
    assert.equal(result.signal, "SIGTERM");
    assert.equal(result.stdout, "before\n");
  });

  it("spawn() leaves out the inherited variables named in unsetEnv, unless env sets them", async () => {
    assert.ok(detectRuntime().env.get("HOME"), "this test needs HOME in the environment");
    const result = await spawn(
      ["sh", "-c", 'echo "${HOME:-no-home}|$WF_TEST_VAR|${PATH:+has-path}"'],
      { unsetEnv: ["HOME", "WF_TEST_VAR"], env: { WF_TEST_VAR: "set" } },
    );
    assert.equal(result.stdout, "no-home|set|has-path\n");
  });

  it("spawn() merges env over the parent environment and honours cwd and stdin", async () => {
    const cwd = (await mkdtemp(`${tmpdir()}/wf-spawn-`)).replaceAll("\\", "/");
    try {
      const result = await spawn(
        ["sh", "-c", 'echo "$WF_TEST_VAR|${PATH:+has-path}|$(pwd)"; cat'],
        { env: { WF_TEST_VAR: "v1" }, cwd, stdin: "from stdin" },
      );
      const [line, rest] = result.stdout.split("\n");
      const [value, hasPath, dir] = line.split("|");
      assert.equal(value, "v1");
      assert.equal(hasPath, "has-path");
      assert.ok(dir.endsWith(cwd.slice(cwd.lastIndexOf("/"))), dir);
      assert.equal(rest, "from stdin");
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it("spawn() keeps the head or the tail of long output and counts the dropped bytes", async () => {
    const script = "for i in 0 1 2 3 4 5 6 7 8 9; do printf '%s' $i; done";
    const head = await spawn(["sh", "-c", script], { maxOutputBytes: 4 });
    assert.equal(head.stdout, "0123");
    assert.equal(head.stdoutDropped, 6);
    const tail = await spawn(["sh", "-c", script], { maxOutputBytes: 4, keep: "tail" });
    assert.equal(tail.stdout, "6789");
    assert.equal(tail.stdoutDropped, 6);
  });

  it("spawn() streams chunks to onStdout and onStderr as they arrive", async () => {
    const out: string[] = [];
    const err: string[] = [];
    await spawn(["sh", "-c", "echo a; echo b >&2; echo c"], {
      onStdout: (chunk) => out.push(chunk),
      onStderr: (chunk) => err.push(chunk),
    });
    assert.equal(out.join(""), "a\nc\n");
    assert.equal(err.join(""), "b\n");
  });

  it("spawn() of a missing program rejects with an error naming it", async () => {
    await assert.rejects(
      spawn(["wf-no-such-program-xyz", "--help"]),
      /wf-no-such-program-xyz/,
    );
  });

  it("aborting spawn() kills the whole process group and rejects with the signal's reason", async () => {
    const controller = new AbortController();
    const pids: number[] = [];
    let printed = "";
    const running = spawn(["sh", "-c", "sleep 100 & echo $!; sleep 100 & echo $!; wait"], {
      signal: controller.signal,
      onStdout: (chunk) => {
        printed += chunk;
        const lines = printed.trim().split("\n").filter(Boolean);
        if (lines.length >= 2 && pids.length === 0) {
          pids.push(...lines.map(Number));
          controller.abort(new Error("stop the shell"));
        }
      },
    });
    await assert.rejects(running, /stop the shell/);
    assert.equal(pids.length, 2);
    for (let i = 0; i < 50 && !pids.every(processIsGone); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(pids.filter((pid) => !processIsGone(pid)), [], "grandchildren are gone");
  });

  it("spawn() with an already aborted signal rejects without starting", async () => {
    const controller = new AbortController();
    controller.abort(new Error("too late"));
    await assert.rejects(spawn(["echo", "x"], { signal: controller.signal }), /too late/);
  });

  it("open() keeps a child running for a conversation over stdin and stdout", async () => {
    const open = detectRuntime().spawn.open!;
    let out = "";
    let err = "";
    let answered = () => {};
    const child = await open(
      ["sh", "-c", 'while read line; do echo "got $line"; echo "log $line" >&2; done'],
      {
        env: { WF_OPEN_TEST: "x" },
        // stdout and stderr are separate pipes: wait for both answers on both.
        onStdout: (chunk) => {
          out += chunk;
          if (out.split("\n").length > 2 && err.split("\n").length > 2) answered();
        },
        onStderr: (chunk) => {
          err += chunk;
          if (out.split("\n").length > 2 && err.split("\n").length > 2) answered();
        },
      },
    );
    const twoAnswers = new Promise<void>((resolve) => (answered = resolve));
    await child.write("one\n");
    await child.write("two\n");
    await twoAnswers;
    assert.equal(out, "got one\ngot two\n");
    child.kill();
    const exit = await child.exited;
    assert.equal(exit.signal, "SIGKILL");
    assert.match(err, /log one\nlog two\n/);
    await assert.rejects(child.write("three\n"));
  });

  it("open() kills the child's whole process group", async () => {
    const open = detectRuntime().spawn.open!;
    let printed = "";
    let started = () => {};
    const both = new Promise<void>((resolve) => (started = resolve));
    const child = await open(["sh", "-c", "sleep 100 & echo $!; sleep 100 & echo $!; wait"], {
      onStdout: (chunk) => {
        printed += chunk;
        if (printed.trim().split("\n").length >= 2) started();
      },
    });
    await both;
    const pids = printed.trim().split("\n").map(Number);
    child.kill();
    await child.exited;
    for (let i = 0; i < 50 && !pids.every(processIsGone); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(pids.filter((pid) => !processIsGone(pid)), [], "grandchildren are gone");
  });

  it("open() of a missing program rejects with an error naming it", async () => {
    const open = detectRuntime().spawn.open!;
    await assert.rejects(open(["wf-no-such-program-xyz"]), /wf-no-such-program-xyz/);
  });
});

describe("Runtime spawn and workers: memory runtime", () => {
  it("spawn() rejects with an UnsupportedError unless a handler is given", async () => {
    const bare = createMemoryRuntime();
    await assert.rejects(bare.spawn.spawn(["echo", "hi"]), {
      name: "UnsupportedError",
      message: /cannot run "echo"/,
    });
    const handled = createMemoryRuntime({
      spawn: (command) =>
        Promise.resolve({
          code: 0,
          signal: null,
          stdout: command.join(" "),
          stderr: "",
          stdoutDropped: 0,
          stderrDropped: 0,
        }),
    });
    assert.equal((await handled.spawn.spawn(["echo", "hi"])).stdout, "echo hi");
  });

  it("spawn() hands the command, cwd, env, stdin and signal to its handler and returns its exit code and output", async () => {
    const seen: { command: readonly string[]; options?: SpawnOptions }[] = [];
    const runtime = createMemoryRuntime({
      spawn(command, options) {
        seen.push({ command, options });
        return Promise.resolve({
          code: 3,
          signal: null,
          stdout: `${options?.env?.WHO ?? ""} in ${options?.cwd ?? ""}\n`,
          stderr: `stdin: ${options?.stdin ?? ""}\n`,
          stdoutDropped: 0,
          stderrDropped: 0,
        });
      },
    });
    assert.equal(runtime.capabilities?.subprocesses, true);
    assert.equal(createMemoryRuntime().capabilities?.subprocesses, false);
    const controller = new AbortController();
    const result = await runtime.spawn.spawn(["sh", "-c", "exit 3"], {
      cwd: "/app/work",
      env: { WHO: "ann" },
      stdin: "hi",
      signal: controller.signal,
    });
    assert.deepEqual(
      { code: result.code, stdout: result.stdout, stderr: result.stderr },
      { code: 3, stdout: "ann in /app/work\n", stderr: "stdin: hi\n" },
    );
    assert.deepEqual(seen[0].command, ["sh", "-c", "exit 3"]);
    assert.equal(seen[0].options?.signal, controller.signal);
  });

  it("aborting spawn() reaches its handler, which ends the child and rejects with the signal's reason", async () => {
    let killed = false;
    const runtime = createMemoryRuntime({
      // A child that runs until it is killed through the signal, as a host child would.
      spawn: (_command, options) =>
        new Promise((_, reject) => {
          options?.signal?.addEventListener("abort", () => {
            killed = true;
            reject(options.signal!.reason);
          });
        }),
    });
    const controller = new AbortController();
    const running = runtime.spawn.spawn(["sleep", "100"], { signal: controller.signal });
    controller.abort(new Error("stop the child"));
    await assert.rejects(running, /stop the child/);
    assert.equal(killed, true);
  });

  it("open() rejects with an UnsupportedError unless a handler is given", async () => {
    await assert.rejects(createMemoryRuntime().spawn.open!(["python3"]), {
      name: "UnsupportedError",
      message: /cannot run "python3"/,
    });
  });

  it("workers.create() throws an UnsupportedError unless a factory is given", () => {
    const runtime = createMemoryRuntime();
    assert.throws(() => runtime.workers.create(new URL("file:///w.js")), {
      name: "UnsupportedError",
    });
  });

  it("initial files resolve against cwd and their folders exist", async () => {
    const runtime = createMemoryRuntime({ cwd: "/app", files: { "conf/a.yml": "a: 1" } });
    assert.equal(await runtime.fs.readText("/app/conf/a.yml"), "a: 1");
    assert.equal(await runtime.fs.readText("conf/a.yml"), "a: 1");
    assert.deepEqual(await runtime.fs.listFiles("conf"), ["conf/a.yml"]);
    assert.equal((await runtime.fs.stat("/app/conf"))?.isDirectory, true);
  });
});

describe("detectRuntime()", () => {
  it("picks the adapter of the host runtime, once per process", () => {
    const runtime = detectRuntime();
    assert.equal(runtime.name, hostName());
    assert.equal(detectRuntime(), runtime);
  });
});

describe(`Runtime workers contract: detected (${hostName()})`, () => {
  const entry = new URL("./fixtures/echo_worker.ts", import.meta.url);

  function receive(worker: WorkerLike, count: number): Promise<unknown[]> {
    const seen: unknown[] = [];
    return new Promise((resolve, reject) => {
      worker.onerror = (event) => reject(new Error(event.message ?? "worker error"));
      worker.onmessage = (event) => {
        seen.push(event.data);
        if (seen.length === count) resolve(seen);
      };
    });
  }

  for (const killable of [false, true]) {
    it(`create() starts a .ts module worker that exchanges cloneable messages (killable: ${killable})`, async () => {
      const worker = detectRuntime().workers.create(entry, { name: "echo", killable });
      try {
        const replies = receive(worker, 2);
        worker.postMessage({ n: 1, list: [1, 2] });
        assert.deepEqual(await replies, ["ready", {
          echo: { n: 1, list: [1, 2] },
          when: new Date(0),
        }]);
      } finally {
        worker.terminate();
      }
    });
  }

  it("terminate() of a killable worker stops a busy loop", async () => {
    const worker = detectRuntime().workers.create(entry, { killable: true });
    const replies = receive(worker, 2);
    worker.postMessage("spin");
    assert.deepEqual(await replies, ["ready", "spinning"]);
    worker.terminate();
    // The test file finishing (and the process exiting) proves the loop stopped.
  });

  it("an error thrown inside the worker reaches onerror", async () => {
    const worker = detectRuntime().workers.create(entry, { killable: true });
    try {
      await receive(worker, 1);
      const failed = new Promise<string>((resolve) => {
        worker.onerror = (event) => resolve(event.message ?? String(event.error));
      });
      worker.postMessage("throw");
      assert.match(await failed, /worker blew up/);
    } finally {
      worker.terminate();
    }
  });
});

describe(`Runtime processes contract: detected (${hostName()})`, () => {
  it("self() names this process, and isAlive() tells a live process from an ended one", async () => {
    const runtime = detectRuntime();
    const me = runtime.processes!.self();
    assert.equal(me.pid, Number(readFileSync("/proc/self/stat", "utf8").split(" ")[0]) || me.pid);
    assert.ok(me.host.length > 0);
    assert.match(me.startTime, /^\d+$/, "Linux start time in clock ticks");
    assert.equal(await runtime.processes!.isAlive(me), true);
    // A child that has ended is dead; the same pid with another start time is a different process.
    const child = await runtime.spawn.open!(["sleep", "30"]);
    const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
    const startTime = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    const identity = { host: me.host, pid: child.pid, startTime };
    assert.equal(await runtime.processes!.isAlive(identity), true);
    assert.equal(
      await runtime.processes!.isAlive({ ...identity, startTime: String(Number(startTime) - 1) }),
      false,
      "a reused pid is not taken for the old process",
    );
    child.kill();
    await child.exited;
    assert.equal(await runtime.processes!.isAlive(identity), false);
    assert.equal(
      await runtime.processes!.isAlive({ ...identity, host: `${me.host}-elsewhere` }),
      true,
      "a process on another host cannot be checked, so it counts as alive",
    );
  });
});

describe("Runtime processes: memory runtime", () => {
  it("runtimes on one FakeProcessTable see each other's processes end, and a reused pid", async () => {
    const table = new FakeProcessTable();
    const a = createMemoryRuntime({ processes: table });
    const b = createMemoryRuntime({ processes: table });
    const owner = a.processes.self();
    assert.deepEqual(a.processes.self(), owner, "one process per runtime");
    assert.notEqual(b.processes.self().pid, owner.pid);
    assert.equal(await b.processes.isAlive(owner), true);
    table.end(owner.pid);
    assert.equal(await b.processes.isAlive(owner), false);
    table.start(owner.pid);
    assert.equal(await b.processes.isAlive(owner), false, "same pid, later start time");
    assert.throws(() => table.start(owner.pid), /pid \d+ is in use/);
  });
});
