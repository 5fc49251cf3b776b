/**
 * Finds the templates of a config root, indexes them by name once, and builds
 * validated `Workflow`, `Schedule` and `On` models from them on demand.
 *
 * This module does not load the full YAML parser: {@linkcode loadConfig} loads it when a file
 * needs it, while {@linkcode indexConfig} expects it loaded for texts outside the small
 * reader's layout. Code outside the engine and the command line imports `./loader.ts`, which
 * loads it.
 *
 * @module
 */

import type { Runtime } from "../runtime/types.ts";
import { ConfigError, type ConfigIssue } from "../errors.ts";
import type { CronSchedule, Schedule, Workflow } from "../models/types.ts";
import { closest, IssueCollector } from "../models/issues.ts";
import { isRawMap } from "../models/fields.ts";
import { type OnOptions, parseCron } from "../models/on.ts";
import { parseWorkflow, type ParseWorkflowOptions } from "../models/workflow.ts";
import { STAGE_SYNTAX } from "../stages/kinds.ts";
import { parseSchedule } from "../models/schedule.ts";
import {
  fullYamlParserLoaded,
  loadFullYamlParser,
  type ParsedYaml,
  parsePlainYaml,
  parseYaml,
} from "./yaml.ts";
import { isIgnored, parseIgnore } from "./ignore.ts";
import { scanTemplates } from "./scan.ts";

/** Template types a config file may declare (`YearOn`: a cron with a year field). */
export type TemplateType = "Workflow" | "Schedule" | "On" | "YearOn";
const TEMPLATE_TYPES: readonly TemplateType[] = ["Workflow", "Schedule", "On", "YearOn"];

/** One indexed template. */
export interface TemplateEntry {
  /** Template name (its top-level key or `name:`). */
  readonly name: string;
  /** Its `type:`. */
  readonly type: TemplateType;
  /** File path relative to the config root. */
  readonly file: string;
  /** The template's raw data as read from YAML (its file is parsed in full on first read). */
  readonly data: Readonly<Record<string, unknown>>;
  /** Where the template starts (its key, or line 1 for a single-template file). */
  readonly line: number;
  /** 1-based column where the template starts. */
  readonly column: number;
}

/** Options shared by {@linkcode loadConfig} and {@linkcode indexConfig}. */
export interface ConfigOptions {
  /** Validates a cron expression; returns a message when it is invalid. */
  readonly validateCron?: (expression: string) => string | undefined;
  /** Most schedules one `on:` may hold. @default 5 */
  readonly maxCronPerWorkflow?: number;
  /** Zone of schedules that name none. @default "UTC" */
  readonly defaultTimezone?: string;
  /** Custom filter names registered at run time (not flagged by template checks). */
  readonly knownFilters?: readonly string[];
  /** Alias expansion budget per file (alias bombs above it are rejected). @default 50 */
  readonly maxAliasCount?: number;
}

