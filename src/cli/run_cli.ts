/**
 * The `workflow` command line as a pure function from arguments to an exit
 * code: 0 on SUCCESS/SKIP, 1 on FAILED/CANCEL, 2 on bad usage or invalid
 * config. Only `main.ts` touches the process.
 *
 * @module
 */

// Only what every command needs is imported here; a command imports the engine, the stores,
// the scheduler or the server when it runs, so `version` or `run` loads no more than it uses.
import type { EngineOptions } from "../engine.ts";
import { type CliEngine, createCliEngine } from "./engine_port.ts";
import { ConfigError, formatIssue, isBlockingIssue, ParamError } from "../errors.ts";
import type { Settings } from "../settings.ts";
import { resultToJson } from "../results/result.ts";
import { VERSION } from "../version.ts";
import { formatDuration, progressLine } from "./progress.ts";
import type { CommandEntry } from "./commands.ts";
import type { OptionSpec, ParsedValues } from "./_args.ts";
import {
  checkDeclaredParams,
  type CliHost,
  type CliIo,
  collectParams,
  DEFAULT_CLI_HOST,
  UsageError,
} from "./_shared.ts";

export { type CliHost, type CliIo, collectParams, UsageError };

const CONF_OPTION =
  "  --conf DIR         Config folder (default: $WORKFLOW_CORE_CONF_PATH or ./conf)\n";

const RUN_HELP = `Usage: workflow run <name> [options]

Runs a workflow once and shows live progress per job and stage. Exit 0 on SUCCESS/SKIP,
1 on FAILED/CANCEL, 2 on bad usage, an unknown param or invalid config.

Options:
  -p key=value       A param the workflow declares (repeatable)
  --params JSON      Many params as a JSON object
  --json             Print only the Result as JSON
  -v, --verbose      Show every stage's start and trace lines
${CONF_OPTION}`;

const VALIDATE_HELP = `Usage: workflow validate [options]

Checks every template of the config folder and every uses: target; prints every problem as
file:line:col path: message. Exit 2 when any problem is an error (warnings keep exit 0).

Options:
  --json             Print {ok, issues} as JSON
${CONF_OPTION}`;

const LIST_HELP = `Usage: workflow list [options]

Lists the templates of the config folder (workflows, schedules) with their type.

Options:
  --json             Print [{name, type}] as JSON
${CONF_OPTION}`;

const SHOW_HELP = `Usage: workflow show <name> [options]

Shows a workflow's params, schedules, jobs and stages.

Options:
  --json             Print the validated workflow as JSON
${CONF_OPTION}`;

const SCHEMA_HELP = `Usage: workflow schema

Prints the JSON Schema of the YAML dialect (for editor completion and checks).
`;

const VERSION_HELP = `Usage: workflow version

Prints the version and the runtime (also: workflow --version).
`;

const INIT_HELP = `Usage: workflow init [DIR] [options]

Creates a starter config folder (DIR/conf/examples/hello.yml) and task module
(DIR/tasks/mod.ts) in DIR (default: the current folder). Existing files are left as they are.

Options:
  --conf DIR         Where the config folder goes (default: DIR/conf)
`;

const RUNS_HELP = `Usage: workflow runs [options]

Lists recent runs from the trace store, newest first (needs WORKFLOW_LOG_TRACE_ENABLE_WRITE=true
or WORKFLOW_LOG_TRACE_URL).

Options:
  -n, --limit N      How many runs (default 20)
  --json             Print the runs as JSON, with the API's fields: run_id, parent_run_id,
                     workflow, status, started_at, ended_at, duration_ms, source
`;

const LOGS_HELP = `Usage: workflow logs <run-id> [options]

Prints the trace of a run from the trace store, one line per record, with full run ids.

Options:
  --json             Print one JSON record per line
`;

/** Creates the engine, importing it on first use. */
function createEngine(options: EngineOptions, io: CliIo): Promise<CliEngine> {
  return createCliEngine(io, options);
}

