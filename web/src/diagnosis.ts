// The findings panel above the chart: the answer of GET /api/v1/diagnosis for the chosen
// MonoVertex (or the pipeline of the chosen vertex) over the chart's range. Findings as sentences
// with their severity in words, a MonoVertex's stage shares as one stacked bar, a pipeline's
// vertices as a row. A slow pod's finding is a button: main.ts filters the chart to the pod and
// marks since when it is slow.

import { formatNumber, formatValue, quantileName } from './format';

export interface Finding {
  kind: string; // slow_pod | latency_regression | sink_errors | backlog_growing | ...
  severity: 'critical' | 'warning';
  subject: string;
  subject_kind: string; // pod | stage | vertex | mono-vertex | pipeline
  message: string;
  since: string | null;
  since_unix: number | null;
}
export interface StageFigures {
  stage: string;
  share: number | null;
  mean_seconds: number | null;
  quantile_seconds: number | null;
}
export interface VertexFigures {
  vertex: string;
  vertex_type: string;
  pending: number | null;
  pending_growth: number | null;
  processing_quantile_seconds: number | null;
  bottleneck: boolean;
}
export interface Diagnosis {
  object: 'mono-vertex' | 'pipeline';
  namespace: string;
  mvtx?: string;
  pipeline?: string;
  quantile: number;
  range: { start: string; end: string; start_unix: number; end_unix: number };
  cache?: string;
  stages?: StageFigures[];
  bottleneck_stage?: string | null;
  vertices?: VertexFigures[];
  bottleneck_vertex?: string | null;
  findings: Finding[];
}

// A latency in µs, ms or s by its own size.
export function formatSeconds(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v > 0 && v < 1e-3) return formatValue(v * 1e6, { suffix: ' µs', factor: 1 });
  if (v > 0 && v < 1) return formatValue(v * 1e3, { suffix: ' ms', factor: 1 });
  return formatValue(v, { suffix: ' s', factor: 1 });
}

// A share in [0, 1] as a percentage with one decimal ("62.4%").
export function formatShare(share: number | null): string {
  return share === null || !Number.isFinite(share) ? '–' : `${(share * 100).toFixed(1)}%`;
}

const SEVERITY_WORDS: Record<string, string> = { critical: 'Critical', warning: 'Warning' };

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export class DiagnosisPanel {
  readonly element: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly status: HTMLElement;
  private readonly findings: HTMLUListElement;
  private readonly shape: HTMLElement;

  // `onSlowPod` runs when a slow pod's finding is clicked.
  constructor(panel: HTMLElement, private readonly onSlowPod: (finding: Finding) => void) {
    this.element = panel;
    const head = element('div', 'diagnosis-head');
    this.meta = element('span', 'meta');
    head.append(element('h2', '', 'Findings'), this.meta);
    this.status = element('p', 'diagnosis-status');
    this.status.setAttribute('role', 'status');
    this.findings = element('ul', 'findings');
    this.findings.id = 'findings';
    this.shape = element('div', 'diagnosis-shape');
    panel.replaceChildren(head, this.status, this.findings, this.shape);
  }

  hide(): void {
    this.element.hidden = true;
    this.element.dataset.state = 'empty';
  }

  loading(): void {
    this.element.hidden = false;
    this.element.dataset.state = 'loading';
  }

  // The diagnosis failed: the reason in the panel, the chart unaffected.
  failed(message: string): void {
    this.element.hidden = false;
    this.status.textContent = `Diagnosis failed: ${message}`;
    this.status.className = 'diagnosis-status diagnosis-error';
    this.findings.replaceChildren();
    this.shape.replaceChildren();
    this.meta.textContent = '';
    this.element.dataset.state = 'error';
  }

  show(d: Diagnosis): void {
    this.element.hidden = false;
    this.status.textContent = '';
    this.status.className = 'diagnosis-status';
    const subject = d.object === 'pipeline' ? `pipeline ${d.pipeline}` : `MonoVertex ${d.mvtx}`;
    this.meta.textContent = `${subject}, ${quantileName(d.quantile)}, ${d.range.start} .. ${d.range.end}` +
      `${d.cache ? `, cache ${d.cache}` : ''}`;
    this.findings.replaceChildren(...(d.findings.length > 0
      ? d.findings.map((f) => this.finding(f))
      : [element('li', 'finding none', 'No findings')]));
    if (d.object === 'pipeline') this.shape.replaceChildren(vertexRow(d.vertices ?? [], d.quantile));
    else this.shape.replaceChildren(stageBar(d.stages ?? [], d.bottleneck_stage ?? null));
    this.element.dataset.object = d.object;
    this.element.dataset.findings = String(d.findings.length);
    this.element.dataset.state = 'ready';
  }

  private finding(f: Finding): HTMLLIElement {
    const li = element('li', `finding severity-${f.severity}`);
    li.dataset.kind = f.kind;
    li.dataset.severity = f.severity;
    li.dataset.subject = f.subject;
    li.dataset.subjectKind = f.subject_kind;
    if (f.since_unix !== null) li.dataset.sinceUnix = String(f.since_unix);
    // The severity in words (and a symbol), not in colour alone.
    const badge = element('span', 'severity', `${f.severity === 'critical' ? '✖' : '⚠'} ${SEVERITY_WORDS[f.severity] ?? f.severity}`);
    const sentence = `${f.message.charAt(0).toUpperCase()}${f.message.slice(1)}${/[.!?]$/.test(f.message) ? '' : '.'}`;
    if (f.kind === 'slow_pod' && f.subject_kind === 'pod') {
      const button = element('button', 'finding-action', sentence);
      button.type = 'button';
      button.title = `Show only ${f.subject} in the chart${f.since ? ` and mark ${f.since}` : ''}`;
      button.addEventListener('click', () => this.onSlowPod(f));
      li.append(badge, ' ', button);
    } else {
      li.append(badge, ' ', element('span', 'message', sentence));
    }
    return li;
  }
}