/** Options of {@linkcode loadConfig}. */
export interface LoadConfigOptions extends ConfigOptions {
  /** Config root. @default env `WORKFLOW_CORE_CONF_PATH`, else `"./conf"` */
  readonly confPath?: string;
  /** Aborts the scan; the returned promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** A config source file given by content. */
export interface ConfigFile {
  /** Path relative to the config root (used in messages and `.confignore` matching). */
  readonly path: string;
  /** The file's YAML text. */
  readonly text: string;
}

/** The templates of a config root, indexed by name. */
export interface ConfigIndex {
  /** Template names, sorted; only those of `type` when given. */
  names(type?: TemplateType): string[];
  /** The indexed template called `name`. */
  get(name: string): TemplateEntry | undefined;
  /** The validated workflow `name` (built once, then cached).
   * @throws {ConfigError} unknown name (listing close names), wrong type, or invalid template */
  workflow(name: string): Workflow;
  /** The validated schedule template `name`. @throws {ConfigError} */
  schedule(name: string): Schedule;
  /** The validated `type: On` or `type: YearOn` template `name`. @throws {ConfigError} */
  on(name: string): CronSchedule;
  /**
   * Every problem in every file and template, sorted by file, line and column. Warnings
   * (`severity: "warning"`, e.g. a param pasted unquoted into shell code) are included; they do
   * not stop a template from loading (`isBlockingIssue()` tells them apart).
   */
  validate(): ConfigIssue[];
  /**
   * Problems found while loading (bad YAML, duplicate names, unknown template types). Loading
   * only scans files for template names; reading this parses every file not parsed yet.
   */
  readonly issues: readonly ConfigIssue[];
  /**
   * The same templates (not parsed again) validated with `options` merged over this index's
   * own; `knownFilters` are added to those already known. Built models are not shared.
   */
  withOptions(options: ConfigOptions): ConfigIndex;
}

const YAML_FILE = /\.ya?ml$/i;
const READ_CONCURRENCY = 16;

/**
 * Scans the config root recursively for `.yml`/`.yaml` files (minus those hidden by the
 * root's `.confignore`) and indexes their templates.
 *
 * @param runtime The runtime whose files are read.
 * @param options The config folder (`confPath`) and validation options.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "@ddeutil/workflow";
 *
 * const config = await loadConfig(detectRuntime(), { confPath: "./conf" });
 * const wf = config.workflow("wf-etl");
 * ```
 * @throws {ConfigError} when the config root does not exist
 */
export async function loadConfig(
  runtime: Runtime,
  options: LoadConfigOptions = {},
): Promise<ConfigIndex> {
  const { signal } = options;
  signal?.throwIfAborted();
  const root = (options.confPath ?? runtime.env.get("WORKFLOW_CORE_CONF_PATH") ?? "./conf")
    .replace(/\/+$/, "") || "/";
  const info = await runtime.fs.stat(root);
  if (!info?.isDirectory) {
    throw new ConfigError(
      `config folder '${root}' does not exist; set WORKFLOW_CORE_CONF_PATH or pass confPath`,
    );
  }
  const prefix = root === "/" ? "/" : `${root}/`;
  const all = await runtime.fs.listFiles(root);
  signal?.throwIfAborted();
  const relative = (path: string) => path.startsWith(prefix) ? path.slice(prefix.length) : path;
  let patterns: string[] = [];
  const ignoreFile = all.find((path) => relative(path) === ".confignore");
  if (ignoreFile) patterns = [...parseIgnore(await runtime.fs.readText(ignoreFile)), ".confignore"];
  const wanted = all.filter((path) => YAML_FILE.test(path) && !isIgnored(relative(path), patterns));
  const files: ConfigFile[] = new Array(wanted.length);
  let next = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const index = next++;
      signal?.throwIfAborted();
      files[index] = {
        path: relative(wanted[index]),
        text: await runtime.fs.readText(wanted[index]),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, wanted.length) }, worker));
  signal?.throwIfAborted();
  if (fullYamlParserLoaded()) return indexConfig(files, options);
  // The full YAML parser is not loaded (the command line and the engine load it on demand):
  // read every file now with the small reader, and load the full parser only when a file
  // needs it, so that the index never meets a file it cannot parse synchronously.
  const parsed = files.map((file) => parsePlainYaml(file.text));
  if (parsed.includes(undefined)) await loadFullYamlParser();
  return indexFiles(files, options, parsed);
}

/** A config file: its text, parsed in full on first need and then kept. */
class SourceFile {
  readonly path: string;
  readonly text: string;
  readonly #maxAliasCount?: number;
  #parsed?: ParsedYaml;
  #problems?: ConfigIssue[];

  constructor(file: ConfigFile, maxAliasCount: number | undefined, parsed?: ParsedYaml) {
    this.path = file.path;
    this.text = file.text;
    this.#maxAliasCount = maxAliasCount;
    this.#parsed = parsed;
  }

  /** Read with the places of its nodes at once: every use of a parsed file (building a
   * template, `validate()`) asks for positions, which would else cost a second read. */
  get parsed(): ParsedYaml {
    return this.#parsed ??= parseYaml(this.text, {
      maxAliasCount: this.#maxAliasCount,
      positions: true,
    });
  }

  /** Its YAML problems (syntax, duplicate keys, alias bombs), with the file named. */
  get problems(): ConfigIssue[] {
    return this.#problems ??= this.parsed.problems.map((p) => ({
      file: this.path,
      line: p.line,
      column: p.column,
      message: p.message,
    }));
  }
}

/** A file of the index and the problems indexing found in it (unknown types, duplicates). */
interface IndexedFile {
  readonly source: SourceFile;
  readonly issues: ConfigIssue[];
}

interface Entry {
  readonly name: string;
  readonly type: TemplateType;
  readonly file: SourceFile;
  readonly line: number;
  readonly column: number;
  readonly base: readonly string[];
  /** "Defined twice" problems naming this template (they block it). */
  readonly duplicates: ConfigIssue[];
}

/** The template's raw data, from its file's full parse. */
function entryData(entry: Entry): Readonly<Record<string, unknown>> {
  const data = entry.file.parsed.data;
  const value = entry.base.length && isRawMap(data) ? data[entry.base[0]] : data;
  return isRawMap(value) ? value : {};
}

