// The Capacity view's numbers, without the DOM: the answer of GET /api/v1/capacity (docs/api.md,
// "Capacity"), the time axis of its days and their projection, each trend's line over the days
// and ahead of them, and the load/latency deciles as points. Unit-tested in Node
// (tests/browser/capacity.test.mjs).

export interface CapacityDay {
  date: string; // YYYY-MM-DD, a whole UTC day
  read_rate_mean: number | null;
  read_rate_peak: number | null;
  sink_quantile_seconds: number | null;
  processing_quantile_seconds: number | null;
  pods_max: number | null;
}
export interface CapacityTrend {
  slope_per_day: number | null;
  intercept: number | null; // the line at the first day
  r2: number | null;
  projected: number | null; // the line `horizon` days after the last day
  change_percent_per_week: number | null;
  days_used: number;
}
export interface CapacityDecile {
  decile: number; // 1 (the lowest load) .. 10
  read_rate: number | null;
  sink_quantile_seconds: number | null;
  steps: number;
}
export const TRENDS = ['read_rate_peak', 'sink_quantile_seconds', 'processing_quantile_seconds'] as const;
export type TrendName = (typeof TRENDS)[number];
export interface CapacityAnswer {
  object: 'mono-vertex' | 'vertex';
  namespace: string;
  mvtx?: string;
  pipeline?: string;
  vertex?: string;
  quantile: number;
  days_requested: number;
  horizon: number;
  range: { start: string; end: string; start_unix: number; end_unix: number };
  cache?: string;
  days: CapacityDay[];
  trend: Record<TrendName, CapacityTrend>;
  load_latency: CapacityDecile[];
  queries: string[];
}

export const DAY_SECONDS = 86400;
// The API's bounds (CONTRACT-17), and the view's defaults.
export const DAYS_MIN = 2;
export const DAYS_MAX = 90;
export const DAYS_DEFAULT = 30;
export const HORIZON_MIN = 0;
export const HORIZON_MAX = 365;
export const HORIZON_DEFAULT = 30;

// Unix seconds of a YYYY-MM-DD date's UTC midnight; NaN for anything else.
export function dayUnix(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000 : NaN;
}

// The daily chart's x axis: each day's midnight (the days are consecutive, oldest first), then
// `horizon` more days, the projection's. From the first day's date, else the range's start.
export function dayAxis(answer: Pick<CapacityAnswer, 'days' | 'range'>, horizon: number): number[] {
  const first = answer.days.length > 0 ? dayUnix(answer.days[0].date) : NaN;
  const start = Number.isFinite(first) ? first : answer.range.start_unix;
  const count = answer.days.length + Math.max(0, horizon);
  return Array.from({ length: count }, (_, i) => start + i * DAY_SECONDS);
}

// The trend's line, intercept + slope * x at x = 0 (the first day) .. days - 1 + horizon, as two
// series on dayAxis: `fit` over the days (x <= days - 1), `projection` from the last day
// (x >= days - 1) to the horizon, so that they meet at the last day. Nulls elsewhere, and all
// nulls for a trend without a line (fewer than two days with values).
export function trendLines(
  trend: CapacityTrend | undefined,
  days: number,
  horizon: number,
): { fit: (number | null)[]; projection: (number | null)[] } {
  const count = days + Math.max(0, horizon);
  const fit = new Array<number | null>(count).fill(null);
  const projection = new Array<number | null>(count).fill(null);
  const slope = trend?.slope_per_day;
  const intercept = trend?.intercept;
  if (slope === null || slope === undefined || intercept === null || intercept === undefined || days < 1) {
    return { fit, projection };
  }
  for (let x = 0; x < count; x++) {
    const y = intercept + slope * x;
    if (x <= days - 1) fit[x] = y;
    if (x >= days - 1 && horizon > 0) projection[x] = y;
  }
  return { fit, projection };
}

// A day quantity on dayAxis: the days' values, then nulls over the projection.
export function dayValues(days: CapacityDay[], key: keyof Omit<CapacityDay, 'date'>, horizon: number): (number | null)[] {
  const values: (number | null)[] = days.map((d) => (typeof d[key] === 'number' && Number.isFinite(d[key]) ? d[key] : null));
  for (let i = 0; i < Math.max(0, horizon); i++) values.push(null);
  return values;
}

// The deciles with a read rate, as points of sink latency against load: x ascending (the deciles
// come lowest load first; sorted again so that a chart's x is monotonic), ties by decile.
export function decilePoints(deciles: CapacityDecile[]): { deciles: number[]; x: number[]; y: (number | null)[] } {
  const usable = deciles
    .filter((d) => d.read_rate !== null && Number.isFinite(d.read_rate))
    .sort((a, b) => a.read_rate! - b.read_rate! || a.decile - b.decile);
  return {
    deciles: usable.map((d) => d.decile),
    x: usable.map((d) => d.read_rate!),
    y: usable.map((d) => (d.sink_quantile_seconds !== null && Number.isFinite(d.sink_quantile_seconds) ? d.sink_quantile_seconds : null)),
  };
}

// A whole number typed in a control, within [min, max]; `fallback` when it is not one.
export function boundedInteger(value: string | null, min: number, max: number, fallback: number): number {
  const text = (value ?? '').trim();
  if (!/^\d+$/.test(text)) return fallback;
  return Math.min(max, Math.max(min, Number(text)));
}

// "+12.3%/week" style: a signed percentage with one decimal; "–" when absent.
export function formatPercentPerWeek(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const r = Math.round(v * 10) / 10;
  return `${r > 0 ? '+' : ''}${(r === 0 ? 0 : r).toFixed(1)}%`;
}

// Axis tick labels that tell the ticks apart: `format` first (three significant digits), and where
// two ticks would read the same (a narrow range: 20.51 and 20.52 ms), more digits, up to 8.
export function distinctLabels(ticks: number[], format: (v: number) => string, suffix = ''): string[] {
  let labels = ticks.map((t) => format(t) + suffix);
  for (let digits = 4; digits <= 8 && new Set(labels).size < labels.length; digits++) {
    labels = ticks.map((t) => String(Number(t.toPrecision(digits))) + suffix);
  }
  return labels;
}
