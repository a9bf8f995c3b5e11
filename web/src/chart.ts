// One chart section: a uPlot chart of an answer's series (one line per pod and quantile, nulls as
// gaps), with the live legend as the hover read-out and legend clicks toggling lines, at most one
// labelled vertical marker on the time axis (a slow pod's `since`), and the Live status when a
// stream keeps the answer current.

import uPlot from 'uplot';

import type { MetricAnswer } from './api';
import { chooseScale, formatValue, formatNumber, seriesName, type Scale } from './format';
import { applyPoints, seriesKey, type PointsUpdate } from './live';

const PALETTE = [
  '#2463eb', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0c8599',
  '#e67700', '#5c940d', '#a61e4d', '#1971c2', '#862e9c', '#087f5b',
];
// A pod keeps its colour across quantiles and each quantile has its own dash, so p50 and p99 of
// one pod read as a pair.
const DASHES = [[], [8, 4], [2, 3], [12, 3, 2, 3]];

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

// The position of `key` in first-seen order.
function indexOf(seen: Map<string, number>, key: string): number {
  let i = seen.get(key);
  if (i === undefined) {
    i = seen.size;
    seen.set(key, i);
  }
  return i;
}

// A labelled instant on the time axis.
export interface TimeMarker {
  at: number; // unix seconds
  label: string;
}

// What the Live status says: `state` for styles and tests, `text` for the reader.
export interface LiveStatus {
  state: 'connecting' | 'live' | 'error' | 'reconnecting' | 'paused';
  text: string;
}