/** What blocks a template: its file's YAML problems and duplicates of its name. */
function blockersOf(entry: Entry): ConfigIssue[] {
  const problems = entry.file.problems;
  return entry.duplicates.length ? [...problems, ...entry.duplicates] : problems;
}

/** Templates of a file by a full parse (files the quick scan does not read). */
function templatesByParse(
  source: SourceFile,
  issues: ConfigIssue[],
): { name: string; type: TemplateType; line: number; column: number; base: string[] }[] {
  const parsed = source.parsed;
  const data = parsed.data;
  if (!isRawMap(data)) return [];
  const found: [string, Readonly<Record<string, unknown>>, string[]][] = [];
  if (typeof data.name === "string" && typeof data.type === "string") {
    found.push([data.name, data, []]);
  } else {
    for (const [key, value] of Object.entries(data)) {
      if (isRawMap(value) && value.type !== undefined) found.push([key, value, [key]]);
    }
  }
  const templates = [];
  for (const [name, value, base] of found) {
    const type = value.type;
    if (typeof type !== "string" || !(TEMPLATE_TYPES as readonly string[]).includes(type)) {
      const at = parsed.position([...base, "type"]);
      issues.push({
        file: source.path,
        ...at,
        path: base.length ? `${name}.type` : "type",
        message: `unknown template type ${JSON.stringify(type)}; expected ${
          TEMPLATE_TYPES.join(", ")
        }`,
      });
      continue;
    }
    const pos = base.length ? parsed.position(base, { key: true }) : { line: 1, column: 1 };
    templates.push({ name, type: type as TemplateType, line: pos.line, column: pos.column, base });
  }
  return templates;
}

/**
 * Indexes templates from file contents already in memory (edge runtimes, tests, fetched
 * config). Files are taken in the given order; `.confignore` is not applied here.
 *
 * Each file is only scanned for its template names and types here
 * (`scanTemplates`); its YAML is parsed in full when one of its templates is first built, when
 * {@linkcode ConfigIndex.issues} is read or when `validate()` runs. A file the scan cannot
 * read for sure is parsed at once.
 *
 * @param files Config files as `{path, text}`.
 * @param options Validation options (known filters, cron check).
 */
export function indexConfig(
  files: readonly ConfigFile[],
  options: ConfigOptions = {},
): ConfigIndex {
  return indexFiles(files, options, []);
}

/** {@linkcode indexConfig}, with the files already read by the small YAML reader, if any. */
function indexFiles(
  files: readonly ConfigFile[],
  options: ConfigOptions,
  parsed: readonly (ParsedYaml | undefined)[],
): ConfigIndex {
  const indexed: IndexedFile[] = [];
  const entries = new Map<string, Entry>();
  const order = files.map((_, i) => i).sort((a, b) =>
    files[a].path < files[b].path ? -1 : files[a].path > files[b].path ? 1 : 0
  );
  for (const i of order) {
    const file = files[i];
    const source = new SourceFile(file, options.maxAliasCount, parsed[i]);
    const issues: ConfigIssue[] = [];
    indexed.push({ source, issues });
    const templates = scanTemplates(file.text, TEMPLATE_TYPES) ??
      templatesByParse(source, issues);
    for (const { name, type, line, column, base } of templates) {
      const previous = entries.get(name);
      if (previous) {
        const issue: ConfigIssue = {
          file: file.path,
          line,
          column,
          path: name,
          message:
            `template '${name}' is defined twice: in ${previous.file.path}:${previous.line} ` +
            `and ${file.path}:${line}; rename one of them`,
        };
        issues.push(issue);
        previous.duplicates.push(issue);
        continue;
      }
      entries.set(name, {
        name,
        type: type as TemplateType,
        file: source,
        line,
        column,
        base,
        duplicates: [],
      });
    }
  }
  return new Index(entries, indexed, options);
}

/** `issues` block the template; `warnings` are only reported by `validate()`. */
type Built<T> = { value: T; issues: ConfigIssue[]; warnings?: readonly ConfigIssue[] };

class Index implements ConfigIndex {
  readonly #files: readonly IndexedFile[];
  readonly #entries: Map<string, Entry>;
  readonly #options: ConfigOptions;
  /** Sorted names by type ("" for all), built once: validating thousands of templates asks
   * for them once per template. */
  readonly #names = new Map<string, readonly string[]>();
  #issues?: readonly ConfigIssue[];
  readonly #workflows = new Map<string, Built<Workflow>>();
  readonly #schedules = new Map<string, Built<Schedule>>();
  readonly #ons = new Map<string, Built<CronSchedule | undefined>>();
  #validated?: ConfigIssue[];
  #onNames?: readonly string[];
  /** What every workflow of this index is built with, made on the first build. */
  #workflowOptions?: ParseWorkflowOptions;

