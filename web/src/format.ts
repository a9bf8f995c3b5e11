// Units and names as a reader wants them: latencies in µs, ms or s by their size, series named by
// their labels and quantile ("orders-mv-0-abcde p99").

import type { Series } from './api';

export interface Scale {
  suffix: string; // shown after values, e.g. "ms"
  factor: number; // API value * factor = shown value
}

// The unit to show values of `unit` in, chosen from the largest magnitude in the data.
export function chooseScale(unit: string, values: Iterable<number | null>): Scale {
  if (unit !== 'seconds') return { suffix: unit === '%' ? '%' : unit ? ` ${unit}` : '', factor: 1 };
  let max = 0;
  for (const v of values) if (v !== null && Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  if (max > 0 && max < 1e-3) return { suffix: ' µs', factor: 1e6 };
  if (max > 0 && max < 1) return { suffix: ' ms', factor: 1e3 };
  return { suffix: ' s', factor: 1 };
}

// A number with about three significant digits, without exponent for everyday sizes.
export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e6 || a < 1e-3) return v.toPrecision(3);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

export function formatValue(v: number | null | undefined, scale: Scale): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return formatNumber(v) + scale.suffix;
}

// 0.99 -> "p99", 0.5 -> "p50", 0.999 -> "p99.9"
export function quantileName(q: number): string {
  return `p${Number((q * 100).toFixed(3))}`;
}

export function seriesName(s: Series, metric: string): string {
  const labels = Object.entries(s.labels)
    .filter(([k]) => k !== 'namespace')
    .map(([k, v]) => (k === 'pod' || k === 'mvtx_name' || k === 'vertex' ? v : `${k}=${v}`));
  const parts = [...labels];
  if (s.quantile !== undefined) parts.push(quantileName(s.quantile));
  return parts.length > 0 ? parts.join(' ') : metric;
}

// Shell-quoted for a POSIX shell: single quotes, with ' written as '\''.
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
