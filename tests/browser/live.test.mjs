// Unit test of the dashboard's Live modules, Node 18 or newer: web/src/sse.ts (the SSE parser of
// streams read with fetch), web/src/live.ts (points applied to the chart's answer),
// web/src/stream.ts (the fetch transport: headers, Last-Event-ID on reconnect, what is retried,
// against a fake fetch) and Live in web/src/state.ts (the URL's live=off, the ranges it allows). esbuild (from web/node_modules) bundles them into an ES module in
// the output directory. run.sh runs it before the browser test.
//
// Environment: NFMETRICS_NODE_MODULES (web/node_modules, holding esbuild), NFMETRICS_LIVE_OUT
// (a directory for the bundled copy).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeModules = process.env.NFMETRICS_NODE_MODULES || path.join(here, '../../web/node_modules');
const outDir = process.env.NFMETRICS_LIVE_OUT;
if (!outDir) throw new Error('NFMETRICS_LIVE_OUT is not set; run this test through tests/browser/run.sh');

const esbuild = createRequire(path.join(nodeModules, 'noop.js'))('esbuild');
mkdirSync(outDir, { recursive: true });
const outfile = path.join(outDir, 'live.mjs');
await esbuild.build({
  stdin: {
    contents: "export * from './sse'; export * from './live'; export * from './stream'; export * from './state';",
    resolveDir: path.join(here, '../../web/src'),
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  outfile,
  logLevel: 'warning',
});
const live = await import(pathToFileURL(outfile).href);

// The contract's example stream (docs/api.md), as the server writes it.
const SNAPSHOT = { status: 'success', data: { metric: 'sink-latency', series: [] }, warnings: ['w'] };
const POINTS = {
  series: [{ labels: { pod: 'orders-mv-0-abcde' }, quantile: 0.95, points: [[1795482855, 0.1]] }],
  range: { start_unix: 1795479255, end_unix: 1795482855, step: '15s', step_seconds: 15 },
};
const ERROR = { status: 'error', error: { code: 'upstream_unavailable', message: 'Prometheus is down' } };
const STREAM =
  `event: snapshot\nid: 1795482840\ndata: ${JSON.stringify(SNAPSHOT)}\n\n` +
  `event: points\nid: 1795482855\ndata: ${JSON.stringify(POINTS)}\n\n` +
  ': keep-alive\n\n' +
  `event: error\nid: 1795482855\ndata: ${JSON.stringify(ERROR)}\n\n`;
const EXPECTED = [
  { type: 'snapshot', id: '1795482840', data: JSON.stringify(SNAPSHOT) },
  { type: 'points', id: '1795482855', data: JSON.stringify(POINTS) },
  { type: 'error', id: '1795482855', data: JSON.stringify(ERROR) },
];

function parseAll(chunks) {
  const parser = new live.SseParser();
  return chunks.flatMap((c) => parser.feed(c));
}

test('SSE: the contract\'s events, their ids, keep-alive comments skipped', () => {
  assert.deepEqual(parseAll([STREAM]), EXPECTED);
});

test('SSE: any split of the stream gives the same events, CRLF and CR line ends too', () => {
  assert.deepEqual(parseAll([...STREAM]), EXPECTED, 'one character at a time');
  for (const end of ['\r\n', '\r']) {
    const text = STREAM.replace(/\n/g, end);
    assert.deepEqual(parseAll([text]), EXPECTED, `lines ending in ${JSON.stringify(end)}`);
    assert.deepEqual(parseAll([...text]), EXPECTED, `one character at a time, ${JSON.stringify(end)}`);
  }
});

test('SSE: data lines join with LF; an event without data is not dispatched; the id carries over', () => {
  const events = parseAll(['id: 7\nevent: x\n\ndata:a\ndata: b\n\nevent: points\ndata\n\n']);
  assert.deepEqual(events, [
    { type: 'message', data: 'a\nb', id: '7' },
    { type: 'points', data: '', id: '7' },
  ]);
});

test('SSE: an event not ended by a blank line is not dispatched yet', () => {
  const parser = new live.SseParser();
  assert.deepEqual(parser.feed('event: points\ndata: {}\n'), []);
  assert.deepEqual(parser.feed('\n'), [{ type: 'points', data: '{}', id: '' }]);
});

test('state: Live is on unless the URL says live=off, and allowed for ranges up to 24h', () => {
  assert.equal(live.stateFromUrl('?range=1h').live, true);
  assert.equal(live.stateFromUrl('?range=1h&live=off').live, false);
  assert.equal(live.stateFromUrl('?range=1h&live=on').live, true);
  const off = { ...live.stateFromUrl('?namespace=n&mvtx=m&range=1h'), live: false };
  assert.match(live.stateToQuery(off), /(^|&)live=off(&|$)/);
  assert.equal(live.stateFromUrl(`?${live.stateToQuery(off)}`).live, false, 'the URL round trip');
  assert.doesNotMatch(live.stateToQuery({ ...off, live: true }), /live=/, 'on is the default: not written');
  for (const r of ['15m', '1h', '3h', '6h', '12h', '24h']) assert.ok(live.liveAvailable(r), r);
  for (const r of ['2d', '7d', 'custom', '']) assert.ok(!live.liveAvailable(r), r);
});

const range = (start, end) => ({ start_unix: start, end_unix: end, step: '15s', step_seconds: 15 });

test('points: a point replaces its timestamp, later ones are appended, older than the window dropped', () => {
  const answer = {
    metric: 'm', unit: 'seconds', query: 'q', range: range(100, 145),
    series: [
      { labels: { pod: 'a', namespace: 'n' }, quantile: 0.5, points: [[100, 1], [115, 2], [130, 3], [145, null]] },
      { labels: { pod: 'b' }, quantile: 0.5, points: [[100, 4], [115, 5], [130, 6], [145, 7]] },
    ],
  };
  const before = structuredClone(answer);
  const next = live.applyPoints(answer, {
    // labels in another order: the same series
    series: [{ labels: { namespace: 'n', pod: 'a' }, quantile: 0.5, points: [[145, 3.5], [160, 4]] }],
    range: range(115, 160),
  });
  assert.deepEqual(answer, before, 'the answer given is left as it was');
  assert.deepEqual(next.range, range(115, 160), 'the new window');
  assert.deepEqual(next.series[0].points, [[115, 2], [130, 3], [145, 3.5], [160, 4]]);
  assert.deepEqual(next.series[1].points, [[115, 5], [130, 6], [145, 7]], 'a series without new points only slides');
  assert.equal(next.metric, 'm');
});

test('points: a new series is added with its window; a series left with no point is dropped', () => {
  const answer = {
    metric: 'm', unit: 'seconds', query: 'q', range: range(100, 115),
    series: [
      { labels: { pod: 'a' }, quantile: 0.99, points: [[100, 1], [115, 2]] },
      { labels: { pod: 'gone' }, quantile: 0.99, points: [[100, 1]] },
    ],
  };
  const next = live.applyPoints(answer, {
    series: [
      { labels: { pod: 'a' }, quantile: 0.5, points: [[115, 9], [130, 8]] }, // another quantile: new
      { labels: { pod: 'a' }, quantile: 0.99, points: [[130, 3]] },
    ],
    range: range(115, 130),
  });
  assert.deepEqual(next.series.map((s) => [s.labels.pod, s.quantile, s.points]), [
    ['a', 0.99, [[115, 2], [130, 3]]],
    ['a', 0.5, [[115, 9], [130, 8]]],
  ]);
});

// ---- the fetch transport, against a fake fetch -------------------------------------------------

// A fake fetch answering each call with the next of `answers`: {status, headers, body} where body
// is a string (an error's JSON) or an array of chunks streamed then ended. Records the requests.
function fakeFetch(answers) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, headers: { ...init.headers } });
    const answer = answers.shift();
    if (!answer) return new Promise(() => {}); // nothing more: hangs, as an idle stream does
    if (answer.throws) throw new TypeError(answer.throws);
    const encoder = new TextEncoder();
    const body = Array.isArray(answer.body)
      ? new ReadableStream({
          start(controller) {
            for (const chunk of answer.body) controller.enqueue(encoder.encode(chunk));
            if (!answer.open) controller.close();
          },
        })
      : answer.body;
    return new Response(body, { status: answer.status ?? 200, headers: answer.headers ?? {} });
  };
  return { fetch, calls };
}

