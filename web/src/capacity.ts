// The Capacity view (#capacity): the answer of GET /api/v1/capacity for the chosen MonoVertex or
// vertex as two uPlot charts and a table. The first draws, per whole UTC day, the peak and mean
// read rates (left axis) and the sink and processing quantiles (right axis), each trended quantity
// with its least-squares line over the days (thin) and projected `horizon` days ahead (dashed);
// the second draws the sink quantile against the read rate of the 10 load deciles. The trend
// numbers (%/week, r2, projected) are in the table beside the first chart.

import uPlot from 'uplot';

import {
  dayAxis,
  dayValues,
  decilePoints,
  distinctLabels,
  formatPercentPerWeek,
  trendLines,
  type CapacityAnswer,
  type CapacityTrend,
  type TrendName,
} from './capacity_math';
import { formatSeconds } from './diagnosis';
import { chooseScale, formatNumber, formatValue, quantileName, type Scale } from './format';

const COLOURS: Record<TrendName | 'read_rate_mean', string> = {
  read_rate_peak: '#2463eb',
  read_rate_mean: '#0c8599',
  sink_quantile_seconds: '#e8590c',
  processing_quantile_seconds: '#2b8a3e',
};
const PROJECTION_DASH = [6, 4];
const HEIGHT = 320;

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function axisStyle(): uPlot.Axis {
  const grid = cssVar('--grid', 'rgba(0,0,0,0.08)');
  return { stroke: cssVar('--muted', '#5c6577'), grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
}

// A y scale from zero (or below it, for a projection that falls under it) to the largest value:
// growth reads in proportion, not magnified by a range fitted to the data.
const fromZero: uPlot.Range.Function = (_u, min, max) =>
  uPlot.rangeNum(Math.min(0, min ?? 0), Math.max(max ?? 1, Number.MIN_VALUE), 0.1, true);

// A value on the latency axis (`scale` chosen from every latency drawn) as the legend shows it.
const latencyValue = (scale: Scale) => (_u: uPlot, v: number | null): string =>
  formatValue(v, { suffix: scale.suffix, factor: 1 });
const rateValue = (_u: uPlot, v: number | null): string => formatValue(v, { suffix: ' /s', factor: 1 });

// One figure of the page: a title, a plot box, and the uPlot drawn in it (kept to be resized).
class Figure {
  readonly element: HTMLElement;
  readonly plotBox: HTMLElement;
  plot: uPlot | null = null;

  constructor(className: string, title: string) {
    this.element = element('figure', `capacity-figure ${className}`);
    this.plotBox = element('div', 'plot');
    this.element.append(element('figcaption', '', title), this.plotBox);
  }

  draw(options: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData): void {
    this.clear();
    this.plot = new uPlot({ ...options, width: this.width(), height: HEIGHT }, data, this.plotBox);
  }

  note(text: string): void {
    this.clear();
    this.plotBox.append(element('div', 'empty', text));
  }

  clear(): void {
    this.plot?.destroy();
    this.plot = null;
    this.plotBox.replaceChildren();
  }

  fit(): void {
    if (this.plot && this.width() !== this.plot.width) this.plot.setSize({ width: this.width(), height: HEIGHT });
  }

  private width(): number {
    return Math.max(300, this.plotBox.clientWidth);
  }
}

// A slope with its sign: "+2.00", "-450 µs", "0".
function signed(format: (v: number | null) => string, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  if (v === 0) return format(0);
  return `${v > 0 ? '+' : '-'}${format(Math.abs(v))}`;
}

export class CapacityView {
  readonly element: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly days = new Figure('capacity-days', 'Per day: read rates and latency quantiles, trends and projection (dashed)');
  private readonly deciles = new Figure('capacity-deciles', 'Latency against load: the sink quantile of each load decile');
  private readonly trends: HTMLTableElement;
  private readonly warnings: HTMLUListElement;
  private readonly resize = new ResizeObserver(() => {
    this.days.fit();
    this.deciles.fit();
  });

  constructor(section: HTMLElement) {
    this.element = section;
    const head = element('div', 'chart-head');
    this.meta = element('span', 'meta');
    head.append(element('h2', '', 'Capacity'), this.meta);
    this.trends = element('table', 'capacity-trends');
    this.trends.id = 'capacity-trends';
    const top = element('div', 'capacity-row');
    top.append(this.days.element, this.trends);
    this.warnings = element('ul', 'warnings');
    section.replaceChildren(head, top, this.deciles.element, this.warnings);
    this.resize.observe(this.days.plotBox);
    this.resize.observe(this.deciles.plotBox);
  }

  loading(): void {
    this.element.dataset.state = 'loading';
  }

  // The call failed: main.ts shows the API's error in the page's error area; the charts are
  // emptied so that they do not stand for another object's answer.
  failed(): void {
    this.clear();
    this.element.dataset.state = 'error';
  }

  // Nothing to ask for, and why.
  empty(message: string): void {
    this.clear();
    this.days.note(message);
    this.element.dataset.state = 'empty';
  }

  show(answer: CapacityAnswer, warnings: string[]): void {
    const q = quantileName(answer.quantile);
    const subject = answer.object === 'vertex' ? `vertex ${answer.pipeline}/${answer.vertex}` : `MonoVertex ${answer.mvtx}`;
    const first = answer.days[0]?.date ?? answer.range.start;
    const last = answer.days[answer.days.length - 1]?.date ?? answer.range.end;
    this.meta.textContent = `${subject}, ${q}, ${answer.days.length} days ${first} .. ${last} (UTC), ` +
      `horizon ${answer.horizon} days${answer.cache ? `, cache ${answer.cache}` : ''}`;
    this.drawDays(answer, q);
    this.drawDeciles(answer, q);
    this.fillTrends(answer, q);
    this.warnings.replaceChildren(...warnings.map((w) => element('li', '', w)));
    const points = decilePoints(answer.load_latency);
    this.element.dataset.days = String(answer.days.length);
    this.element.dataset.daysWithData = String(answer.days.filter((d) => d.read_rate_peak !== null).length);
    this.element.dataset.horizon = String(answer.horizon);
    this.element.dataset.deciles = String(points.x.length);
    this.element.dataset.state = 'ready';
  }

  private clear(): void {
    this.days.clear();
    this.deciles.clear();
    this.trends.replaceChildren();
    this.warnings.replaceChildren();
    this.meta.textContent = '';
    for (const key of ['days', 'daysWithData', 'horizon', 'deciles']) delete this.element.dataset[key];
  }

  private drawDays(answer: CapacityAnswer, q: string): void {
    const n = answer.days.length;
    const horizon = answer.horizon;
    const xs = dayAxis(answer, horizon);
    const lines = (name: TrendName) => trendLines(answer.trend[name], n, horizon);
    const peak = lines('read_rate_peak');
    const sink = lines('sink_quantile_seconds');
    const processing = lines('processing_quantile_seconds');
    const latencies = [
      dayValues(answer.days, 'sink_quantile_seconds', horizon), sink.fit, sink.projection,
      dayValues(answer.days, 'processing_quantile_seconds', horizon), processing.fit, processing.projection,
    ];
    const scale = chooseScale('seconds', latencies.flat());
    const scaled = latencies.map((ys) => ys.map((v) => (v === null ? null : v * scale.factor)));
    const rates = [dayValues(answer.days, 'read_rate_peak', horizon), peak.fit, peak.projection,
      dayValues(answer.days, 'read_rate_mean', horizon)];
    if (n === 0) {
      this.days.note('No days in the answer.');
      return;
    }
    const measured = (label: string, colour: string, scaleKey: string, value: uPlot.Series['value']): uPlot.Series => ({
      label, stroke: colour, width: 2, scale: scaleKey, spanGaps: false, points: { show: true, size: 5 }, value,
    });
    const fitted = (label: string, colour: string, scaleKey: string, value: uPlot.Series['value'], dash: number[]): uPlot.Series => ({
      label, stroke: colour, width: 1.5, dash, scale: scaleKey, points: { show: false }, value, alpha: 0.8,
    });
    const lat = latencyValue(scale);
    const series: uPlot.Series[] = [
      { label: 'day', value: (_u, v) => (v === null ? '–' : new Date(v * 1000).toISOString().slice(0, 10)) },
      measured('peak read/s', COLOURS.read_rate_peak, 'rate', rateValue),
      fitted('peak trend', COLOURS.read_rate_peak, 'rate', rateValue, []),
      fitted('peak projection', COLOURS.read_rate_peak, 'rate', rateValue, PROJECTION_DASH),
      measured('mean read/s', COLOURS.read_rate_mean, 'rate', rateValue),
      measured(`sink ${q}`, COLOURS.sink_quantile_seconds, 'latency', lat),
      fitted('sink trend', COLOURS.sink_quantile_seconds, 'latency', lat, []),
      fitted('sink projection', COLOURS.sink_quantile_seconds, 'latency', lat, PROJECTION_DASH),
      measured(`processing ${q}`, COLOURS.processing_quantile_seconds, 'latency', lat),
      fitted('processing trend', COLOURS.processing_quantile_seconds, 'latency', lat, []),
      fitted('processing projection', COLOURS.processing_quantile_seconds, 'latency', lat, PROJECTION_DASH),
    ];
    const axis = axisStyle();
    this.days.draw({
      series,
      legend: { live: true },
      cursor: { focus: { prox: 24 } },
      focus: { alpha: 0.35 },
      scales: { x: { time: true }, rate: { range: fromZero }, latency: { range: fromZero } },
      axes: [
        { ...axis, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) },
        { ...axis, scale: 'rate', size: 70, label: 'read/s', labelSize: 20, values: (_u, ticks) => distinctLabels(ticks, formatNumber) },
        { ...axis, scale: 'latency', side: 1, size: 70, grid: { show: false }, values: (_u, ticks) => distinctLabels(ticks, formatNumber, scale.suffix) },
      ],
    }, [xs, rates[0], rates[1], rates[2], rates[3], ...scaled]);
    this.days.element.dataset.points = String(n);
    this.days.element.dataset.projectionDays = String(horizon);
  }

  private drawDeciles(answer: CapacityAnswer, q: string): void {
    const points = decilePoints(answer.load_latency);
    this.deciles.element.dataset.points = String(points.x.length);
    if (points.x.length === 0) {
      this.deciles.note('No 5-minute steps with a read rate in these days.');
      return;
    }
    const scale = chooseScale('seconds', points.y);
    const axis = axisStyle();
    this.deciles.draw({
      series: [
        { label: 'read/s', value: rateValue },
        {
          label: `sink ${q}`, stroke: COLOURS.sink_quantile_seconds, width: 2, spanGaps: true,
          points: { show: true, size: 7 }, value: latencyValue(scale),
        },
      ],
      legend: { live: true },
      scales: { x: { time: false }, y: { range: fromZero } },
      axes: [
        { ...axis, label: 'read/s (median of the decile)', labelSize: 20, values: (_u, ticks) => distinctLabels(ticks, formatNumber) },
        { ...axis, size: 70, values: (_u, ticks) => distinctLabels(ticks, formatNumber, scale.suffix) },
      ],
    }, [points.x, points.y.map((v) => (v === null ? null : v * scale.factor))]);
  }

  private fillTrends(answer: CapacityAnswer, q: string): void {
    const head = element('tr', '');
    for (const title of ['Trend', 'per day', 'per week', 'r²', `at +${answer.horizon} d`, 'days']) head.append(element('th', '', title));
    const rows: [TrendName, string, (v: number | null) => string][] = [
      ['read_rate_peak', 'peak read/s', (v) => (v === null || !Number.isFinite(v) ? '–' : formatNumber(v))],
      ['sink_quantile_seconds', `sink ${q}`, formatSeconds],
      ['processing_quantile_seconds', `processing ${q}`, formatSeconds],
    ];
    const body = rows.map(([name, label, format]) => {
      const t: CapacityTrend | undefined = answer.trend[name];
      const tr = element('tr', '');
      tr.dataset.trend = name;
      const slope = t?.slope_per_day ?? null;
      const swatch = element('span', 'swatch');
      swatch.style.background = COLOURS[name];
      const th = element('th', '');
      th.append(swatch, label);
      tr.append(
        th,
        element('td', 'slope', signed(format, slope)),
        element('td', 'change', formatPercentPerWeek(t?.change_percent_per_week)),
        element('td', 'r2', t?.r2 === null || t?.r2 === undefined ? '–' : t.r2.toFixed(3)),
        element('td', 'projected', format(t?.projected ?? null)),
        element('td', 'days-used', String(t?.days_used ?? 0)),
      );
      return tr;
    });
    const thead = element('thead', '');
    thead.append(head);
    const tbody = element('tbody', '');
    tbody.append(...body);
    this.trends.replaceChildren(element('caption', '', 'Least-squares trend over the days with values'), thead, tbody);
  }
}
