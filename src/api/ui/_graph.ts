/**
 * The job DAG as SVG, laid out by `@dagrejs/dagre` (the only module that imports it), and the
 * Gantt timeline of a run's jobs. Each node shows its job id and its status as text; colour
 * only repeats what the text says. Nodes link to the job's section of the page, so the graph
 * is reachable by keyboard.
 *
 * @module
 */

import dagre, { type Edge } from "@dagrejs/dagre";
import { durationText, html, type Markup, statusWord } from "./_layout.ts";

/** One job of the graph. */
export interface GraphJob {
  readonly id: string;
  readonly needs: readonly string[];
  /** Status to colour and print (`PENDING` before it starts); absent on a workflow's own
   * graph, which shows no run. */
  readonly status?: string;
  /** A second line (stage count, duration…). */
  readonly detail?: string;
  /** Where the node links to. */
  readonly href?: string;
}

const NODE_HEIGHT = 52;
const CHAR_WIDTH = 7.4;

function nodeWidth(job: GraphJob): number {
  const second = `${job.status ? `${job.status} · ` : ""}${job.detail ?? ""}`;
  const longest = Math.max(job.id.length, second.length * 0.85, 12);
  return Math.min(260, Math.max(120, Math.round(longest * CHAR_WIDTH) + 28));
}

function clip(text: string, width: number): string {
  const max = Math.floor((width - 16) / CHAR_WIDTH);
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/**
 * The DAG of `jobs` (edges from each need to its dependant) as an `<svg>` with a title and a
 * text description listing every job with its status and needs.
 */
export function dagSvg(jobs: readonly GraphJob[], label: string): Markup {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 56, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  const known = new Set(jobs.map((job) => job.id));
  for (const job of jobs) graph.setNode(job.id, { width: nodeWidth(job), height: NODE_HEIGHT });
  for (const job of jobs) {
    for (const need of job.needs) if (known.has(need)) graph.setEdge(need, job.id);
  }
  dagre.layout(graph);
  const size = graph.graph();
  const width = Math.ceil(size.width ?? 0);
  const height = Math.ceil(size.height ?? 0);
  const edges = graph.edges().map((edge: Edge) => {
    const points = graph.edge(edge).points ?? [];
    if (points.length < 2) return "";
    const d = points.map((p: { x: number; y: number }, i: number) =>
      `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`
    )
      .join(" ");
    return html`<path class="edge" d="${d}" marker-end="url(#arrow)"></path>`;
  });
  const nodes = jobs.map((job) => {
    const node = graph.node(job.id);
    const x = node.x - node.width / 2;
    const y = node.y - node.height / 2;
    const status = job.status ?? "DEFINED";
    const second = [job.status && statusWord(job.status), job.detail].filter(Boolean).join(" · ");
    const body = html`
      <rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${node.width}" height="${node
        .height}" rx="6"></rect>
      <text x="${(x + 10).toFixed(1)}" y="${(y + 21).toFixed(1)}">${clip(job.id, node.width)}</text>
      <text class="sub" x="${(x + 10).toFixed(1)}" y="${(y + 40).toFixed(1)}">${clip(
        second,
        node.width,
      )}</text>
    `;
    // A link's name is its text (job id, then status): what is seen is what is read.
    return html`<g class="node s-${status}" data-job="${job.id}">${
      job.href ? html`<a href="${job.href}">${body}</a>` : body
    }</g>`;
  });
  const description = jobs.map((job) =>
    `${job.id}${job.status ? ` ${statusWord(job.status)}` : ""}` +
    (job.needs.length ? ` (needs ${job.needs.join(", ")})` : "")
  ).join("; ");
  // With links inside, the graph is a group (an image may not hold interactive content).
  const role = jobs.some((job) => job.href) ? "group" : "img";
  return html`
    <div class="graph">
      <svg role="${role}" aria-labelledby="dag-title dag-desc" viewBox="0 0 ${width} ${height}"
        width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
    <title id="dag-title">${label}</title><desc id="dag-desc">${description}</desc>
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10 z"></path></marker></defs>
    ${edges}${nodes}</svg>
    </div>
  `;
}

/** One bar of the Gantt timeline. */
export interface GanttBar {
  readonly label: string;
  readonly status: string;
  /** Epoch ms. */
  readonly start: number;
  /** Epoch ms; a bar still running ends at `now`. */
  readonly end: number;
}

/**
 * A Gantt timeline: one row per bar, scaled from the earliest start to the latest end, with
 * each bar's status and duration written beside it.
 */
export function ganttSvg(bars: readonly GanttBar[], label: string): Markup {
  if (bars.length === 0) return html`<p class="muted">No job has started yet.</p>`;
  const t0 = Math.min(...bars.map((b) => b.start));
  const t1 = Math.max(...bars.map((b) => b.end), t0 + 1);
  const labelWidth = Math.min(220, Math.max(90, ...bars.map((b) => b.label.length * 7.2 + 16)));
  const chart = 560;
  const row = 26;
  const width = Math.ceil(labelWidth + chart + 190);
  const height = bars.length * row + 28;
  const scale = chart / (t1 - t0);
  const rows = bars.map((bar, i) => {
    const y = i * row + 6;
    const x = labelWidth + (bar.start - t0) * scale;
    const w = Math.max(2, (bar.end - bar.start) * scale);
    const text = `${statusWord(bar.status)} ${durationText(bar.end - bar.start)}`;
    return html`
      <g>
        <text class="lbl" x="4" y="${y + 14}">${clip(bar.label, labelWidth)}</text>
        <rect class="bar s-${bar.status}" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}"
          height="${row - 10}" rx="3">
          <title>${bar.label}: ${text}</title>
        </rect>
        <text class="lbl" x="${(x + w + 6).toFixed(1)}" y="${y + 14}">${text}</text>
      </g>
    `;
  });
  const axisY = bars.length * row + 8;
  return html`
    <div class="graph">
      <svg role="img" aria-label="${label}" viewBox="0 0 ${width} ${height}" width="${width}"
        height="${height}" xmlns="http://www.w3.org/2000/svg">
    ${rows}<line class="axis" x1="${labelWidth}" x2="${labelWidth +
      chart}" y1="${axisY}" y2="${axisY}"></line>
    <text class="lbl" x="${labelWidth}" y="${axisY +
      16}">0 s</text><text class="lbl" x="${labelWidth + chart - 60}" y="${axisY +
      16}">${durationText(t1 - t0)}</text></svg>
    </div>
  `;
}
