// The dashboard in a real browser: Debian's Chromium driven by playwright-core against
// `nfmetrics serve` in front of a Prometheus holding the synthetic demo data (run.sh starts them).
// Expected series counts come from the API (the pods endpoint), never from constants; the findings
// panel is checked against the diagnosis answer the page itself received, and the incident's onset
// (NFMETRICS_INCIDENT_AT, the --incident-at run.sh gave the synthetic history). Live's steps watch
// the page's own requests: a new point must arrive over the stream, with no GET of the metric.
// The steps are those of docs/testing.md; each depends on the page state the previous one left.
// Plain node:test and node:assert, Node 18 or newer.
//
// Environment (set by run.sh): NFMETRICS_URL (the API, http://127.0.0.1:PORT), NFMETRICS_INCIDENT_AT
// (unix seconds),
// NFMETRICS_PLAYWRIGHT (the playwright-core directory), NFMETRICS_BROWSER_OUT (screenshots and
// summary go there), CHROMIUM (default /usr/bin/chromium), NFMETRICS_PROMETHEUS_PID (the backend,
// which the last step stops).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const baseUrl = requiredEnv('NFMETRICS_URL');
const incidentAt = Number(requiredEnv('NFMETRICS_INCIDENT_AT'));
const playwrightDir = requiredEnv('NFMETRICS_PLAYWRIGHT');
const prometheusPid = Number(requiredEnv('NFMETRICS_PROMETHEUS_PID'));
const outDir = requiredEnv('NFMETRICS_BROWSER_OUT');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const screenshotPath = path.join(outDir, 'dashboard.png');
const summaryPath = path.join(outDir, 'browser-summary.txt');

const METRIC = 'sink-latency';
const CHART = `section.chart[data-metric="${METRIC}"]`;
// src/synth/model.hpp: the incident slows replica kIncidentReplica (2) of default/checkout; the
// pipeline default/shop is in -> enrich -> out.
const INCIDENT_POD = /^checkout-mv-2-/;
const SHOP_VERTICES = ['in', 'enrich', 'out'];
// A rate window (max(5m, step), docs/api.md) after the onset, the slow pod's p99 is 2x the median.
const RATE_WINDOW_SECONDS = 300;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// The one console error a failed API call is allowed to cause: Chromium's own report of the status.
const HTTP_400_CONSOLE = /Failed to load resource: the server responded with a status of 400/;
const HTTP_404_CONSOLE = /Failed to load resource: the server responded with a status of 40[04]/;
// The Capacity view's object: run.sh backfills MonoVertex bench/fleet over 9 whole UTC days.
const FLEET_DAYS = 9;
const CAPACITY_HORIZON = 14;
// Live: the step of the streamed chart, how long a new point may take (a step, plus the refresh
// delay and the wait for the next step boundary, with room), and a token the server ignores.
const LIVE_STEP = '15s';
const LIVE_WAIT_MS = 60000;
const LIVE_TOKEN = 'live-test-token';

function durationSeconds(d) {
  const m = /^(\d+)([smh])$/.exec(d);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2]];
}

const iso = (unix) => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run this test through tests/browser/run.sh`);
  return value;
}

const summary = [];
function report(line) {
  const text = `browser: ${line}`;
  console.log(text);
  summary.push(text);
}

async function api(pathAndQuery) {
  const response = await fetch(new URL(pathAndQuery, baseUrl), { signal: AbortSignal.timeout(30000) });
  const body = await response.json();
  return { status: response.status, body };
}

// The pods of default/orders the API reports for the last `seconds` (what a preset range shows).
async function podsOver(seconds) {
  const end = Math.floor(Date.now() / 1000);
  const { status, body } = await api(
    `/api/v1/namespaces/default/mono-vertices/orders/pods?start=${end - seconds}&end=${end}`,
  );
  assert.equal(status, 200, `pods endpoint: ${JSON.stringify(body)}`);
  const pods = body.data.pods;
  assert.ok(Array.isArray(pods) && pods.length > 0, `no pods of default/orders in the data: ${JSON.stringify(body)}`);
  return pods;
}

// The PIDs of this process's children (Linux /proc): Chromium, which playwright starts in a
// session of its own, so that run.sh can stop it even when this process is SIGKILLed.
function childPids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

// Runs before any page script: records chart state changes and CSP violations.
function instrument() {
  window.__chartStates = [];
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI}`);
  });
  const log = (el) => {
    if (el.getAttribute('data-state') !== null) {
      window.__chartStates.push(`${el.getAttribute('data-metric')}:${el.getAttribute('data-state')}`);
    }
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') {
        if (r.target instanceof Element && r.target.matches('section.chart')) log(r.target);
        continue;
      }
      // A chart inserted with its state already set.
      for (const node of r.addedNodes) {
        if (!(node instanceof Element)) continue;
        if (node.matches('section.chart')) log(node);
        node.querySelectorAll('section.chart').forEach(log);
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
}

