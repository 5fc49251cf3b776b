// Child process of file_trace_store_test.ts: appends numbered trace records to the file
// store in TRACE_DIR forever (until killed). Prints "ready" once the first batch is written.
import process from "node:process";
import { detectRuntime } from "../../src/runtime/mod.ts";
import { FileTraceStore } from "../../src/results/file_trace_store.ts";

const store = new FileTraceStore(detectRuntime().fs, process.env.TRACE_DIR ?? "./logs");
const padding = "x".repeat(200);
let seq = 0;
let announced = false;
for (;;) {
  const batch = [];
  for (let i = 0; i < 50; i++, seq++) {
    batch.push({
      time: seq,
      level: "info" as const,
      runId: "killed",
      workflow: "wf",
      message: `seq ${seq} ${padding}`,
    });
  }
  await store.write(batch);
  if (!announced) {
    announced = true;
    process.stdout.write("ready\n");
  }
}