  constructor(entries: Map<string, Entry>, files: readonly IndexedFile[], options: ConfigOptions) {
    this.#entries = entries;
    this.#files = files;
    this.#options = options;
  }

  /** Reading them parses every file not parsed yet (for its YAML problems). */
  get issues(): readonly ConfigIssue[] {
    if (!this.#issues) {
      const all: ConfigIssue[] = [];
      for (const file of this.#files) all.push(...file.source.problems, ...file.issues);
      this.#issues = all;
    }
    return this.#issues;
  }

  withOptions(options: ConfigOptions): ConfigIndex {
    const knownFilters = [
      ...(this.#options.knownFilters ?? []),
      ...(options.knownFilters ?? []),
    ];
    return new Index(this.#entries, this.#files, {
      ...this.#options,
      ...options,
      knownFilters,
    });
  }

  names(type?: TemplateType): string[] {
    return [...this.#sortedNames(type)];
  }

  #sortedNames(type?: TemplateType): readonly string[] {
    let names = this.#names.get(type ?? "");
    if (!names) {
      const found: string[] = [];
      for (const entry of this.#entries.values()) {
        if (type === undefined || entry.type === type) found.push(entry.name);
      }
      names = found.sort();
      this.#names.set(type ?? "", names);
    }
    return names;
  }

  get(name: string): TemplateEntry | undefined {
    const entry = this.#entries.get(name);
    if (!entry) return undefined;
    const { type, file, line, column } = entry;
    // `data` parses the file on first read, so listing names and types stays a scan.
    return {
      name,
      type,
      file: file.path,
      get data() {
        return entryData(entry);
      },
      line,
      column,
    };
  }

  workflow(name: string): Workflow {
    return this.#result(this.#buildWorkflow(this.#entry(name, "Workflow")));
  }

  schedule(name: string): Schedule {
    return this.#result(this.#buildSchedule(this.#entry(name, "Schedule")));
  }

  on(name: string): CronSchedule {
    const type = this.#entries.get(name)?.type === "YearOn" ? "YearOn" : "On";
    const built = this.#buildOn(this.#entry(name, type));
    if (built.issues.length || !built.value) throw new ConfigError(built.issues);
    return built.value;
  }

  validate(): ConfigIssue[] {
    if (this.#validated) return [...this.#validated];
    const all: ConfigIssue[] = [...this.issues];
    for (const entry of this.#entries.values()) {
      // A file with YAML problems may have partial data: its problems are load issues.
      if (entry.file.problems.length) continue;
      const built = entry.type === "Workflow"
        ? this.#buildWorkflow(entry)
        : entry.type === "Schedule"
        ? this.#buildSchedule(entry)
        : this.#buildOn(entry);
      const blockers = entry.duplicates;
      all.push(...built.issues.filter((issue) => !blockers.includes(issue)));
      if (built.warnings) all.push(...built.warnings);
    }
    all.sort(compareIssues);
    this.#validated = all;
    return [...all];
  }

  #entry(name: string, type: TemplateType): Entry {
    const entry = this.#entries.get(name);
    if (!entry) {
      const known = this.#sortedNames(type);
      const near = closest(name, known);
      const hint = near.length
        ? `; did you mean ${near.map((n) => `'${n}'`).join(" or ")}?`
        : known.length
        ? `; known: ${known.slice(0, 10).join(", ")}${known.length > 10 ? ", ..." : ""}`
        : "";
      throw new ConfigError(`unknown ${type.toLowerCase()} '${name}'${hint}`);
    }
    if (entry.type !== type) {
      throw new ConfigError([{
        file: entry.file.path,
        line: entry.line,
        column: entry.column,
        path: name,
        message: `template '${name}' is a ${entry.type}, not a ${type}`,
      }]);
    }
    return entry;
  }

  #result<T>(built: Built<T>): T {
    if (built.issues.length) throw new ConfigError(built.issues);
    return built.value;
  }