// A MonoVertex's stages as one horizontal stacked bar (a segment per stage, as wide as its share)
// and a legend naming each with its share and mean; the bottleneck stage is marked in words.
function stageBar(stages: StageFigures[], bottleneck: string | null): HTMLElement {
  const box = element('div', 'stages');
  box.id = 'stages';
  if (stages.length === 0) {
    box.append(element('p', 'hint', 'No stage timings in this range.'));
    return box;
  }
  box.append(element('h3', '', 'Where the time goes (share of the mean batch time)'));
  const bar = element('div', 'stage-bar');
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', stages.map((s) => `${s.stage} ${formatShare(s.share)}`).join(', '));
  const legend = element('ol', 'stage-legend');
  stages.forEach((s, i) => {
    const isBottleneck = s.stage === bottleneck;
    const segment = element('div', `stage-segment stage-${i % 8}${isBottleneck ? ' bottleneck' : ''}`);
    segment.style.flexGrow = String(Math.max(0, s.share ?? 0));
    segment.title = `${s.stage}: ${formatShare(s.share)}, mean ${formatSeconds(s.mean_seconds)}`;
    if ((s.share ?? 0) >= 0.08) segment.textContent = `${s.stage} ${formatShare(s.share)}`;
    bar.append(segment);
    const item = element('li', `stage${isBottleneck ? ' bottleneck' : ''}`);
    item.dataset.stage = s.stage;
    item.dataset.share = String(s.share ?? '');
    item.dataset.bottleneck = String(isBottleneck);
    item.append(element('span', `swatch stage-${i % 8}`), element('span', 'stage-name', s.stage), ' ',
      element('span', 'stage-share', formatShare(s.share)),
      element('span', 'hint', ` mean ${formatSeconds(s.mean_seconds)}`));
    if (isBottleneck) item.append(' ', element('span', 'tag', 'bottleneck'));
    legend.append(item);
  });
  box.append(bar, legend);
  return box;
}

// A pipeline's vertices in the API's order (sources first, sinks last), each with its pending and
// processing quantile; the bottleneck marked in words.
function vertexRow(vertices: VertexFigures[], quantile: number): HTMLElement {
  const box = element('div', 'vertices');
  box.id = 'vertices';
  if (vertices.length === 0) {
    box.append(element('p', 'hint', 'No vertices in this range.'));
    return box;
  }
  const row = element('ol', 'vertex-row');
  for (const v of vertices) {
    const item = element('li', `vertex${v.bottleneck ? ' bottleneck' : ''}`);
    item.dataset.vertex = v.vertex;
    item.dataset.bottleneck = String(v.bottleneck);
    const name = element('div', 'vertex-name', v.vertex);
    if (v.bottleneck) name.append(' ', element('span', 'tag', 'bottleneck'));
    const growth = v.pending_growth === null ? '' : ` (${v.pending_growth >= 0 ? '+' : ''}${formatNumber(v.pending_growth)})`;
    item.append(
      name,
      element('div', 'hint', v.vertex_type),
      element('div', 'vertex-pending', `pending ${v.pending === null ? '–' : formatNumber(v.pending)}${growth}`),
      element('div', 'vertex-processing', `processing ${quantileName(quantile)} ${formatSeconds(v.processing_quantile_seconds)}`),
    );
    row.append(item);
  }
  box.append(row);
  return box;
}
