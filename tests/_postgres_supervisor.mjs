// Runs a test PostgreSQL server for one test process (not a test file itself), so a test file
// run on its own needs nothing started by hand: `<runtime> _postgres_supervisor.mjs <parent
// pid> <url file>` starts the server, writes its admin URL to <url file>, and stops the server
// as soon as the parent process is gone (however it ended) or this process is signalled.
import { renameSync, writeFileSync } from "node:fs";
import process from "node:process";
import { startPostgresServer } from "./_postgres_server.mjs";

const [parentPid, urlFile] = process.argv.slice(-2).map(String);
const server = await startPostgresServer();
writeFileSync(`${urlFile}.tmp`, server.url);
renameSync(`${urlFile}.tmp`, urlFile);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(watch);
  await server.stop();
  process.exit(0);
};
const parentAlive = () => {
  try {
    process.kill(Number(parentPid), 0);
    return true;
  } catch {
    return false;
  }
};
// Checked four times a second; at most one day, whatever the parent does.
let checks = 0;
const watch = setInterval(() => {
  if (!parentAlive() || ++checks > 4 * 86_400) void stop();
}, 250);
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