// Records what the stream hands over, and resolves `until(n)` once n calls were made.
function recorder() {
  const seen = [];
  const waiters = [];
  const push = (entry) => {
    seen.push(entry);
    for (const w of waiters.splice(0)) w();
  };
  const handlers = {
    snapshot: (a) => push(['snapshot', a]),
    points: (u) => push(['points', u]),
    streamError: (code, m) => push(['streamError', code, m]),
    interrupted: () => push(['interrupted']),
    refused: (e, retry) => push(['refused', e.status, e.message, retry]),
  };
  async function until(predicate) {
    const deadline = Date.now() + 5000;
    while (!predicate(seen)) {
      if (Date.now() > deadline) throw new Error(`timed out; seen: ${JSON.stringify(seen)}`);
      await new Promise((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
  return { seen, handlers, until };
}

test('stream: fetch with the token, events delivered, a reconnect sends Last-Event-ID', async () => {
  const { fetch, calls } = fakeFetch([
    { body: [STREAM.slice(0, 40), STREAM.slice(40)] }, // then the server ends the stream
    { body: [`event: points\nid: 1795482870\ndata: ${JSON.stringify(POINTS)}\n\n`], open: true },
  ]);
  const r = recorder();
  const stream = new live.MetricStream('api/v1/metrics/m/stream?range=1h', { token: 't0k', fetch, firstRetryMs: 10 },
    r.handlers);
  await r.until((seen) => seen.filter((e) => e[0] === 'points').length === 2);
  stream.close();
  assert.deepEqual(r.seen.map((e) => e[0]), ['snapshot', 'points', 'streamError', 'interrupted', 'points']);
  assert.deepEqual(r.seen[0][1], { data: SNAPSHOT.data, warnings: ['w'] });
  assert.deepEqual(r.seen[1][1], POINTS);
  assert.deepEqual(r.seen[2], ['streamError', 'upstream_unavailable', 'Prometheus is down']);
  assert.equal(calls.length, 2);
  assert.equal(calls[0].url, 'api/v1/metrics/m/stream?range=1h');
  assert.equal(calls[0].headers.Authorization, 'Bearer t0k');
  assert.equal(calls[0].headers.Accept, 'text/event-stream');
  assert.equal(calls[0].headers['Last-Event-ID'], undefined, 'no Last-Event-ID on the first request');
  assert.equal(calls[1].headers['Last-Event-ID'], '1795482855', 'the reconnect names the last event seen');
  assert.equal(calls[1].headers.Authorization, 'Bearer t0k');
});

test('stream: a 4xx answer stops it, with the API\'s error', async () => {
  const error = { status: 'error', error: { code: 'bad_request', message: 'start is not accepted', param: 'start' } };
  const { fetch, calls } = fakeFetch([{ status: 400, body: JSON.stringify(error) }]);
  const r = recorder();
  new live.MetricStream('s', { token: 'x', fetch, firstRetryMs: 10 }, r.handlers);
  await r.until((seen) => seen.length === 1);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(r.seen, [['refused', 400, 'start is not accepted', null]]);
  assert.equal(calls.length, 1, 'not asked again');
});

test('stream: a 503 is retried after Retry-After, a network error after the backoff', async () => {
  const busy = { status: 'error', error: { code: 'unavailable', message: 'too many streams' } };
  const { fetch, calls } = fakeFetch([
    { status: 503, headers: { 'Retry-After': '1' }, body: JSON.stringify(busy) },
    { throws: 'connection refused' },
    { body: [STREAM], open: true },
  ]);
  const r = recorder();
  const stream = new live.MetricStream('s', { token: 'x', fetch, firstRetryMs: 10 }, r.handlers);
  await r.until((seen) => seen.some((e) => e[0] === 'snapshot'));
  stream.close();
  assert.deepEqual(r.seen[0], ['refused', 503, 'too many streams', 1000]);
  assert.equal(r.seen[1][0], 'refused');
  assert.equal(r.seen[1][1], 0);
  assert.match(r.seen[1][2], /cannot reach nfmetrics: connection refused/);
  assert.equal(r.seen[1][3], 20, 'the backoff doubled');
  assert.equal(calls.length, 3);
});

test('stream: close() stops it, nothing is delivered or asked after', async () => {
  const { fetch, calls } = fakeFetch([{ body: [], open: true }]);
  const r = recorder();
  const stream = new live.MetricStream('s', { token: 'x', fetch, firstRetryMs: 10 }, r.handlers);
  await new Promise((resolve) => setTimeout(resolve, 50));
  stream.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(r.seen, []);
  assert.equal(calls.length, 1);
});
