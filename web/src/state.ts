// The view as a value, and its form in the URL query string, so that a view can be shared.

import { boundedInteger, DAYS_DEFAULT, DAYS_MAX, DAYS_MIN, HORIZON_DEFAULT, HORIZON_MAX, HORIZON_MIN } from './capacity_math';

export const QUANTILES = ['0.5', '0.9', '0.95', '0.99'];
export const RANGES = ['15m', '1h', '3h', '6h', '12h', '24h', '2d', '7d', 'custom'];
export const STEPS = ['auto', '15s', '30s', '1m', '5m', '15m', '1h'];
export const REFRESHES = ['off', '15s', '1m'];
export const VIEWS = ['metrics', 'capacity'];
export const CAPACITY_QUANTILES = ['0.5', '0.9', '0.95', '0.99', '0.999'];
// The longest range a stream slides over (the server's limit for `range`).
export const LIVE_MAX_SECONDS = 24 * 3600;

export interface ViewState {
  // metrics: the findings and a metric's chart; capacity: GET /api/v1/capacity's days, trends and
  // deciles (the URL's view=capacity).
  view: 'metrics' | 'capacity';
  namespace: string;
  kind: 'mono-vertex' | 'vertex';
  mvtx: string;
  pipeline: string;
  vertex: string;
  metric: string;
  quantiles: string[];
  range: string; // one of RANGES
  start: string; // custom range only, as typed
  end: string;
  step: string;
  groupByPod: boolean;
  pods: string[];
  refresh: string;
  // Live wanted (the URL's live=off is false); it applies to relative ranges of Live's length only
  // (liveAvailable), and is kept while another range is shown.
  live: boolean;
  // The Capacity view: whole UTC days (2-90), the trends' horizon in days (0-365), one quantile.
  days: number;
  horizon: number;
  capacityQuantile: string;
}

export const DEFAULT_STATE: ViewState = {
  view: 'metrics',
  namespace: '',
  kind: 'mono-vertex',
  mvtx: '',
  pipeline: '',
  vertex: '',
  metric: '',
  quantiles: ['0.5', '0.99'],
  range: '1h',
  start: '',
  end: '',
  step: 'auto',
  groupByPod: true,
  pods: [],
  refresh: 'off',
  live: true,
  days: DAYS_DEFAULT,
  horizon: HORIZON_DEFAULT,
  capacityQuantile: '0.99',
};

function list(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function oneOf(value: string | null, allowed: string[], fallback: string): string {
  return value !== null && allowed.includes(value) ? value : fallback;
}

// The quantiles of a URL: numbers in [0, 1], spelt as compared ("0.50", ".5" -> "0.5"), each once;
// others are dropped. None left: the default ones.
function quantilesFrom(value: string | null): string[] {
  const out: string[] = [];
  for (const q of list(value)) {
    const n = Number(q);
    if (!Number.isFinite(n) || n < 0 || n > 1) continue;
    if (!out.includes(String(n))) out.push(String(n));
  }
  return out.length > 0 ? out : [...DEFAULT_STATE.quantiles];
}

export function stateFromUrl(search: string): ViewState {
  const p = new URLSearchParams(search);
  const s: ViewState = { ...DEFAULT_STATE, quantiles: [...DEFAULT_STATE.quantiles], pods: [] };
  s.namespace = p.get('namespace') ?? '';
  if (p.has('pipeline') || p.has('vertex')) {
    s.kind = 'vertex';
    s.pipeline = p.get('pipeline') ?? '';
    s.vertex = p.get('vertex') ?? '';
  } else {
    s.mvtx = p.get('mvtx') ?? '';
  }
  s.metric = p.get('metric') ?? '';
  if (p.has('quantile')) s.quantiles = quantilesFrom(p.get('quantile'));
  if (p.has('start') || p.has('end')) {
    s.range = 'custom';
    s.start = p.get('start') ?? '';
    s.end = p.get('end') ?? '';
  } else {
    s.range = oneOf(p.get('range'), RANGES, DEFAULT_STATE.range);
  }
  s.step = oneOf(p.get('step'), STEPS, 'auto');
  if (p.has('group_by')) s.groupByPod = list(p.get('group_by')).includes('pod');
  s.pods = list(p.get('pod'));
  s.refresh = oneOf(p.get('refresh'), REFRESHES, 'off');
  s.live = p.get('live') !== 'off';
  s.view = p.get('view') === 'capacity' ? 'capacity' : 'metrics';
  s.days = boundedInteger(p.get('days'), DAYS_MIN, DAYS_MAX, DAYS_DEFAULT);
  s.horizon = boundedInteger(p.get('horizon'), HORIZON_MIN, HORIZON_MAX, HORIZON_DEFAULT);
  s.capacityQuantile = oneOf(p.get('capacity_quantile'), CAPACITY_QUANTILES, DEFAULT_STATE.capacityQuantile);
  return s;
}

export function stateToQuery(s: ViewState): string {
  const p = new URLSearchParams();
  if (s.namespace) p.set('namespace', s.namespace);
  if (s.kind === 'vertex') {
    p.set('pipeline', s.pipeline);
    p.set('vertex', s.vertex);
  } else if (s.mvtx) {
    p.set('mvtx', s.mvtx);
  }
  if (s.metric) p.set('metric', s.metric);
  p.set('quantile', s.quantiles.join(','));
  if (s.range === 'custom') {
    if (s.start) p.set('start', s.start);
    if (s.end) p.set('end', s.end);
    if (!s.start && !s.end) p.set('range', 'custom');
  } else {
    p.set('range', s.range);
  }
  if (s.step !== 'auto') p.set('step', s.step);
  p.set('group_by', s.groupByPod ? 'pod' : 'none');
  if (s.pods.length > 0) p.set('pod', s.pods.join(','));
  if (s.refresh !== 'off') p.set('refresh', s.refresh);
  if (!s.live) p.set('live', 'off');
  if (s.view === 'capacity') {
    p.set('view', 'capacity');
    p.set('days', String(s.days));
    p.set('horizon', String(s.horizon));
    p.set('capacity_quantile', s.capacityQuantile);
  }
  // Commas and colons read better unescaped and are legal in a query.
  return p.toString().replace(/%2C/g, ',').replace(/%3A/g, ':');
}

// Seconds in a duration of the form 15s, 30m, 6h, 2d.
export function durationSeconds(d: string): number {
  const m = /^(\d+)([smhd])$/.exec(d);
  if (!m) return 0;
  const mult: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  return Number(m[1]) * mult[m[2]];
}

// Whether Live can show `range`: a relative range that a stream may slide over.
export function liveAvailable(range: string): boolean {
  const seconds = durationSeconds(range);
  return seconds > 0 && seconds <= LIVE_MAX_SECONDS;
}
