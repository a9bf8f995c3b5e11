// Unit test of web/src/format.ts (units and rounding of the chart's values), Node 18 or newer:
// esbuild (from web/node_modules) bundles the TypeScript into an ES module in the output
// directory, which this test imports. run.sh runs it before the browser test.
//
// Environment: NFMETRICS_NODE_MODULES (web/node_modules, holding esbuild), NFMETRICS_FORMAT_OUT
// (a directory for the bundled copy).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeModules = process.env.NFMETRICS_NODE_MODULES || path.join(here, '../../web/node_modules');
const outDir = process.env.NFMETRICS_FORMAT_OUT;
if (!outDir) throw new Error('NFMETRICS_FORMAT_OUT is not set; run this test through tests/browser/run.sh');

const esbuild = createRequire(path.join(nodeModules, 'noop.js'))('esbuild');
mkdirSync(outDir, { recursive: true });
const outfile = path.join(outDir, 'format.mjs');
await esbuild.build({
  entryPoints: [path.join(here, '../../web/src/format.ts')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  outfile,
  logLevel: 'warning',
});
const format = await import(pathToFileURL(outfile).href);

// A value of `unit` as the chart shows it when it is the largest of the data.
function shown(value, unit = 'seconds') {
  const scale = format.chooseScale(unit, [value]);
  return format.formatValue(value * scale.factor, scale);
}

test('latencies pick their unit after rounding to three significant digits', () => {
  assert.equal(shown(0.9996), '1.00 s');
  assert.equal(shown(0.9994), '999 ms');
  assert.equal(shown(0.5), '500 ms');
  assert.equal(shown(0.0123), '12.3 ms');
  assert.equal(shown(0.00099996), '1.00 ms');
  assert.equal(shown(0.000999), '999 µs');
  assert.equal(shown(2.5), '2.50 s');
  assert.equal(shown(0), '0 s');
});

test('numbers just under a precision boundary print with the rounded precision', () => {
  assert.equal(format.formatNumber(99.96), '100');
  assert.equal(format.formatNumber(99.94), '99.9');
  assert.equal(format.formatNumber(9.996), '10.0');
  assert.equal(format.formatNumber(0.99996), '1.00');
  assert.equal(format.formatNumber(999.6), '1000');
  assert.equal(format.formatNumber(999999), '1.00e+6');
  assert.equal(format.formatNumber(-99.96), '-100');
  assert.equal(format.formatNumber(0.5), '0.500');
  assert.equal(format.formatNumber(0), '0');
  assert.equal(format.formatValue(null, { suffix: ' s', factor: 1 }), '–');
});

test('other units keep their values', () => {
  assert.equal(shown(99.96, '%'), '100%');
  assert.equal(shown(12.345, 'messages/s'), '12.3 messages/s');
});

test('quantile names', () => {
  assert.equal(format.quantileName(0.5), 'p50');
  assert.equal(format.quantileName(0.99), 'p99');
  assert.equal(format.quantileName(0.999), 'p99.9');
});