  #collector(entry: Entry): IssueCollector {
    return new IssueCollector({
      file: entry.file.path,
      locate: entry.file.parsed.position,
      base: entry.base,
    });
  }

  /** Options for building a workflow or schedule of this index, with `extra` added. */
  #onOptions<T extends object>(extra: T): OnOptions & T {
    const options = new IndexOnOptions(
      this.#options,
      (name) => {
        const entry = this.#entries.get(name);
        if (!entry || (entry.type !== "On" && entry.type !== "YearOn")) return undefined;
        const built = this.#buildOn(entry);
        return built.issues.length ? undefined : built.value;
      },
      () => this.#onNames ??= [...this.#sortedNames("On"), ...this.#sortedNames("YearOn")].sort(),
    );
    return Object.assign(options, extra);
  }

  #buildWorkflow(entry: Entry): Built<Workflow> {
    let built = this.#workflows.get(entry.name);
    if (!built) {
      const issues = this.#collector(entry);
      const value = parseWorkflow(
        entry.name,
        entryData(entry),
        issues,
        this.#workflowOptions ??= this.#onOptions({
          knownFilters: this.#options.knownFilters,
          stageSyntax: STAGE_SYNTAX,
        }),
      );
      built = {
        value,
        issues: issuesOf(entry, issues),
        warnings: issues.warnings,
      };
      this.#workflows.set(entry.name, built);
    }
    return built;
  }

  #buildSchedule(entry: Entry): Built<Schedule> {
    let built = this.#schedules.get(entry.name);
    if (!built) {
      const issues = this.#collector(entry);
      const value = parseSchedule(
        entry.name,
        entryData(entry),
        issues,
        this.#onOptions({ workflowNames: this.#sortedNames("Workflow") }),
      );
      built = { value, issues: issuesOf(entry, issues) };
      this.#schedules.set(entry.name, built);
    }
    return built;
  }

  #buildOn(entry: Entry): Built<CronSchedule | undefined> {
    let built = this.#ons.get(entry.name);
    if (!built) {
      const issues = this.#collector(entry);
      const value = parseCron(entryData(entry), [], issues, {
        ...this.#options,
        template: true,
        year: entry.type === "YearOn",
      });
      built = { value, issues: issuesOf(entry, issues) };
      this.#ons.set(entry.name, built);
    }
    return built;
  }
}

/**
 * The `on:` options of one index. The sorted names of its On templates are only read for a
 * message about an unknown one: a getter builds them then, not on every first lookup of a
 * fresh index (that sort of every template name was a third of a lookup). A class, so that
 * the getter is its prototype's and the object stays a plain fast one (an accessor defined
 * on each object made every read of it slower while the lookup code still runs cold).
 */
class IndexOnOptions implements OnOptions {
  readonly validateCron?: (expression: string) => string | undefined;
  readonly maxCronPerWorkflow?: number;
  readonly defaultTimezone?: string;
  readonly lookupOn: (name: string) => CronSchedule | undefined;
  readonly #onNames: () => readonly string[];

  constructor(
    options: ConfigOptions,
    lookupOn: (name: string) => CronSchedule | undefined,
    onNames: () => readonly string[],
  ) {
    this.validateCron = options.validateCron;
    this.maxCronPerWorkflow = options.maxCronPerWorkflow;
    this.defaultTimezone = options.defaultTimezone;
    this.lookupOn = lookupOn;
    this.#onNames = onNames;
  }

  get onNames(): readonly string[] {
    return this.#onNames();
  }
}

/**
 * What blocks a built template: its blockers, then what validation found. A file with YAML
 * problems has partial data, so only its problems are given, as `validate()` gives them.
 */
function issuesOf(entry: Entry, collected: IssueCollector): ConfigIssue[] {
  const blockers = blockersOf(entry);
  if (entry.file.problems.length) return blockers;
  return [...blockers, ...collected.issues].sort(compareIssues);
}

function compareIssues(a: ConfigIssue, b: ConfigIssue): number {
  const fa = a.file ?? "";
  const fb = b.file ?? "";
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/** Options of {@linkcode buildWorkflow}. */
export interface BuildWorkflowOptions extends OnOptions {
  /** Named in issues, when the data came from a file. */
  readonly file?: string;
}

/**
 * Builds a validated workflow from plain data (no file): for edge runtimes and tests.
 *
 * @param name The workflow's name (its top-level key).
 * @param raw The parsed YAML of the workflow.
 * @param options Where it came from and validation options.
 *
 * @example
 * ```ts
 * const wf = buildWorkflow("hello", { type: "Workflow", jobs: { a: { stages: [{ name: "hi", echo: "hi" }] } } });
 * ```
 * @throws {ConfigError} with every issue found
 */
export function buildWorkflow(
  name: string,
  raw: unknown,
  options: BuildWorkflowOptions = {},
): Workflow {
  const issues = new IssueCollector({ file: options.file });
  const workflow = parseWorkflow(name, raw, issues, { ...options, stageSyntax: STAGE_SYNTAX });
  if (issues.issues.length) throw new ConfigError(issues.issues);
  return workflow;
}