test('dashboard in Chromium', { timeout: 200000 }, async (t) => {
  const { chromium } = await import(pathToFileURL(path.join(playwrightDir, 'index.mjs')).href);
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const pidFile = process.env.NFMETRICS_CHROMIUM_PIDFILE;
  if (pidFile) {
    const chromiumPids = childPids().filter((pid) => {
      try {
        return /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      } catch {
        return false;
      }
    });
    if (chromiumPids.length > 0) writeFileSync(pidFile, `${chromiumPids[0]}\n`);
  }
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  page.setDefaultTimeout(30000);

  const requests = [];
  const consoleErrors = [];
  context.on('request', (r) => requests.push(r.url()));
  // The metric calls (GETs and streams), as playwright Requests, to tell a stream from a GET.
  const metricRequests = [];
  context.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/v1/metrics/')) metricRequests.push(r);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} [${m.location().url || 'no url'}]`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));

  // Asserts: no console error (but `allowed`), no CSP violation, no request off the loopback.
  async function assertClean(allowed) {
    const errors = consoleErrors.splice(0).filter((e) => !(allowed && allowed.test(e)));
    assert.deepEqual(errors, [], 'console errors');
    const csp = await page.evaluate(() => window.__csp.splice(0));
    assert.deepEqual(csp, [], 'CSP violations');
    const offLoopback = requests.filter((u) => {
      const url = new URL(u);
      if (['data:', 'blob:', 'about:'].includes(url.protocol)) return false;
      return !LOOPBACK_HOSTS.has(url.hostname);
    });
    assert.deepEqual(offLoopback, [], 'requests to a non-loopback host');
  }

  const mark = () => page.evaluate(() => window.__chartStates.length);

  // Waits until the chart has gone through loading (after `since`) and reached `state`.
  async function chartSettles(since, state = 'ready') {
    await page.waitForFunction(
      ([since, chart, metric, state]) => {
        const log = window.__chartStates.slice(since).filter((e) => e.startsWith(`${metric}:`));
        const el = document.querySelector(chart);
        return (
          el !== null &&
          el.getAttribute('data-state') === state &&
          log.includes(`${metric}:loading`) &&
          log[log.length - 1] === `${metric}:${state}`
        );
      },
      [since, CHART, METRIC, state],
    );
  }

  // The chart's series count, checked against what uPlot drew and listed.
  async function drawnSeries() {
    const seen = await page.$eval(CHART, (el) => {
      const canvas = el.querySelector('canvas');
      let painted = 0;
      if (canvas && canvas.width > 0 && canvas.height > 0) {
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
      }
      // uPlot's legend: one row per series; with a live legend the first row is the x axis
      // (its marker has no border), the others have their stroke as the marker's border.
      const rows = [...el.querySelectorAll('.u-legend tr.u-series')];
      const xRow = rows.length > 0 && !rows[0].querySelector('.u-marker')?.style.border;
      return {
        count: Number(el.getAttribute('data-series-count')),
        canvas: canvas ? { width: canvas.width, height: canvas.height, box: canvas.getBoundingClientRect().width } : null,
        painted,
        legend: rows.length - (xRow ? 1 : 0),
      };
    });
    assert.ok(seen.canvas, 'the chart has a canvas');
    assert.ok(seen.canvas.width > 0 && seen.canvas.height > 0 && seen.canvas.box > 0,
      `canvas has a size: ${JSON.stringify(seen.canvas)}`);
    assert.ok(seen.painted > 1000, `uPlot drew on the canvas (${seen.painted} painted pixels)`);
    assert.equal(seen.legend, seen.count, 'legend entries = data-series-count');
    return seen.count;
  }

  async function controls() {
    return page.evaluate(() => {
      const value = (id) => document.getElementById(id).value;
      return {
        namespace: value('namespace'),
        kind: value('object-kind'),
        mvtx: value('mvtx'),
        metric: value('metric'),
        quantiles: [...document.querySelectorAll('input[name=quantile]:checked')].map((q) => q.value),
        range: value('range'),
        step: value('step'),
        groupByPod: document.getElementById('group-by-pod').checked,
        pods: [...document.getElementById('pods').selectedOptions].map((o) => o.value),
        refresh: value('refresh'),
      };
    });
  }

  // The API call the dashboard shows in #curl, made again from here.
  async function curlAnswer() {
    const curl = (await page.textContent('#curl')).trim();
    const match = /(https?:\/\/[^\s'"]+)/.exec(curl);
    assert.ok(match, `#curl holds a URL: ${curl}`);
    const { status, body } = await api(match[1]);
    assert.equal(status, 200, `the #curl URL answers: ${JSON.stringify(body).slice(0, 300)}`);
    return { curl, url: match[1], data: body.data };
  }

  // Loads `query` and returns the diagnosis answer the page received (its `data`), once the panel
  // shows it.
  async function gotoDiagnosed(query) {
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/diagnosis');
    await page.goto(new URL(`/?${query}`, baseUrl).href);
    const response = await answered;
    assert.equal(response.status(), 200, `diagnosis: ${await response.text()}`);
    const body = await response.json();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#diagnosis[data-state="ready"]');
    return body.data;
  }

  // The panel's findings: one list item per finding of the answer, in its order, severity in words.
  async function assertFindings(data) {
    const shown = await page.$$eval('#findings > li', (items) => items.map((li) => ({
      kind: li.dataset.kind ?? null,
      severity: li.dataset.severity ?? null,
      subject: li.dataset.subject ?? null,
      badge: li.querySelector('.severity')?.textContent ?? '',
      text: li.textContent,
    })));
    if (data.findings.length === 0) {
      assert.equal(shown.length, 1, 'one item when there is no finding');
      assert.equal(shown[0].text.trim(), 'No findings');
      return shown;
    }
    assert.deepEqual(shown.map((f) => [f.kind, f.severity, f.subject]),
      data.findings.map((f) => [f.kind, f.severity, f.subject]), 'the findings of the answer, in order');
    data.findings.forEach((f, i) => {
      assert.match(shown[i].badge, new RegExp(f.severity, 'i'), `finding ${i} names its severity in words`);
      assert.ok(shown[i].text.toLowerCase().includes(f.message.toLowerCase()), `finding ${i} shows "${f.message}"`);
    });
    return shown;
  }

  let failed = false;
  async function step(name, fn) {
    await t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
      try {
        await fn();
      } catch (error) {
        failed = true;
        await page.screenshot({ path: path.join(outDir, 'failure.png'), fullPage: true }).catch(() => {});
        console.log(`browser: FAILED at "${name}"; page: ${page.url()}; screenshot: ${path.join(outDir, 'failure.png')}`);
        throw error;
      }
    });
  }

  try {
    const pods1h = await podsOver(3600);
    const pods6h = await podsOver(6 * 3600);

    await step('1. the page loads without errors', async () => {
      const response = await page.goto(new URL('/', baseUrl).href);
      assert.equal(response.status(), 200);
      await page.waitForSelector('body[data-ready="true"]');
      assert.match(await page.title(), /nfmetrics/);
      assert.ok(requests.some((u) => new URL(u).pathname.startsWith('/assets/')), 'assets loaded');
      await assertClean();
      report(`page loaded: ${requests.length} requests, all to 127.0.0.1, no console error, no CSP violation`);
    });

    await step('2. per-pod p99 over 1h: one line per pod', async () => {
      const since = 0; // a fresh page: its log starts empty
      await page.goto(new URL(`/?namespace=default&mvtx=orders&metric=${METRIC}&quantile=0.99&group_by=pod&range=1h`, baseUrl).href);
      await page.waitForSelector('body[data-ready="true"]');
      await chartSettles(since);
      const count = await drawnSeries();
      assert.equal(count, pods1h.length, `one series per pod of default/orders (${pods1h.join(', ')})`);
      await assertClean();
      report(`group_by=pod quantile=0.99 range=1h -> ${count} series (${pods1h.length} pods)`);
    });

    await step('3. switching group-by, quantiles and range redraws', async () => {
      let since = await mark();
      await page.uncheck('#group-by-pod');
      await chartSettles(since);
      assert.equal(await drawnSeries(), 1, 'no group-by, one quantile: one series');
      assert.doesNotMatch(page.url(), /[?&]group_by=pod(&|$)/, 'the URL has no group_by=pod');
      report('group_by off quantile=0.99 range=1h -> 1 series');

      since = await mark();
      await page.check('input[name=quantile][value="0.5"]');
      await chartSettles(since);
      assert.equal(await drawnSeries(), 2, 'no group-by, two quantiles: two series');
      report('group_by off quantile=0.5,0.99 range=1h -> 2 series');

      since = await mark();
      await page.check('#group-by-pod');
      await chartSettles(since);
      const grouped = await drawnSeries();
      assert.equal(grouped, pods1h.length * 2, 'per pod, two quantiles: pods x 2');
      report(`group_by=pod quantile=0.5,0.99 range=1h -> ${grouped} series (${pods1h.length} pods x 2)`);

      const before = await curlAnswer();
      since = await mark();
      await page.selectOption('#range', '6h');
      await chartSettles(since);
      const after = await curlAnswer();
      // The call asks for the last 6h (start 6h before now; it was 1h before the change) ...
      const startOf = (url) => Number(new URL(url).searchParams.get('start'));
      const now = Date.now() / 1000;
      assert.ok(Math.abs(now - startOf(before.url) - 3600) <= 120, `the 1h call starts 1h ago: ${before.url}`);
      assert.ok(Math.abs(now - startOf(after.url) - 6 * 3600) <= 120, `the 6h call starts 6h ago: ${after.url}`);
      assert.match(page.url(), /[?&]range=6h(&|$)/);
      // ... and the API's answer covers 6h.
      const span = after.data.range.end_unix - after.data.range.start_unix;
      assert.ok(Math.abs(span - 6 * 3600) <= after.data.range.step_seconds,
        `the new call covers 6h (${span}s, step ${after.data.range.step})`);
      const count6h = await drawnSeries();
      assert.equal(count6h, pods6h.length * 2, 'per pod over 6h, two quantiles');
      await assertClean();
      report(`group_by=pod quantile=0.5,0.99 range=6h -> ${count6h} series (${pods6h.length} pods x 2; ` +
        `API range ${after.data.range.start} .. ${after.data.range.end}, step ${after.data.range.step})`);
    });

    await step('4. #promql and #curl show the call, and the curl gives the same series', async () => {
      const promql = await page.textContent('#promql');
      assert.ok(promql.includes('histogram_quantile('), `#promql: ${promql}`);
      assert.ok(promql.includes('monovtx_sink_time_bucket'), `#promql: ${promql}`);
      assert.equal(promql.trim().split('\n').length, 2, 'one query per quantile, one per line');
      const { curl, url, data } = await curlAnswer();
      assert.ok(curl.startsWith('curl'), `#curl: ${curl}`);
      assert.ok(curl.includes(`/api/v1/metrics/${METRIC}?`), `#curl: ${curl}`);
      assert.ok(await page.isVisible('#copy-curl'), 'a #copy-curl button');
      const count = Number(await page.getAttribute(CHART, 'data-series-count'));
      assert.equal(data.series.length, count, 'the curl URL answers as many series as the chart shows');
      report(`#curl URL re-run with fetch -> ${data.series.length} series: ${url}`);
    });

    await step('5. the URL holds the view: a reload shows the same', async () => {
      const before = await controls();
      const count = Number(await page.getAttribute(CHART, 'data-series-count'));
      const url = page.url();
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      await chartSettles(0);
      assert.deepEqual(await controls(), before, 'same control values after reloading the URL');
      assert.equal(await drawnSeries(), count, 'same series count after reloading the URL');
      await assertClean();
      report(`reloaded ${url} -> ${count} series, same controls (${before.quantiles.join(',')}, ${before.range}, group_by=pod ${before.groupByPod})`);
    });

    await step('6. findings of default/checkout: the slow pod, its since marker, the stage bar; screenshot', async () => {
      const data = await gotoDiagnosed(`namespace=default&mvtx=checkout&metric=${METRIC}&quantile=0.5,0.99&group_by=pod&range=3h`);
      assert.equal(data.object, 'mono-vertex');
      assert.equal(data.quantile, 0.99, 'the diagnosis is asked for the largest quantile checked');
      await chartSettles(0);
      await assertFindings(data);

      // The slow pod: the incident's pod, the slowest of the answer's pods, since about the onset.
      const slow = data.findings.filter((f) => f.kind === 'slow_pod' && f.subject_kind === 'pod');
      assert.equal(slow.length, 1, `one slow_pod finding: ${JSON.stringify(data.findings)}`);
      const finding = slow[0];
      assert.match(finding.subject, INCIDENT_POD, 'the slow pod is the incident pod of the model');
      assert.equal(finding.subject, data.pods[0].pod, 'the slowest pod of the answer');
      assert.ok(finding.since_unix !== null, 'the finding knows since when');
      assert.ok(finding.since_unix >= incidentAt - RATE_WINDOW_SECONDS &&
        finding.since_unix <= incidentAt + 2 * RATE_WINDOW_SECONDS,
        `since ${finding.since} is within a rate window of the onset ${new Date(incidentAt * 1000).toISOString()}`);
      const item = `#findings > li[data-kind="slow_pod"][data-subject="${finding.subject}"]`;
      const badge = (await page.textContent(`${item} .severity`)).trim();

      // Clicking it: the chart shows that pod alone, with a marker at since.
      const since = await mark();
      await page.click(`${item} button`);
      await chartSettles(since);
      assert.deepEqual((await controls()).pods, [finding.subject], 'the Pods filter holds the slow pod');
      assert.match(page.url(), new RegExp(`[?&]pod=${finding.subject}(&|$)`), 'the URL has the pod');
      const { url, data: chartData } = await curlAnswer();
      assert.equal(new URL(url).searchParams.get('pod'), finding.subject, 'the chart call filters to the pod');
      assert.ok(chartData.series.length > 0 && chartData.series.every((x) => x.labels.pod === finding.subject),
        'every series of the chart is the slow pod');
      assert.equal(await drawnSeries(), 2, 'the slow pod, p50 and p99');
      await page.waitForSelector(`${CHART} .time-marker`);
      const marker = await page.$eval(`${CHART} .time-marker`, (el) => ({
        at: Number(el.dataset.at),
        label: el.textContent,
        left: el.getBoundingClientRect().left - el.parentElement.getBoundingClientRect().left,
        width: el.parentElement.getBoundingClientRect().width,
        visible: el.getBoundingClientRect().height > 0,
      }));
      assert.equal(marker.at, finding.since_unix, 'the marker is at since');
      assert.ok(marker.visible, 'the marker is drawn');
      assert.match(marker.label, new RegExp(`${finding.subject} slow since`), `marker label: ${marker.label}`);
      const points = chartData.series[0].points;
      const [x0, x1] = [points[0][0], points[points.length - 1][0]];
      const expected = (finding.since_unix - x0) / (x1 - x0);
      assert.ok(Math.abs(marker.left / marker.width - expected) < 0.02,
        `the marker stands at since on the time axis (${(marker.left / marker.width).toFixed(3)} of the width, expected ${expected.toFixed(3)})`);

      // The stage bar: the answer's stages in order, shares adding up to 100%, the bottleneck marked.
      const stages = await page.$$eval('#stages li.stage', (items) => items.map((li) => ({
        stage: li.dataset.stage,
        share: Number(li.dataset.share),
        percent: Number(/([\d.]+)%/.exec(li.querySelector('.stage-share').textContent)[1]),
        bottleneck: li.dataset.bottleneck === 'true',
        tagged: /bottleneck/i.test(li.textContent),
      })));
      assert.deepEqual(stages.map((x) => x.stage), data.stages.map((x) => x.stage), 'the stages of the answer, in order');
      const sum = stages.reduce((a, x) => a + x.share, 0);
      assert.ok(Math.abs(sum - 1) < 1e-6, `the shares add up to 1 (${sum})`);
      const shownSum = stages.reduce((a, x) => a + x.percent, 0);
      assert.ok(Math.abs(shownSum - 100) <= 0.05 * stages.length + 1e-9, `the shown percentages add up to ~100% (${shownSum})`);
      const widest = data.stages.reduce((a, x) => (x.share > a.share ? x : a));
      assert.equal(data.bottleneck_stage, widest.stage, 'the answer\'s bottleneck has the largest share');
      const marked = stages.filter((x) => x.bottleneck);
      assert.deepEqual(marked.map((x) => x.stage), [data.bottleneck_stage], 'one stage marked, the bottleneck');
      assert.ok(marked[0].tagged, 'the bottleneck is marked in words');
      assert.equal(await page.locator('.stage-bar .stage-segment').count(), stages.length, 'a segment per stage');

      await page.mouse.move(1, 1); // no hover read-out in the picture
      await page.screenshot({ path: screenshotPath, fullPage: true });
      await assertClean();
      report(`checkout over 3h -> ${data.findings.length} findings; ${badge} slow_pod ${finding.subject} since ` +
        `${finding.since} (onset ${new Date(incidentAt * 1000).toISOString()}); clicked: pod=${finding.subject}, ` +
        `marker "${marker.label.trim()}"; stages ${stages.map((x) => `${x.stage} ${x.percent}%`).join(' + ')} ` +
        `(bottleneck ${data.bottleneck_stage}); screenshot saved to ${screenshotPath}`);
    });

    await step('7. a custom range with start after end shows the API error', async () => {
      const end = Math.floor(Date.now() / 1000) - 2 * 3600;
      const start = end + 3600; // after end
      const startText = new Date(start * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      const endText = new Date(end * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      const expected = await api(`/api/v1/metrics/${METRIC}?namespace=default&mvtx=orders&quantile=0.5,0.99` +
        `&group_by=pod&start=${startText}&end=${endText}`);
      assert.equal(expected.status, 400, `the API refuses start after end: ${JSON.stringify(expected.body)}`);
      const { message, param } = expected.body.error;
      assert.ok(param === 'start' || param === 'end', `the API names start or end: ${param}`);

      await page.selectOption('#range', 'custom');
      assert.ok(await page.isDisabled('#live'), 'no Live for a custom range');
      await page.fill('#start', startText);
      await page.fill('#end', endText);
      const since = await mark();
      await page.click('#apply');
      await chartSettles(since, 'error');
      await page.waitForSelector('#error:not([hidden])');
      assert.ok(await page.isVisible('#error'), '#error is visible');
      const shown = await page.textContent('#error');
      assert.ok(shown.includes(message), `#error shows the API's message "${message}": "${shown}"`);
      assert.equal(await page.getAttribute('#error', 'data-param'), param);
      const control = await page.$eval(`#${param}`, (el) => ({
        cls: el.className, invalid: el.getAttribute('aria-invalid'),
      }));
      assert.ok(control.cls.split(/\s+/).includes('param-error'), `#${param} has class param-error: "${control.cls}"`);
      assert.equal(control.invalid, 'true', `#${param} has aria-invalid="true"`);
      // The diagnosis of the same range fails too: in its panel, the chart's error untouched.
      await page.waitForSelector('#diagnosis[data-state="error"]');
      const inline = await page.textContent('#diagnosis .diagnosis-error');
      assert.ok(inline.includes(message), `the findings panel shows "${message}": "${inline}"`);
      await assertClean(HTTP_400_CONSOLE);
      report(`custom range start=${startText} end=${endText} -> #error "${shown.trim()}" (data-param=${param}, #${param}.param-error)`);
    });

    await step('8. a URL quantile without a checkbox gets one; the last quantile stays checked', async () => {
      await page.goto(new URL(`/?namespace=default&mvtx=orders&metric=${METRIC}&quantile=0.5,0.999,2,abc&group_by=none&range=1h`, baseUrl).href);
      await page.waitForSelector('body[data-ready="true"]');
      await chartSettles(0);
      const boxes = () => page.$$eval('input[name=quantile]', (els) =>
        els.map((e) => ({ value: e.value, checked: e.checked, label: e.closest('label').textContent.trim() })));
      const added = (await boxes()).find((b) => b.value === '0.999');
      assert.deepEqual(added, { value: '0.999', checked: true, label: 'p99.9' }, 'a p99.9 checkbox, checked');
      assert.deepEqual((await controls()).quantiles, ['0.5', '0.999'], 'the valid URL quantiles, checked');
      assert.match(page.url(), /[?&]quantile=0\.5,0\.999(&|$)/, 'the URL keeps 0.999 and drops 2 and abc');
      assert.equal(await drawnSeries(), 2, 'no group-by, quantiles 0.5 and 0.999: two series');

      let since = await mark();
      await page.uncheck('input[name=quantile][value="0.5"]');
      await chartSettles(since);
      assert.equal(await drawnSeries(), 1, 'quantile 0.999 alone: one series');
      since = await mark();
      await page.click('input[name=quantile][value="0.999"]'); // the last one: checked again
      assert.deepEqual((await controls()).quantiles, ['0.999'], 'the last quantile stays checked');
      assert.match(page.url(), /[?&]quantile=0\.999(&|$)/);
      assert.equal(await page.evaluate((n) => window.__chartStates.length - n, since), 0, 'no new load');
      assert.ok(!requests.some((u) => /[?&]quantile=(&|$)/.test(u)), 'no call with an empty quantile');
      await assertClean();
      report('quantile=0.5,0.999,2,abc -> checkboxes p50 + p99.9 (added), 2 series; unchecking the last quantile keeps it checked');
    });

    await step('9. no namespace with data in the range: an empty picker, a hint, no metric call', async () => {
      const startText = '2001-01-01T00:00:00Z';
      const endText = '2001-01-01T01:00:00Z';
      const listed = await api(`/api/v1/namespaces?start=${startText}&end=${endText}`);
      assert.equal(listed.status, 200, `namespaces endpoint: ${JSON.stringify(listed.body)}`);
      assert.deepEqual(listed.body.data.namespaces, [], 'no namespace in 2001');
      const firstRequest = requests.length;
      await page.goto(new URL(`/?metric=${METRIC}&start=${startText}&end=${endText}`, baseUrl).href);
      await page.waitForSelector('body[data-ready="true"]');
      await page.waitForSelector(`${CHART}[data-state="empty"]`);
      const picker = await page.$eval('#namespace', (el) => ({
        value: el.value,
        options: [...el.options].map((o) => ({ value: o.value, text: o.textContent, disabled: o.disabled })),
      }));
      assert.equal(picker.value, '', 'no namespace chosen');
      assert.equal(picker.options.length, 1, `one placeholder option: ${JSON.stringify(picker.options)}`);
      assert.match(picker.options[0].text, /no namespaces with NumaFlow data in this range/);
      assert.ok(picker.options[0].disabled, 'the placeholder cannot be picked');
      assert.ok(await page.isVisible('#error'), '#error says why');
      const hint = (await page.textContent('#error')).trim();
      assert.match(hint, /no namespaces with NumaFlow data in this range/);
      assert.equal(await page.getAttribute('#error', 'data-param'), 'namespace');
      const metricCalls = requests.slice(firstRequest).filter((u) => new URL(u).pathname.startsWith('/api/v1/metrics/'));
      assert.deepEqual(metricCalls, [], 'no metric call without a namespace');
      assert.ok(await page.isHidden('#diagnosis'), 'no findings panel without a namespace');
      assert.doesNotMatch(page.url(), /[?&]namespace=/, 'no namespace in the URL');
      await assertClean();
      report(`range ${startText} .. ${endText} -> empty Namespace picker, #error "${hint}", no metric call`);
    });

    await step('10. a pipeline: its vertices in a row, in order, the bottleneck marked', async () => {
      const data = await gotoDiagnosed('namespace=default&pipeline=shop&vertex=in&range=3h');
      assert.equal(data.object, 'pipeline');
      await assertFindings(data);
      assert.deepEqual(data.vertices.map((v) => v.vertex), SHOP_VERTICES, 'the answer lists the model\'s vertices');
      const shown = await page.$$eval('#vertices li.vertex', (items) => items.map((li) => ({
        vertex: li.dataset.vertex,
        bottleneck: li.dataset.bottleneck === 'true',
        tagged: /bottleneck/i.test(li.textContent),
        x: li.getBoundingClientRect().left,
        y: li.getBoundingClientRect().top,
        pending: li.querySelector('.vertex-pending').textContent,
        processing: li.querySelector('.vertex-processing').textContent,
      })));
      assert.deepEqual(shown.map((v) => v.vertex), SHOP_VERTICES, 'the vertices, in order');
      for (let i = 1; i < shown.length; i++) {
        assert.ok(shown[i].x > shown[i - 1].x && shown[i].y === shown[0].y, 'drawn left to right in one row');
      }
      // The bottleneck by the documented rule, from the answer's own figures.
      const grew = data.vertices.filter((v) => v.pending_growth !== null && v.pending_growth > 0);
      const pick = (list, key) => list.reduce((a, v) => (v[key] > a[key] ? v : a));
      const expected = grew.length > 0 ? pick(grew, 'pending') : pick(data.vertices, 'processing_quantile_seconds');
      assert.equal(data.bottleneck_vertex, expected.vertex, 'the answer\'s bottleneck follows the rule');
      const marked = shown.filter((v) => v.bottleneck);
      assert.deepEqual(marked.map((v) => v.vertex), [data.bottleneck_vertex], 'one vertex marked, the bottleneck');
      assert.ok(marked[0].tagged, 'the bottleneck is marked in words');
      for (const v of shown) {
        assert.match(v.pending, /^pending /);
        assert.match(v.processing, /^processing p99 /);
      }
      await page.mouse.move(1, 1);
      await page.screenshot({ path: path.join(outDir, 'dashboard-pipeline.png'), fullPage: true });
      await assertClean();
      report(`shop over 3h -> ${shown.map((v) => `${v.vertex}${v.bottleneck ? ' [bottleneck]' : ''} (${v.pending}, ${v.processing})`).join(' -> ')}; ` +
        `${data.findings.length} findings`);
    });

    // Live (steps 11-13): the page's metric calls since `first`, split into streams and GETs.
    const callsSince = (first) => {
      const made = metricRequests.slice(first);
      const isStream = (r) => new URL(r.url()).pathname.endsWith('/stream');
      return { streams: made.filter(isStream), gets: made.filter((r) => !isStream(r)).map((r) => r.url()) };
    };
    const lastPoint = async () => Number(await page.getAttribute(CHART, 'data-last-point'));
    // Waits until a stream's point newer than `before` is on the chart, and returns its time. The
    // server sends a step once per step, --cache-freshness (1m) after it: one arrives within a
    // step (15 s) and its refresh delay of the stream opening.
    async function newPoint(before) {
      await page.waitForFunction(([chart, before]) =>
        Number(document.querySelector(chart)?.getAttribute('data-last-point')) > before,
      [CHART, before], { timeout: LIVE_WAIT_MS });
      return lastPoint();
    }
    // The legend's values at the chart's newest point (the cursor at the plot's right edge).
    async function valuesAtNewest() {
      const at = await page.$eval(`${CHART} .u-over`, (el) => {
        const r = el.getBoundingClientRect();
        return { x: r.right - 1, y: r.top + r.height / 2 };
      });
      await page.mouse.move(at.x, at.y);
      const values = await page.$$eval(`${CHART} .u-legend tr.u-series:not(:first-child) .u-value`,
        (cells) => cells.map((c) => c.textContent.trim()));
      await page.mouse.move(1, 1);
      return values;
    }
    const UPDATED = /^Live · updated \d\d:\d\d:\d\d$/;

    await step('11. Live: a new point arrives through the stream, with no GET of the metric', async () => {
      const first = metricRequests.length;
      await page.goto(new URL(`/?namespace=default&mvtx=orders&metric=${METRIC}&quantile=0.99&group_by=pod` +
        `&range=1h&step=${LIVE_STEP}`, baseUrl).href);
      await page.waitForSelector('body[data-ready="true"]');
      await chartSettles(0);
      assert.ok(await page.isChecked('#live'), 'Live is on by default for a relative range');
      await page.waitForSelector(`${CHART}[data-live="live"]`);
      assert.equal(await drawnSeries(), pods1h.length, 'the snapshot: one series per pod');
      let calls = callsSince(first);
      assert.equal(calls.streams.length, 1, 'one stream');
      const url = new URL(calls.streams[0].url());
      assert.equal(calls.streams[0].resourceType(), 'eventsource', 'no token: the browser\'s EventSource');
      assert.equal(url.pathname, `/api/v1/metrics/${METRIC}/stream`);
      assert.deepEqual(Object.fromEntries(url.searchParams), {
        namespace: 'default', mvtx: 'orders', quantile: '0.99', group_by: 'pod', range: '1h', step: LIVE_STEP,
      }, 'the parameters of the GET, with range for start and end');
      assert.deepEqual(calls.gets, [], 'no GET of the metric: the chart is the stream\'s snapshot');
      const before = await lastPoint();
      const status = (await page.textContent(`${CHART} .live-status`)).trim();
      assert.match(status, UPDATED, 'the time of the snapshot');

      const after = await newPoint(before);
      assert.equal((after - before) % durationSeconds(LIVE_STEP), 0, `a later step of the grid (${before} -> ${after})`);
      const values = await valuesAtNewest();
      assert.ok(values.some((v) => v !== '–' && v !== ''), `the new step has values on the chart: ${values.join(', ')}`);
      assert.equal(Number(await page.getAttribute(CHART, 'data-series-count')), pods1h.length, 'the same series');
      assert.match((await page.textContent(`${CHART} .live-status`)).trim(), UPDATED);
      calls = callsSince(first);
      assert.deepEqual(calls.gets, [], 'still no GET of the metric: the point came through the stream');
      assert.equal(calls.streams.length, 1, 'the same stream, not reopened');
      await assertClean();
      report(`Live (EventSource) ${url.pathname}${url.search}: newest point ${iso(before)} -> ${iso(after)} ` +
        `with no GET of the metric; values ${values.join(', ')}; "${status}"`);
    });

    await step('12. Live with a token: the stream read with fetch, the token sent, a new point arrives', async () => {
      const first = metricRequests.length;
      let since = await mark();
      await page.fill('#token', LIVE_TOKEN); // the server asks for none, and ignores it
      await page.locator('#token').blur();
      await chartSettles(since);
      await page.waitForSelector(`${CHART}[data-live="live"]`);
      let calls = callsSince(first);
      assert.equal(calls.streams.length, 1, 'one stream');
      const stream = calls.streams[0];
      assert.equal(stream.resourceType(), 'fetch', 'a token: the stream read with fetch');
      const headers = await stream.allHeaders();
      assert.equal(headers.authorization, `Bearer ${LIVE_TOKEN}`, 'the bearer token is sent');
      assert.equal(headers.accept, 'text/event-stream');
      assert.deepEqual(calls.gets, [], 'no GET of the metric');
      const before = await lastPoint();
      const after = await newPoint(before);
      assert.match((await page.textContent(`${CHART} .live-status`)).trim(), UPDATED);
      calls = callsSince(first);
      assert.deepEqual(calls.gets, [], 'still no GET of the metric');
      assert.equal(calls.streams.length, 1, 'the same stream, not reopened');

      // The token cleared: an EventSource again, and nothing left in localStorage.
      since = await mark();
      await page.fill('#token', '');
      await page.locator('#token').blur();
      await chartSettles(since);
      await page.waitForSelector(`${CHART}[data-live="live"]`);
      assert.equal(await page.evaluate(() => localStorage.getItem('nfmetrics.token')), null);
      const again = callsSince(first).streams;
      assert.equal(again[again.length - 1].resourceType(), 'eventsource');
      await assertClean();
      report(`Live (fetch, Authorization: Bearer ...): newest point ${iso(before)} -> ${iso(after)} with no GET of the metric`);
    });

    await step('13. Live off: the stream is closed and the chart is a GET; no Live for a custom range', async () => {
      const streams = callsSince(0).streams;
      const open = streams[streams.length - 1];
      const closed = Promise.race([
        page.waitForEvent('requestfailed', { predicate: (r) => r === open }),
        page.waitForEvent('requestfinished', { predicate: (r) => r === open }),
      ]);
      const first = metricRequests.length;
      const since = await mark();
      await page.uncheck('#live');
      await chartSettles(since);
      await closed;
      const calls = callsSince(first);
      assert.deepEqual(calls.streams, [], 'no stream with Live off');
      assert.equal(calls.gets.length, 1, 'one GET of the metric');
      assert.equal(new URL(calls.gets[0]).pathname, `/api/v1/metrics/${METRIC}`);
      assert.equal(await page.getAttribute(CHART, 'data-live'), null, 'no Live status');
      assert.ok(await page.isHidden(`${CHART} .live-status`));
      assert.match(page.url(), /[?&]live=off(&|$)/, 'the URL says live=off');

      await page.selectOption('#range', 'custom');
      assert.ok(await page.isDisabled('#live'), 'Live is disabled for a custom range');
      assert.ok(!(await page.isChecked('#live')));
      await page.selectOption('#range', '24h');
      assert.ok(await page.isEnabled('#live'), 'Live can be chosen again for the last 24h');
      assert.ok(!(await page.isChecked('#live')), 'and stays as chosen (off)');
      await assertClean();
      report('Live off -> the stream closed, one GET of the metric, live=off in the URL; a custom range disables Live');
    });

    await step('14. Capacity: bench/fleet\'s days with trends and projection, its 10 load deciles, an API error', async () => {
      const metricsUrl = page.url();
      const call = `/api/v1/capacity?namespace=bench&mvtx=fleet&days=${FLEET_DAYS}&quantile=0.99&horizon=${CAPACITY_HORIZON}`;
      const { status, body } = await api(call);
      assert.equal(status, 200, `the capacity API: ${JSON.stringify(body).slice(0, 400)}`);
      const expected = body.data;
      assert.equal(expected.days.length, FLEET_DAYS);
      const withData = expected.days.filter((d) => d.read_rate_peak !== null).length;
      assert.equal(withData, FLEET_DAYS, `the fleet has a peak on each of its days: ${JSON.stringify(expected.days)}`);
      const deciles = expected.load_latency.filter((d) => d.read_rate !== null).length;
      assert.equal(deciles, 10, `10 deciles with a read rate: ${JSON.stringify(expected.load_latency)}`);

      // By the controls: the Capacity view, the fleet, its days and a horizon.
      await page.selectOption('#view', 'capacity');
      await page.waitForSelector('#capacity:not([hidden])');
      for (const hidden of ['#charts', '#diagnosis', '#metric', '#range', '#live']) {
        assert.ok(await page.isHidden(hidden), `${hidden} is hidden in the Capacity view`);
      }
      await page.waitForSelector('#namespace option[value="bench"]', { state: 'attached' });
      await page.selectOption('#namespace', 'bench');
      await page.waitForSelector('#mvtx option[value="fleet"]', { state: 'attached' });
      await page.selectOption('#mvtx', 'fleet');
      await page.fill('#days', String(FLEET_DAYS));
      await page.press('#days', 'Tab');
      await page.fill('#horizon', String(CAPACITY_HORIZON));
      await page.press('#horizon', 'Tab');
      const ready = `#capacity[data-state="ready"][data-days="${FLEET_DAYS}"][data-horizon="${CAPACITY_HORIZON}"]`;
      await page.waitForSelector(ready);
      assert.equal(await page.getAttribute('#capacity', 'data-days-with-data'), String(withData));
      assert.equal(await page.getAttribute('#capacity', 'data-deciles'), String(deciles));
      assert.equal(await page.getAttribute('.capacity-days', 'data-points'), String(FLEET_DAYS));
      assert.equal(await page.getAttribute('.capacity-days', 'data-projection-days'), String(CAPACITY_HORIZON));
      assert.equal(await page.getAttribute('.capacity-deciles', 'data-points'), String(deciles));
      // uPlot drew both: the days (and the projection) on the first x axis, a point per decile on
      // the second; each measured quantity with its fit and projection in the legend.
      const drawn = await page.evaluate(() => ({
        canvases: document.querySelectorAll('#capacity canvas').length,
        days: Array.from(document.querySelectorAll('.capacity-days .u-legend .u-series'), (e) => e.textContent.trim()),
        deciles: document.querySelectorAll('.capacity-deciles .u-legend .u-series').length,
      }));
      assert.equal(drawn.canvases, 2, 'two charts');
      assert.equal(drawn.days.length, 11, `x and 10 series: ${drawn.days.join(' | ')}`);
      for (const name of ['peak read/s', 'peak projection', 'sink p99', 'sink projection', 'processing p99', 'processing projection']) {
        assert.ok(drawn.days.some((d) => d.startsWith(name)), `"${name}" in the legend: ${drawn.days.join(' | ')}`);
      }
      assert.equal(drawn.deciles, 2, 'read rate and sink quantile');
      // The trend numbers beside the chart, as the API gave them.
      const rows = await page.$$eval('#capacity-trends tbody tr', (trs) => trs.map((tr) => ({
        trend: tr.dataset.trend,
        change: tr.querySelector('.change').textContent,
        r2: tr.querySelector('.r2').textContent,
        days: tr.querySelector('.days-used').textContent,
      })));
      assert.deepEqual(rows.map((r) => r.trend), ['read_rate_peak', 'sink_quantile_seconds', 'processing_quantile_seconds']);
      for (const row of rows) {
        const t = expected.trend[row.trend];
        assert.equal(row.days, String(t.days_used), `${row.trend} days used`);
        assert.equal(row.r2, t.r2 === null ? '–' : t.r2.toFixed(3), `${row.trend} r2`);
        const pct = t.change_percent_per_week;
        const r = pct === null ? null : Math.round(pct * 10) / 10;
        assert.equal(row.change, r === null ? '–' : `${r > 0 ? '+' : ''}${(r === 0 ? 0 : r).toFixed(1)}%`, `${row.trend} %/week`);
      }
      assert.equal((await page.textContent('#promql')).trim(), expected.queries.join('\n'), 'the 7 queries');
      assert.ok((await page.textContent('#curl')).includes(call), `#curl has ${call}`);
      assert.match(page.url(), new RegExp(`[?&]view=capacity&days=${FLEET_DAYS}&horizon=${CAPACITY_HORIZON}&`));
      await page.screenshot({ path: path.join(outDir, 'dashboard-capacity.png'), fullPage: true });
      // The first loads asked about default's object over 30 days before the fleet was chosen:
      // an answer or a 404, nothing else.
      await assertClean(HTTP_404_CONSOLE);

      // The URL holds the view.
      await page.reload();
      await page.waitForSelector(ready);
      assert.equal(await page.inputValue('#view'), 'capacity');
      assert.equal(await page.getAttribute('#capacity', 'data-deciles'), String(deciles));

      // An object without data: the API's 404 beside the chart, the MonoVertex picker marked.
      const missing = await api(`/api/v1/capacity?namespace=bench&mvtx=no-such-mvtx&days=${FLEET_DAYS}`);
      assert.equal(missing.status, 404, JSON.stringify(missing.body));
      await page.goto(new URL(`/?view=capacity&namespace=bench&mvtx=no-such-mvtx&days=${FLEET_DAYS}`, baseUrl).href);
      await page.waitForSelector('#capacity[data-state="error"]');
      await page.waitForSelector('#error:not([hidden])');
      const shown = await page.textContent('#error');
      assert.ok(shown.includes(missing.body.error.message), `#error shows "${missing.body.error.message}": "${shown}"`);
      assert.equal(await page.getAttribute('#error', 'data-param'), 'mvtx');
      assert.ok((await page.getAttribute('#mvtx', 'class')).split(/\s+/).includes('param-error'));
      assert.equal(await page.$$eval('#capacity canvas', (c) => c.length), 0, 'no chart of another object left');
      await assertClean(HTTP_404_CONSOLE);
      report(`Capacity of bench/fleet: ${FLEET_DAYS} days (+${CAPACITY_HORIZON} projected), ${deciles} deciles, ` +
        `peak ${rows[0].change}/week; unknown MonoVertex -> #error "${shown.trim()}"`);

      // Back to the metric view the earlier steps left, for the last step.
      await page.goto(metricsUrl);
      await page.waitForSelector(`${CHART}[data-state="ready"]`);
      await page.waitForSelector('#diagnosis[data-state="ready"]');
      await assertClean();
    });

    // The last step: it stops the backend.
    await step('15. Live when the backend fails: an error beside the chart, the data kept', async () => {
      let since = await mark();
      await page.selectOption('#range', '1h');
      await chartSettles(since);
      since = await mark();
      await page.check('#live');
      await chartSettles(since);
      await page.waitForSelector(`${CHART}[data-live="live"]`);
      await page.waitForSelector('#diagnosis[data-state="ready"]'); // none in flight: the stream alone fails
      const count = Number(await page.getAttribute(CHART, 'data-series-count'));
      const before = await lastPoint();
      process.kill(prometheusPid, 'SIGKILL');
      await page.waitForSelector(`${CHART}[data-live="error"]`, { timeout: LIVE_WAIT_MS });
      const status = (await page.textContent(`${CHART} .live-status`)).trim();
      assert.match(status, /^Live · updated \d\d:\d\d:\d\d · backend error: .+; trying again next step$/);
      assert.equal(Number(await page.getAttribute(CHART, 'data-series-count')), count, 'the series kept');
      assert.equal(await lastPoint(), before, 'the points kept');
      assert.equal(await page.getAttribute(CHART, 'data-state'), 'ready', 'the chart still shows its data');
      assert.ok(await page.isHidden('#error'), 'the error area stays hidden: the stream tries again');
      await assertClean();
      report(`Prometheus stopped -> "${status}", ${count} series kept`);
    });
  } finally {
    writeFileSync(summaryPath, summary.join('\n') + '\n');
    await browser.close();
    if (pidFile) rmSync(pidFile, { force: true });
  }
});
