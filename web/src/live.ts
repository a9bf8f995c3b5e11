// The chart's data kept current by a stream's `points` events (docs/api.md, the stream of a
// metric): a point replaces the one with its timestamp or is added in time order, a series not yet
// shown is added, and what the new window no longer covers is dropped.

import type { MetricAnswer, Series } from './api';

// The data of a `points` event.
export interface PointsUpdate {
  series: Series[];
  range: MetricAnswer['range'];
}

// One series' identity: its labels (in any order) and quantile.
export function seriesKey(s: Pick<Series, 'labels' | 'quantile'>): string {
  const labels = Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([labels, s.quantile ?? null]);
}

// `points` merged into `old`: the timestamps of both, in order, a point of `update` winning.
function mergeSeriesPoints(old: Series['points'], update: Series['points']): Series['points'] {
  const byTime = new Map<number, number | null>();
  for (const [t, v] of old) byTime.set(t, v);
  for (const [t, v] of update) byTime.set(t, v);
  return Array.from(byTime, ([t, v]): [number, number | null] => [t, v]).sort((a, b) => a[0] - b[0]);
}

// `answer` with `update` applied, as a new answer (`answer` is left as it was). A series left
// with no point in the new window is dropped.
export function applyPoints(answer: MetricAnswer, update: PointsUpdate): MetricAnswer {
  const updates = new Map(update.series.map((s) => [seriesKey(s), s]));
  const series: Series[] = answer.series.map((s) => {
    const u = updates.get(seriesKey(s));
    updates.delete(seriesKey(s));
    return u ? { ...s, points: mergeSeriesPoints(s.points, u.points) } : s;
  });
  for (const s of updates.values()) series.push({ ...s, points: mergeSeriesPoints([], s.points) });
  const start = update.range.start_unix;
  const kept = series
    .map((s) => ({ ...s, points: s.points.filter(([t]) => t >= start) }))
    .filter((s) => s.points.length > 0);
  return { ...answer, range: update.range, series: kept };
}