/** An engine for commands that only read stores: they need no config folder. */
async function createStoreEngine(values: Record<string, unknown>, io: CliIo): Promise<CliEngine> {
  const { indexConfig } = await import("../config/config_index.ts");
  return createEngine({
    runtime: io.runtime,
    settings: settingsFrom(values),
    config: indexConfig([]),
  }, io);
}

/** The commands of this module with their usage lines, in the order the help lists them. */
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  run: {
    help: RUN_HELP,
    run: (args, io) => commandRun(args, io),
    usage:
      "run <name>         Run a workflow: [-p key=value]... [--params JSON] [--json] [--verbose]",
  },
  validate: {
    help: VALIDATE_HELP,
    run: (args, io) => commandValidate(args, io),
    usage: "validate           Check every template of the config folder and every uses: target",
  },
  list: {
    help: LIST_HELP,
    run: (args, io) => commandList(args, io),
    usage: "list               List workflows and schedules",
  },
  show: {
    help: SHOW_HELP,
    run: (args, io) => commandShow(args, io),
    usage: "show <name>        Show a workflow's params, schedules, jobs and stages [--json]",
  },
  schema: {
    help: SCHEMA_HELP,
    run: async (_args, io) => {
      const { workflowJsonSchema } = await import("../config/schema.ts");
      io.stdout(JSON.stringify(workflowJsonSchema(), null, 2) + "\n");
      return 0;
    },
    usage: "schema             Print the JSON Schema of the YAML dialect",
  },
  version: {
    help: VERSION_HELP,
    run: (_args, io) => {
      io.stdout(`workflow ${VERSION} (${io.runtime.name})\n`);
      return Promise.resolve(0);
    },
    usage: "version            Print the version",
  },
  init: {
    help: INIT_HELP,
    run: (args, io) => commandInit(args, io),
    usage: "init [DIR]         Create a starter config folder and task module (never overwrites)",
  },
  runs: {
    help: RUNS_HELP,
    run: (args, io) => commandRuns(args, io),
    usage: "runs               List recent runs from the trace store [-n 20] [--json]",
  },
  logs: {
    help: LOGS_HELP,
    run: (args, io) => commandLogs(args, io),
    usage: "logs <run-id>      Print the trace of a run [--json]",
  },
};

/** The commands of the other areas, loaded when one of them or the full usage is asked for. */
const AREAS: readonly (() => Promise<Readonly<Record<string, CommandEntry>>>)[] = [
  () => import("./scheduler_commands.ts").then((area) => area.SCHEDULER_COMMANDS),
  () => import("./server_commands.ts").then((area) => area.SERVER_COMMANDS),
  () => import("./worker_commands.ts").then((area) => area.WORKER_COMMANDS),
];

/** Every command, in the order the help lists them. */
async function allCommands(): Promise<Readonly<Record<string, CommandEntry>>> {
  const areas = await Promise.all(AREAS.map((load) => load()));
  return Object.assign({}, COMMANDS, ...areas);
}

/** The command called `name`, loading the other areas only when it is not one of ours. */
async function findCommand(name: string): Promise<CommandEntry | undefined> {
  if (Object.hasOwn(COMMANDS, name)) return COMMANDS[name];
  const all = await allCommands();
  return Object.hasOwn(all, name) ? all[name] : undefined;
}

async function usage(): Promise<string> {
  return `Usage: workflow <command> [options]

Commands:
${Object.values(await allCommands()).map((c) => `  ${c.usage}\n`).join("")}
Common options:
  --conf DIR         Config folder (default: $WORKFLOW_CORE_CONF_PATH or ./conf)
  -h, --help         Show this help
`;
}

/** Parses a command's options, loading the parser (`node:util`) on first use. */
async function parse(
  args: readonly string[],
  options: OptionSpec,
): Promise<{ values: ParsedValues; positionals: string[] }> {
  const { parseCommandArgs } = await import("./_args.ts");
  return parseCommandArgs(args, options);
}

function settingsFrom(values: Record<string, unknown>): Partial<Settings> {
  return typeof values.conf === "string" ? { confPath: values.conf } : {};
}

