// Unit test of web/src/capacity_math.ts (the Capacity view's numbers: the days' time axis, each
// trend's line over the days and its projection, the load/latency deciles as points, the controls'
// bounds) and of the Capacity view's state in the URL (web/src/state.ts), Node 18 or newer:
// esbuild (from web/node_modules) bundles the TypeScript into ES modules in the output directory,
// which this test imports. run.sh runs it before the browser test.
//
// Environment: NFMETRICS_NODE_MODULES (web/node_modules, holding esbuild), NFMETRICS_CAPACITY_OUT
// (a directory for the bundled copies).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeModules = process.env.NFMETRICS_NODE_MODULES || path.join(here, '../../web/node_modules');
const outDir = process.env.NFMETRICS_CAPACITY_OUT;
if (!outDir) throw new Error('NFMETRICS_CAPACITY_OUT is not set; run this test through tests/browser/run.sh');

const esbuild = createRequire(path.join(nodeModules, 'noop.js'))('esbuild');
mkdirSync(outDir, { recursive: true });
async function bundle(name) {
  const outfile = path.join(outDir, `${name}.mjs`);
  await esbuild.build({
    entryPoints: [path.join(here, `../../web/src/${name}.ts`)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile,
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}
const math = await bundle('capacity_math');
const state = await bundle('state');

const DAY = 86400;
const trend = (slope, intercept, extra = {}) => ({
  slope_per_day: slope, intercept, r2: 1, projected: null, change_percent_per_week: null, days_used: 2, ...extra,
});
const day = (date, peak) => ({
  date, read_rate_mean: peak, read_rate_peak: peak, sink_quantile_seconds: null, processing_quantile_seconds: null, pods_max: null,
});

test('a date is its UTC midnight; anything else NaN', () => {
  assert.equal(math.dayUnix('2026-11-30'), Date.UTC(2026, 10, 30) / 1000);
  assert.equal(math.dayUnix('1970-01-02'), DAY);
  assert.ok(Number.isNaN(math.dayUnix('2026-11-30T00:00:00Z')));
  assert.ok(Number.isNaN(math.dayUnix('')));
});

test('the time axis: every day, then the horizon, a day apart', () => {
  const answer = { days: [day('2026-11-30', 1), day('2026-12-01', 2), day('2026-12-02', 3)], range: { start_unix: 0 } };
  const start = Date.UTC(2026, 10, 30) / 1000;
  assert.deepEqual(math.dayAxis(answer, 2), [start, start + DAY, start + 2 * DAY, start + 3 * DAY, start + 4 * DAY]);
  assert.deepEqual(math.dayAxis(answer, 0), [start, start + DAY, start + 2 * DAY]);
  // No days: from the range's start.
  assert.deepEqual(math.dayAxis({ days: [], range: { start_unix: 100 } }, 1), [100]);
});

test('a trend line is intercept + slope * day, its fit over the days and its projection after', () => {
  // 4 days, 3 days ahead: x = 0..6, the last day x = 3.
  const { fit, projection } = math.trendLines(trend(2, 10), 4, 3);
  assert.deepEqual(fit, [10, 12, 14, 16, null, null, null]);
  assert.deepEqual(projection, [null, null, null, 16, 18, 20, 22]);
});

test('the projection ends at the API\'s projected value (x = days - 1 + horizon)', () => {
  // 30 days, 30 ahead, as CONTRACT-17 defines projected.
  const days = 30;
  const horizon = 30;
  const t = trend(0.75, 100);
  t.projected = t.intercept + t.slope_per_day * (days - 1 + horizon);
  const { fit, projection } = math.trendLines(t, days, horizon);
  assert.equal(fit.length, days + horizon);
  assert.equal(projection[projection.length - 1], t.projected);
  assert.equal(fit[days - 1], projection[days - 1], 'fit and projection meet at the last day');
  assert.equal(projection.filter((v) => v !== null).length, horizon + 1);
  assert.equal(fit.filter((v) => v !== null).length, days);
});

test('a falling trend projects down, below zero if the line does', () => {
  const { projection } = math.trendLines(trend(-5, 10), 2, 2);
  assert.deepEqual(projection, [null, 5, 0, -5]);
});

test('no line without a slope or intercept (fewer than two days with values); no projection at horizon 0', () => {
  const none = math.trendLines(trend(null, null, { days_used: 1 }), 3, 2);
  assert.deepEqual(none.fit, [null, null, null, null, null]);
  assert.deepEqual(none.projection, [null, null, null, null, null]);
  assert.deepEqual(math.trendLines(undefined, 2, 0), { fit: [null, null], projection: [null, null] });
  const flat = math.trendLines(trend(1, 1), 3, 0);
  assert.deepEqual(flat.fit, [1, 2, 3]);
  assert.deepEqual(flat.projection, [null, null, null]);
});

test('day values on the axis: the days\', null where absent, then nulls over the horizon', () => {
  const days = [day('2026-11-30', 5), day('2026-12-01', null)];
  assert.deepEqual(math.dayValues(days, 'read_rate_peak', 2), [5, null, null, null]);
  assert.deepEqual(math.dayValues(days, 'pods_max', 0), [null, null]);
});

test('deciles map to points of sink latency against read rate, without read rate dropped', () => {
  const deciles = Array.from({ length: 10 }, (_, i) => ({
    decile: i + 1, read_rate: 10 * (i + 1), sink_quantile_seconds: 0.001 * (i + 1), steps: 100,
  }));
  deciles[9] = { decile: 10, read_rate: null, sink_quantile_seconds: null, steps: 0 };
  deciles[4].sink_quantile_seconds = null; // a decile whose steps had no sink latency
  const points = math.decilePoints(deciles);
  assert.deepEqual(points.deciles, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(points.x, [10, 20, 30, 40, 50, 60, 70, 80, 90]);
  assert.equal(points.y[0], 0.001);
  assert.equal(points.y[4], null);
  assert.equal(points.y.length, 9);
});

test('deciles are ordered by read rate for the x axis, ties by decile', () => {
  const points = math.decilePoints([
    { decile: 1, read_rate: 5, sink_quantile_seconds: 0.1, steps: 1 },
    { decile: 2, read_rate: 5, sink_quantile_seconds: 0.2, steps: 1 },
    { decile: 3, read_rate: 4, sink_quantile_seconds: 0.3, steps: 1 },
  ]);
  assert.deepEqual(points.deciles, [3, 1, 2]);
  assert.deepEqual(points.y, [0.3, 0.1, 0.2]);
});

test('days and horizon typed are whole numbers within the API\'s bounds', () => {
  assert.equal(math.boundedInteger('30', 2, 90, 30), 30);
  assert.equal(math.boundedInteger('1', 2, 90, 30), 2);
  assert.equal(math.boundedInteger('500', 2, 90, 30), 90);
  assert.equal(math.boundedInteger('7.5', 2, 90, 30), 30);
  assert.equal(math.boundedInteger('', 0, 365, 30), 30);
  assert.equal(math.boundedInteger(null, 0, 365, 30), 30);
  assert.equal(math.boundedInteger('0', 0, 365, 30), 0);
});

test('percent per week is signed with one decimal', () => {
  assert.equal(math.formatPercentPerWeek(13.953), '+14.0%');
  assert.equal(math.formatPercentPerWeek(-7.77), '-7.8%');
  assert.equal(math.formatPercentPerWeek(-0.01), '0.0%');
  assert.equal(math.formatPercentPerWeek(null), '–');
});

test('the Capacity view in the URL: view, days, horizon and quantile round-trip; metrics URLs unchanged', () => {
  const s = state.stateFromUrl('?view=capacity&namespace=bench&mvtx=fleet&days=9&horizon=14&capacity_quantile=0.95');
  assert.equal(s.view, 'capacity');
  assert.equal(s.days, 9);
  assert.equal(s.horizon, 14);
  assert.equal(s.capacityQuantile, '0.95');
  const again = state.stateFromUrl(`?${state.stateToQuery(s)}`);
  assert.deepEqual(again, s);
  const bad = state.stateFromUrl('?view=capacity&days=1000&horizon=x&capacity_quantile=2');
  assert.equal(bad.days, 90);
  assert.equal(bad.horizon, 30);
  assert.equal(bad.capacityQuantile, '0.99');
  const metrics = state.stateFromUrl('?namespace=default&mvtx=orders&range=1h');
  assert.equal(metrics.view, 'metrics');
  assert.doesNotMatch(state.stateToQuery(metrics), /view=|days=|horizon=|capacity_quantile=/);
});

test('axis labels tell ticks apart: more digits only where three would repeat', () => {
  const three = (v) => String(Number(v.toPrecision(3)));
  assert.deepEqual(math.distinctLabels([0, 5, 10, 15], three, ' ms'), ['0 ms', '5 ms', '10 ms', '15 ms']);
  assert.deepEqual(math.distinctLabels([20.51, 20.52, 20.53], three, ' ms'), ['20.51 ms', '20.52 ms', '20.53 ms']);
  assert.deepEqual(math.distinctLabels([100.001, 100.002], three), ['100.001', '100.002']);
  // Up to 8 digits: beyond, they stay as they are.
  assert.deepEqual(math.distinctLabels([1.000000001, 1.000000002], three), ['1', '1']);
});
