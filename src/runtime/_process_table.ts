/**
 * The host {@linkcode ProcessTable}: this process's identity and a liveness check that a
 * reused pid cannot fool. On Linux a process is known by its pid and its start time (field 22
 * of `/proc/<pid>/stat`, clock ticks since boot), so a later process that got the same pid is
 * told apart. Where `/proc` is missing the check falls back to "the pid exists" when the host
 * can signal 0, else counts the process as alive.
 *
 * @module
 */

import type { ProcessIdentity, ProcessTable } from "./types.ts";

/** What one host offers for the process table. */
export interface ProcessHost {
  /** This process's pid. */
  readonly pid: number;
  /** The machine's host name. */
  hostname(): string;
  /** Reads a text file synchronously (for `/proc/self/stat`, once). */
  readTextSync(path: string): string;
  /** Reads a text file. */
  readText(path: string): Promise<string>;
  /** `kill(pid, 0)`: `true` when the pid exists, `false` when not, `undefined` when the host
   * cannot tell. Only used without `/proc`. */
  signalZero?(pid: number): boolean | undefined;
}

/** The start time field of a `/proc/<pid>/stat` text; `""` when it cannot be read. */
export function statStartTime(stat: string): string {
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19] ?? "";
}

/** A process table over `host`. */
export function createProcessTable(host: ProcessHost): ProcessTable {
  let self: ProcessIdentity | undefined;
  let hasProc: boolean | undefined;
  return {
    self() {
      if (self) return self;
      let startTime = "";
      try {
        startTime = statStartTime(host.readTextSync("/proc/self/stat"));
        hasProc = startTime !== "";
      } catch {
        hasProc = false;
      }
      let name = "localhost";
      try {
        name = host.hostname();
      } catch {
        // No permission to ask: every owner then shares this name, which is still one host.
      }
      return self = { host: name, pid: host.pid, startTime };
    },
    async isAlive(identity) {
      const me = this.self();
      if (identity.host !== me.host) return true;
      if (identity.pid === me.pid && identity.startTime === me.startTime) return true;
      if (hasProc) {
        let stat: string;
        try {
          stat = await host.readText(`/proc/${identity.pid}/stat`);
        } catch {
          return false; // no such process
        }
        // A zombie (ended, not yet reaped by its parent) runs no more.
        const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        if (state === "Z" || state === "X") return false;
        return identity.startTime === "" || statStartTime(stat) === identity.startTime;
      }
      return host.signalZero?.(identity.pid) ?? true;
    },
  };
}