// The answer's series on one time axis: every timestamp of any series, in order, and each
// series' values on it (null where it has no point), scaled by `factor`.
function alignedData(answer: MetricAnswer, factor: number): uPlot.AlignedData {
  const xs = [...new Set(answer.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const column = new Map(xs.map((x, i) => [x, i]));
  return [
    xs,
    ...answer.series.map((s) => {
      const ys: (number | null)[] = new Array<number | null>(xs.length).fill(null);
      for (const [t, v] of s.points) ys[column.get(t)!] = v === null ? null : v * factor;
      return ys;
    }),
  ];
}

export class ChartSection {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly liveStatus: HTMLElement;
  private readonly plotBox: HTMLElement;
  private readonly warnings: HTMLUListElement;
  private plot: uPlot | null = null;
  // What the plot draws: its series (by seriesKey) and scale, to redraw in place when only points
  // changed.
  private drawn: { keys: string[]; scale: Scale } | null = null;
  private answer: MetricAnswer | null = null;
  private marker: TimeMarker | null = null;
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(parent: HTMLElement, metric: string) {
    this.element = document.createElement('section');
    this.element.className = 'chart';
    this.element.dataset.metric = metric;
    const head = document.createElement('div');
    head.className = 'chart-head';
    this.title = document.createElement('h2');
    this.meta = document.createElement('span');
    this.meta.className = 'meta';
    this.liveStatus = document.createElement('span');
    this.liveStatus.className = 'live-status';
    this.liveStatus.setAttribute('role', 'status');
    this.liveStatus.hidden = true;
    head.append(this.title, this.meta, this.liveStatus);
    this.plotBox = document.createElement('div');
    this.plotBox.className = 'plot';
    this.warnings = document.createElement('ul');
    this.warnings.className = 'warnings';
    this.element.append(head, this.plotBox, this.warnings);
    parent.append(this.element);
    this.resize.observe(this.plotBox);
  }

  setMetric(metric: string, title: string): void {
    this.element.dataset.metric = metric;
    this.title.textContent = title;
  }

  // Marks `marker` on the time axis of this and every later answer, until it is set to null.
  setMarker(marker: TimeMarker | null): void {
    this.marker = marker;
    if (marker) this.element.dataset.marker = String(marker.at);
    else delete this.element.dataset.marker;
    if (this.plot) this.placeMarker(this.plot);
  }

  get markedAt(): number | null {
    return this.marker?.at ?? null;
  }

  loading(): void {
    this.element.dataset.state = 'loading';
  }

  failed(): void {
    this.element.dataset.state = 'error';
  }

  // No chart to draw, and why (e.g. no namespace to ask for).
  empty(message: string): void {
    this.destroyPlot();
    this.answer = null;
    const note = document.createElement('div');
    note.className = 'empty';
    note.textContent = message;
    this.plotBox.replaceChildren(note);
    this.meta.textContent = '';
    this.warnings.replaceChildren();
    this.element.dataset.seriesCount = '0';
    this.element.dataset.state = 'empty';
  }

  show(answer: MetricAnswer, warnings: string[]): void {
    this.answer = answer;
    this.destroyPlot();
    this.draw();
    this.warnings.replaceChildren(
      ...warnings.map((w) => {
        const li = document.createElement('li');
        li.textContent = w;
        return li;
      }),
    );
    this.element.dataset.state = 'ready';
  }

  // Whether an answer is shown (a later stream event can be applied to it).
  get hasAnswer(): boolean {
    return this.answer !== null;
  }

  // A stream's `points` applied to the answer shown: drawn in place (the legend's hidden lines and
  // the cursor kept) unless a series came or went or the unit changed.
  applyPoints(update: PointsUpdate): void {
    if (!this.answer) return;
    this.answer = applyPoints(this.answer, update);
    this.draw();
  }

  // The Live status beside the chart's title, or none (null) when the chart is not live.
  setLive(status: LiveStatus | null): void {
    this.liveStatus.hidden = status === null;
    this.liveStatus.textContent = status?.text ?? '';
    if (status) this.element.dataset.live = status.state;
    else delete this.element.dataset.live;
  }

  private draw(): void {
    const answer = this.answer!;
    const scale = chooseScale(
      answer.unit,
      (function* () {
        for (const s of answer.series) for (const p of s.points) yield p[1];
      })(),
    );
    const data = alignedData(answer, scale.factor);
    const keys = answer.series.map(seriesKey);
    const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((k, i) => k === b[i]);
    if (this.plot && this.drawn && same(this.drawn.keys, keys) && this.drawn.scale.suffix === scale.suffix &&
        this.drawn.scale.factor === scale.factor) {
      this.plot.setData(data);
    } else {
      this.destroyPlot();
      this.plotBox.replaceChildren();
      if (answer.series.length === 0) {
        const empty = document.createElement('div');
        empty.className = 'empty';
        empty.textContent = 'No data in this range.';
        this.plotBox.append(empty);
      } else {
        this.plot = new uPlot(this.options(this.seriesOptions(answer, scale), scale), data, this.plotBox);
        this.drawn = { keys, scale };
      }
    }
    const r = answer.range;
    this.meta.textContent = `step ${r.step}${r.window ? `, window ${r.window}` : ''}` +
      `${answer.cache ? `, cache ${answer.cache}` : ''}`;
    this.element.dataset.seriesCount = String(answer.series.length);
    // The newest time drawn: a test sees a stream's point arrive on the chart.
    const xs = data[0];
    if (xs.length > 0) this.element.dataset.lastPoint = String(xs[xs.length - 1]);
    else delete this.element.dataset.lastPoint;
  }

  private seriesOptions(answer: MetricAnswer, scale: Scale): uPlot.Series[] {
    const colours = new Map<string, number>();
    const dashes = new Map<string, number>();
    return [
      { label: 'time' },
      ...answer.series.map((s): uPlot.Series => ({
        label: seriesName(s, answer.metric),
        stroke: PALETTE[indexOf(colours, JSON.stringify(s.labels)) % PALETTE.length],
        width: 1.5,
        dash: DASHES[indexOf(dashes, String(s.quantile)) % DASHES.length],
        spanGaps: false,
        points: { show: false },
        value: (_u, v) => formatValue(v, { suffix: scale.suffix, factor: 1 }),
      })),
    ];
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = null;
    this.drawn = null;
  }

  private options(series: uPlot.Series[], scale: Scale): uPlot.Options {
    const fg = cssVar('--muted', '#5c6577');
    const grid = cssVar('--grid', 'rgba(0,0,0,0.08)');
    const longUnit = scale.suffix.trim().length > 2;
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    return {
      width: Math.max(300, this.plotBox.clientWidth),
      height: 360,
      series,
      cursor: { focus: { prox: 24 } },
      focus: { alpha: 0.35 },
      legend: { live: true },
      scales: { x: { time: true } },
      // After every redraw (new data, resize, zoom) the marker follows its instant.
      hooks: { draw: [(u) => this.placeMarker(u)] },
      axes: [
        axis,
        {
          ...axis,
          size: 70,
          // Short units (ms, %) on every tick; long ones (messages/s) once, as the axis label.
          values: (_u, ticks) => ticks.map((t) => formatNumber(t) + (longUnit ? '' : scale.suffix)),
          ...(longUnit ? { label: scale.suffix.trim(), labelSize: 20 } : {}),
        },
      ],
    };
  }

  // The marker as a DOM element over the plot (a dashed line and its label), so that it is text a
  // reader and a test can find; hidden when its instant is outside the x scale.
  private placeMarker(u: uPlot): void {
    let line = u.over.querySelector<HTMLElement>('.time-marker');
    const m = this.marker;
    const x = m ? u.valToPos(m.at, 'x') : NaN;
    const width = u.over.clientWidth;
    if (!m || !Number.isFinite(x) || x < 0 || x > width) {
      line?.remove();
      return;
    }
    if (!line) {
      line = document.createElement('div');
      line.className = 'time-marker';
      line.append(document.createElement('span'));
      u.over.append(line);
    }
    line.style.left = `${x}px`;
    line.dataset.at = String(m.at);
    line.classList.toggle('flip', x > width * 0.7); // the label to the line's left near the right edge
    line.firstElementChild!.textContent = m.label;
  }

  private fit(): void {
    if (!this.plot) return;
    const width = Math.max(300, this.plotBox.clientWidth);
    if (width !== this.plot.width) this.plot.setSize({ width, height: 360 });
  }
}