/**
 * Runs the CLI.
 *
 * @param args The command line without the program name, e.g. `["run", "wf"]`.
 * @param io The runtime and where output goes (`stdout`, `stderr`).
 *
 * @example
 * ```ts
 * import { detectRuntime } from "@ddeutil/workflow";
 *
 * const code = await runCli(["run", "demo-hello", "--json"], {
 *   runtime: detectRuntime(),
 *   stdout: (text) => console.log(text),
 *   stderr: (text) => console.error(text),
 * });
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === undefined || command === "help" || command === "-h" || command === "--help") {
      io.stdout(await usage());
      return command === undefined ? 2 : 0;
    }
    const name = command === "--version" ? "version" : command;
    const entry = await findCommand(name);
    if (!entry) throw new UsageError(`unknown command '${command}'`);
    // Help wins over everything else, so `init --help` never writes and `serve -h` never binds.
    if (asksForHelp(rest)) {
      io.stdout(entry.help);
      return 0;
    }
    return await entry.run(rest, io);
  } catch (error) {
    return await reportError(error, io);
  }
}

/** Whether `-h`/`--help` is among the options (before a `--` that ends them). */
function asksForHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

async function reportError(error: unknown, io: CliIo): Promise<number> {
  if (error instanceof UsageError) {
    io.stderr(`error: ${error.message}\n\n${await usage()}`);
    return 2;
  }
  if (error instanceof ConfigError) {
    io.stderr(
      `error: invalid config\n${error.issues.map((i) => `  ${formatIssue(i)}`).join("\n")}\n`,
    );
    return 2;
  }
  if (error instanceof ParamError) {
    io.stderr(`error: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  io.stderr(`error: ${message}\n`);
  return 1;
}

async function commandRun(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = await parse(args, {
    param: { type: "string", short: "p", multiple: true },
    params: { type: "string" },
    json: { type: "boolean" },
    verbose: { type: "boolean", short: "v" },
  });
  const name = positionals[0];
  if (!name) throw new UsageError("run needs a workflow name");
  const params = collectParams(
    (values.param as string[] | undefined) ?? [],
    values.params as string | undefined,
  );
  const engine = await createEngine({ runtime: io.runtime, settings: settingsFrom(values) }, io);
  try {
    const workflow = engine.workflow(name);
    checkDeclaredParams(workflow, params);
    const events = new EventTarget();
    if (!values.json) {
      const { onLifecycle } = await import("../executor/events.ts");
      // Child runs (trigger stages) are indented under the stage that started them.
      const depth = new Map<string, number>();
      onLifecycle(events, (detail) => {
        if (detail.type === "run-start") {
          const parent = detail.parentRunId === undefined
            ? undefined
            : depth.get(detail.parentRunId);
          depth.set(detail.runId, parent === undefined ? 0 : parent + 3);
        }
        const line = progressLine(detail, { verbose: values.verbose === true });
        if (line !== undefined) io.stdout("  ".repeat(depth.get(detail.runId) ?? 0) + line + "\n");
        if (detail.type === "run-end") depth.delete(detail.runId);
      });
    }
    const result = await engine.execute(workflow, params, { events, signal: io.signal });
    if (values.json) io.stdout(JSON.stringify(resultToJson(result), null, 2) + "\n");
    return result.status === "SUCCESS" || result.status === "SKIP" ? 0 : 1;
  } finally {
    await engine.close();
  }
}

async function commandValidate(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = await parse(args, { json: { type: "boolean" } });
  const engine = await createEngine({ runtime: io.runtime, settings: settingsFrom(values) }, io);
  try {
    const issues = [
      ...engine.config.validate(),
      ...engine.checkHost(),
      ...await engine.checkTasks(),
    ];
    const errors = issues.filter(isBlockingIssue).length;
    const warnings = issues.length - errors;
    if (values.json) {
      io.stdout(JSON.stringify({ ok: errors === 0, issues }, null, 2) + "\n");
    } else {
      for (const issue of issues) io.stdout(formatIssue(issue) + "\n");
      const warned = warnings ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : "";
      if (errors === 0) {
        const count = engine.config.names().length;
        io.stdout(
          `✓ ${count} template${count === 1 ? "" : "s"} in ${engine.settings.confPath} are valid` +
            `${warned}\n`,
        );
      } else {
        io.stdout(`✗ ${errors} problem${errors === 1 ? "" : "s"} found${warned}\n`);
      }
    }
    return errors === 0 ? 0 : 2;
  } finally {
    await engine.close();
  }
}

async function commandList(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = await parse(args, { json: { type: "boolean" } });
  const engine = await createEngine({ runtime: io.runtime, settings: settingsFrom(values) }, io);
  try {
    const rows = engine.config.names().map((name) => ({
      name,
      type: engine.config.get(name)?.type,
    }));
    if (values.json) {
      io.stdout(JSON.stringify(rows, null, 2) + "\n");
      return 0;
    }
    const width = Math.max(4, ...rows.map((r) => r.name.length));
    for (const row of rows) io.stdout(`${row.name.padEnd(width)}  ${row.type ?? ""}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}

async function commandShow(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = await parse(args, { json: { type: "boolean" } });
  const name = positionals[0];
  if (!name) throw new UsageError("show needs a workflow name");
  const engine = await createEngine({ runtime: io.runtime, settings: settingsFrom(values) }, io);
  try {
    const wf = engine.workflow(name);
    if (values.json) {
      io.stdout(JSON.stringify(wf, (key, v) => (key === "source" ? undefined : v), 2) + "\n");
      return 0;
    }
    const out: string[] = [`${wf.name}${wf.desc ? ` — ${wf.desc.trim().split("\n")[0]}` : ""}`];
    const params = Object.values(wf.params);
    if (params.length) {
      out.push("params:");
      for (const p of params) {
        const extra = [
          p.required ? "required" : "",
          p.default !== undefined ? `default ${JSON.stringify(p.default)}` : "",
        ]
          .filter(Boolean).join(", ");
        out.push(
          `  ${p.name}: ${p.type}${extra ? ` (${extra})` : ""}${p.desc ? ` — ${p.desc}` : ""}`,
        );
      }
    }
    if (wf.on.length) {
      out.push("on:");
      for (const s of wf.on) out.push(`  ${s.cronjob} (${s.timezone})`);
    }
    out.push("jobs:");
    for (const job of Object.values(wf.jobs)) {
      const needs = job.needs.length ? ` needs ${job.needs.join(", ")}` : "";
      const matrix = job.strategy ? ` matrix ${Object.keys(job.strategy.matrix).join("×")}` : "";
      out.push(`  ${job.id}${needs}${matrix}`);
      for (const stage of job.stages) out.push(`    - ${stage.id ?? stage.name} [${stage.kind}]`);
    }
    if (wf.timeoutMs !== undefined) out.push(`timeout: ${formatDuration(wf.timeoutMs)}`);
    io.stdout(out.join("\n") + "\n");
    return 0;
  } finally {
    await engine.close();
  }
}

const NO_TRACES = "trace writing is off: set WORKFLOW_LOG_TRACE_ENABLE_WRITE=true " +
  "(file store under WORKFLOW_LOG_TRACE_PATH, default ./logs) or WORKFLOW_LOG_TRACE_URL";

async function commandRuns(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = await parse(args, {
    json: { type: "boolean" },
    limit: { type: "string", short: "n" },
  });
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UsageError(`-n expects a whole number >= 1, got '${values.limit}'`);
  }
  const engine = await createStoreEngine(values, io);
  try {
    if (!engine.traces) throw new UsageError(NO_TRACES);
    const { runSummaryJson } = await import("../results/run_summary_json.ts");
    const runs = await engine.traces.listRuns({ limit });
    if (values.json) {
      io.stdout(JSON.stringify(runs.map(runSummaryJson), null, 2) + "\n");
      return 0;
    }
    if (runs.length === 0) io.stdout("no runs recorded yet\n");
    for (const run of runs) {
      const when = new Date(run.start).toISOString().replace("T", " ").slice(0, 19);
      const took = run.durationMs === undefined ? "running" : formatDuration(run.durationMs);
      io.stdout(
        `${run.runId}  ${when}  ${(run.status ?? "").padEnd(7)}  ${
          took.padStart(8)
        }  ${run.workflow}\n`,
      );
    }
    return 0;
  } finally {
    await engine.close();
  }
}

async function commandLogs(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = await parse(args, { json: { type: "boolean" } });
  const runId = positionals[0];
  if (!runId) throw new UsageError("logs needs a run id (see: workflow runs)");
  const engine = await createStoreEngine(values, io);
  try {
    if (!engine.traces) throw new UsageError(NO_TRACES);
    const { formatTraceLine } = await import("../results/trace_store.ts");
    const records = await engine.traces.getTrace(runId);
    if (!records) {
      io.stderr(`error: no trace for run '${runId}'\n`);
      return 1;
    }
    for (const record of records) {
      io.stdout(
        (values.json ? JSON.stringify(record) : formatTraceLine(record, { fullIds: true })) + "\n",
      );
    }
    return 0;
  } finally {
    await engine.close();
  }
}

const STARTER_WORKFLOW = `# A starter workflow: run it with \`workflow run hello -p name=you\`.
hello:
  type: Workflow
  desc: Greets someone, then asks a task module for items and loops over them.
  params:
    name:
      type: str
      default: world
  jobs:
    greet:
      stages:
        - name: Greet
          id: greet
          echo: "Hello \${{ params.name | title }}"
        - name: Get items
          id: items
          uses: tasks/get-items@starter
    each:
      needs: [greet]
      stages:
        - name: Each item
          id: each
          foreach: "\${{ jobs.greet.stages.items.outputs.items }}"
          stages:
            - name: Show
              echo: "item \${{ item }}"
`;

function starterTasks(file: string): string {
  return `// Task functions for \`uses: tasks/<name>@<tag>\` (found through
// WORKFLOW_CORE_REGISTRY_CALLER, default ".": this folder's ${file}).
import { tag } from "@ddeutil/workflow";

export const getItems = tag("starter")(async (_args, { trace }) => {
  trace("returning three items");
  return { items: [1, 2, 3] };
});
`;
}

async function commandInit(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = await parse(args, {});
  const host = io.host ?? DEFAULT_CLI_HOST;
  const base = (positionals[0] ?? ".").replace(/\/+$/, "") || ".";
  const conf = typeof values.conf === "string" ? values.conf : `${base}/conf`;
  // A starter this process cannot import would fail its own `next:` line: on a Node that
  // cannot load TypeScript, the task module is plain JavaScript.
  const absoluteBase = base.startsWith("/") ? base : `${io.runtime.cwd()}/${base}`;
  const tasksFile = `tasks/mod.${host.canImportTypeScript(absoluteBase) ? "ts" : "js"}`;
  const files: [string, string][] = [
    [`${conf}/examples/hello.yml`, STARTER_WORKFLOW],
    [`${conf}/.confignore`, "# Patterns of files under this folder that are not templates.\n"],
    [`${base}/${tasksFile}`, starterTasks(tasksFile)],
  ];
  if (host.needsModuleScope) {
    // Node and Bun read `import`/`export` only in a "type": "module" scope.
    files.push([`${base}/tasks/package.json`, '{ "type": "module" }\n']);
  }
  for (const [path, text] of files) {
    if (await io.runtime.fs.stat(path)) {
      io.stdout(`  exists   ${path} (left as it is)\n`);
      continue;
    }
    await io.runtime.fs.writeText(path, text, { createDirs: true });
    io.stdout(`  created  ${path}\n`);
  }
  io.stdout(
    `next: ${host.command} validate --conf ${conf} && ${host.command} run hello --conf ${conf}\n`,
  );
  return 0;
}
