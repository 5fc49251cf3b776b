/**
 * The small slice of the `Deno` namespace the Deno adapter uses, typed
 * locally so the npm build compiles with plain `tsc` and `@types/node`.
 *
 * @module
 */

/** A `Deno.FileInfo`. */
export interface DenoFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  size: number;
  mtime: Date | null;
}

/** A `Deno.DirEntry`. */
export interface DenoDirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
}

/** A `Deno.CommandStatus`. */
export interface DenoCommandStatus {
  success: boolean;
  code: number;
  signal: string | null;
}

/** A `Deno.ChildProcess`. */
export interface DenoChildProcess {
  readonly pid: number;
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<DenoCommandStatus>;
  kill(signal?: string): void;
  ref(): void;
  unref(): void;
}

/** `Deno.CommandOptions`. */
export interface DenoCommandOptions {
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  clearEnv?: boolean;
  stdin?: "piped" | "inherit" | "null";
  stdout?: "piped" | "inherit" | "null";
  stderr?: "piped" | "inherit" | "null";
  detached?: boolean;
}

/** The `Deno` global, as far as this adapter needs it. */
export interface DenoNamespace {
  readonly errors: {
    NotFound: new (...args: never[]) => Error;
    AlreadyExists: new (...args: never[]) => Error;
  };
  readonly pid: number;
  hostname(): string;
  readTextFileSync(path: string): string;
  link(from: string, to: string): Promise<void>;
  readonly env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  readonly permissions: { querySync(descriptor: { name: string }): { state: string } };
  readonly stdin: {
    readable: ReadableStream<Uint8Array>;
    read(p: Uint8Array): Promise<number | null>;
  };
  readonly stdout: { writeSync(data: Uint8Array): number };
  readonly args: string[];
  cwd(): string;
  execPath(): string;
  readTextFile(path: string): Promise<string>;
  writeFile(path: string, data: Uint8Array, options?: { append?: boolean }): Promise<void>;
  readDir(path: string): AsyncIterable<DenoDirEntry>;
  stat(path: string): Promise<DenoFileInfo>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  watchFs(
    paths: string,
    options?: { recursive?: boolean },
  ): AsyncIterable<{ kind: string; paths: string[] }> & { close(): void };
  kill(pid: number, signal?: string): void;
  Command: new (program: string, options?: DenoCommandOptions) => { spawn(): DenoChildProcess };
}

/** The `Deno` global (only call on Deno). */
export function denoApi(): DenoNamespace {
  return (globalThis as unknown as { Deno: DenoNamespace }).Deno;
}
