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
  // As shown: 0.9996 s is "1.00 s", not "1000 ms".
  max = roundSignificant(max);
  if (max > 0 && max < 1e-3) return { suffix: ' µs', factor: 1e6 };
  if (max > 0 && max < 1) return { suffix: ' ms', factor: 1e3 };
  return { suffix: ' s', factor: 1 };
}

// `v` rounded to three significant digits.
export function roundSignificant(v: number): number {
  return v === 0 || !Number.isFinite(v) ? v : Number(v.toPrecision(3));
}

// A number with about three significant digits, without exponent for everyday sizes. Rounded
// first, then formatted by the rounded size: 99.96 is "100", not "100.0".
export function formatNumber(v: number): string {
  const r = roundSignificant(v);
  const a = Math.abs(r);
  if (a === 0) return '0';
  if (a >= 1e6 || a < 1e-3) return r.toPrecision(3);
  if (a >= 100) return r.toFixed(0);
  if (a >= 10) return r.toFixed(1);
  if (a >= 1) return r.toFixed(2);
  return r.toPrecision(3);
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
