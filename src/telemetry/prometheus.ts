/**
 * A small writer of the Prometheus text exposition format (version 0.0.4): counters, gauges
 * and histograms with labels, label values escaped as the format requires.
 *
 * @module
 */

/** Content type of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Label names and values of one series. */
export type Labels = Readonly<Record<string, string>>;

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatLabels(labels: Labels, extra?: readonly [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function formatNumber(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return String(value);
}

/** The key of a label set (labels in a fixed order). */
function keyOf(names: readonly string[], labels: Labels): string {
  return names.map((name) => labels[name] ?? "").join("\u0000");
}

/** A metric family that renders itself. */
interface Family {
  render(out: string[]): void;
}

/** A counter or gauge family: one number per label set. */
export class Sample implements Family {
  readonly #values = new Map<string, { labels: Labels; value: number }>();

  /** A family `name` of `type` over `labelNames`. */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge",
    readonly labelNames: readonly string[] = [],
  ) {}

  /** Adds `by` (default 1) to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(this.labelNames, labels);
    const entry = this.#values.get(key);
    if (entry) entry.value += by;
    else this.#values.set(key, { labels, value: by });
  }

  /** Sets the series of `labels` to `value` (gauges). */
  set(labels: Labels, value: number): void {
    this.#values.set(keyOf(this.labelNames, labels), { labels, value });
  }

  /** The value of the series of `labels` (0 when never set). */
  get(labels: Labels = {}): number {
    return this.#values.get(keyOf(this.labelNames, labels))?.value ?? 0;
  }

  /** Appends the family's lines to `out`. */
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    for (const { labels, value } of this.#values.values()) {
      out.push(`${this.name}${formatLabels(labels)} ${formatNumber(value)}`);
    }
  }
}

/** A histogram family: cumulative buckets, sum and count per label set. */
export class Histogram implements Family {
  readonly #series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();

  /** A histogram `name` with upper bounds `buckets` (ascending; `+Inf` is added). */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
    readonly labelNames: readonly string[] = [],
  ) {}

  /** Records one observation of `value`. */
  observe(labels: Labels, value: number): void {
    const key = keyOf(this.labelNames, labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]) series.counts[i]++;
    }
    series.sum += value;
    series.count++;
  }

  /** Appends the family's lines to `out`. */
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`);
    for (const { labels, counts, sum, count } of this.#series.values()) {
      this.buckets.forEach((bound, i) => {
        out.push(
          `${this.name}_bucket${formatLabels(labels, ["le", formatNumber(bound)])} ${counts[i]}`,
        );
      });
      out.push(`${this.name}_bucket${formatLabels(labels, ["le", "+Inf"])} ${count}`);
      out.push(`${this.name}_sum${formatLabels(labels)} ${formatNumber(sum)}`);
      out.push(`${this.name}_count${formatLabels(labels)} ${count}`);
    }
  }
}

/** Renders `families` as one exposition text. */
export function renderExposition(families: readonly Family[]): string {
  const out: string[] = [];
  for (const family of families) family.render(out);
  return out.join("\n") + "\n";
}
