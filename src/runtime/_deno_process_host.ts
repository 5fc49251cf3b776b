/**
 * Host of a Deno "process worker": the main module of a `deno run`
 * subprocess that loads a worker entry (argument 1) and gives it the Web
 * Worker globals it expects (`self.onmessage`, `postMessage`), carried as
 * frames over stdin/stdout. Used because `Worker.terminate()` on Deno does
 * not stop a busy loop, while killing a process always works.
 *
 * @module
 */
import { encodeFrame, FrameDecoder } from "./_frames.ts";
import { denoApi } from "./_deno_api.ts";

interface WorkerGlobals {
  onmessage?: ((event: { data: unknown }) => void) | null;
  postMessage?: (message: unknown) => void;
}

const deno = denoApi();
const scope = globalThis as unknown as WorkerGlobals;

scope.postMessage = (message: unknown) => {
  const frame = encodeFrame(message);
  let written = 0;
  while (written < frame.length) written += deno.stdout.writeSync(frame.subarray(written));
};

await import(deno.args[0]);

// Read straight from the pipe rather than through `stdin.readable`: a stream costs a few
// promises per chunk, and a small job is one chunk.
const decoder = new FrameDecoder();
const buffer = new Uint8Array(64 * 1024);
while (true) {
  const read = await deno.stdin.read(buffer);
  if (read === null) break;
  for (const data of decoder.push(buffer.subarray(0, read))) scope.onmessage?.({ data });
}
