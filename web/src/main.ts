// The nfmetrics dashboard: pickers filled from the API, a chart of the chosen metric, the PromQL
// and a curl for the same call, and the view kept in the URL. The DOM ids are a contract with the
// browser test (docs/dashboard.md).
import 'uplot/dist/uPlot.min.css';
import '../app.css';

import {
  ApiError,
  getJson,
  segment,
  storedToken,
  storeToken,
  type Catalog,
  type CatalogMetric,
  type MetricAnswer,
  type Variant,
} from './api';
import { ChartSection } from './chart';
import { shellQuote } from './format';
import { durationSeconds, stateFromUrl, stateToQuery, type ViewState } from './state';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

const ui = {
  form: byId<HTMLFormElement>('controls'),
  namespace: byId<HTMLSelectElement>('namespace'),
  kind: byId<HTMLSelectElement>('object-kind'),
  mvtx: byId<HTMLSelectElement>('mvtx'),
  pipeline: byId<HTMLSelectElement>('pipeline'),
  vertex: byId<HTMLSelectElement>('vertex'),
  metric: byId<HTMLSelectElement>('metric'),
  quantiles: byId<HTMLFieldSetElement>('quantiles'),
  range: byId<HTMLSelectElement>('range'),
  start: byId<HTMLInputElement>('start'),
  end: byId<HTMLInputElement>('end'),
  step: byId<HTMLSelectElement>('step'),
  groupByPod: byId<HTMLInputElement>('group-by-pod'),
  pods: byId<HTMLSelectElement>('pods'),
  refresh: byId<HTMLSelectElement>('refresh'),
  apply: byId<HTMLButtonElement>('apply'),
  token: byId<HTMLInputElement>('token'),
  error: byId<HTMLDivElement>('error'),
  charts: byId<HTMLDivElement>('charts'),
  promql: byId<HTMLElement>('promql'),
  curl: byId<HTMLElement>('curl'),
  copyCurl: byId<HTMLButtonElement>('copy-curl'),
  copied: byId<HTMLElement>('copied'),
};

// The control to mark for each API parameter an error can name.
const PARAM_CONTROLS: Record<string, HTMLElement> = {
  namespace: ui.namespace,
  mvtx: ui.mvtx,
  pipeline: ui.pipeline,
  vertex: ui.vertex,
  metric: ui.metric,
  quantile: ui.quantiles,
  start: ui.start,
  end: ui.end,
  step: ui.step,
  group_by: ui.groupByPod,
  pod: ui.pods,
};

let catalog: CatalogMetric[] = [];
let chart: ChartSection | null = null;
let loadSeq = 0;
let inFlight: AbortController | null = null;
let refreshTimer: number | undefined;

const token = (): string => ui.token.value.trim();

// ---- errors ---------------------------------------------------------------------------------

function clearError(): void {
  ui.error.hidden = true;
  ui.error.textContent = '';
  delete ui.error.dataset.param;
  for (const el of document.querySelectorAll('.param-error')) {
    el.classList.remove('param-error');
    el.removeAttribute('aria-invalid');
  }
}

function showError(e: unknown, context: string): void {
  clearError();
  let message = e instanceof Error ? e.message : String(e);
  let param = '';
  let needsToken = false;
  if (e instanceof ApiError) {
    param = e.param;
    if (e.status === 401) {
      message = `${message}\nThis server asks for a token: enter it in the Token field (top right).`;
      needsToken = true;
    } else if (e.status === 403) {
      message = `${message}\nThe token may not read this; try another namespace or token.`;
    }
  }
  ui.error.textContent = context ? `${context}: ${message}` : message;
  ui.error.dataset.param = param;
  ui.error.hidden = false;
  const controls: HTMLElement[] = [];
  if (needsToken) controls.push(ui.token);
  if (PARAM_CONTROLS[param]) controls.push(PARAM_CONTROLS[param]);
  // A relative range is sent as start: the range picker is what the user chose.
  if ((param === 'start' || param === 'end') && ui.range.value !== 'custom') controls.push(ui.range);
  for (const el of controls) {
    el.classList.add('param-error');
    el.setAttribute('aria-invalid', 'true');
  }
}

// ---- pickers --------------------------------------------------------------------------------

function fillSelect(select: HTMLSelectElement, values: string[], wanted: string[], labels?: Map<string, string>): void {
  // A value from a shared URL is kept even when the discovery range does not list it.
  const all = [...values];
  for (const w of wanted) if (w && !all.includes(w)) all.push(w);
  select.replaceChildren(
    ...all.map((v) => {
      const option = document.createElement('option');
      option.value = v;
      option.textContent = labels?.get(v) ?? v;
      option.selected = wanted.includes(v);
      return option;
    }),
  );
  if (!select.multiple && select.selectedIndex < 0 && all.length > 0) select.selectedIndex = 0;
}

function selectedValues(select: HTMLSelectElement): string[] {
  return Array.from(select.selectedOptions, (o) => o.value);
}

// The time range the pickers' lists cover: the chart's.
function rangeQuery(): string {
  const p = new URLSearchParams();
  if (ui.range.value === 'custom') {
    if (ui.start.value.trim()) p.set('start', ui.start.value.trim());
    if (ui.end.value.trim()) p.set('end', ui.end.value.trim());
  } else {
    p.set('start', String(Math.floor(Date.now() / 1000) - durationSeconds(ui.range.value)));
  }
  const q = p.toString();
  return q ? `?${q}` : '';
}

async function listOf(path: string, key: string): Promise<string[]> {
  let answer;
  try {
    answer = await getJson<Record<string, unknown>>(`${path}${rangeQuery()}`, token());
  } catch (e) {
    // A custom range the API refuses is the chart's error to show; list the last hour instead.
    if (!(e instanceof ApiError) || e.status !== 400 || !['start', 'end'].includes(e.param)) throw e;
    answer = await getJson<Record<string, unknown>>(path, token());
  }
  const values = answer.data[key];
  return Array.isArray(values) ? (values as string[]) : [];
}

async function fillNamespaces(wanted: string): Promise<void> {
  let names: string[];
  try {
    names = await listOf('api/v1/namespaces', 'namespaces');
  } catch (e) {
    // A server without the namespaces list (404) still has the rest of the API.
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    names = [];
  }
  if (names.length === 0 && !wanted) names = ['default'];
  fillSelect(ui.namespace, names, [wanted]);
}

async function fillObjects(state: Partial<ViewState>): Promise<void> {
  const ns = segment(ui.namespace.value);
  const vertexKind = ui.kind.value === 'vertex';
  for (const el of document.querySelectorAll<HTMLElement>('.for-vertex')) el.hidden = !vertexKind;
  for (const el of document.querySelectorAll<HTMLElement>('.for-mono-vertex')) el.hidden = vertexKind;
  if (!ns) return;
  if (vertexKind) {
    fillSelect(ui.pipeline, await listOf(`api/v1/namespaces/${ns}/pipelines`, 'pipelines'), [state.pipeline ?? '']);
    await fillVertices(state.vertex ?? '');
  } else {
    fillSelect(ui.mvtx, await listOf(`api/v1/namespaces/${ns}/mono-vertices`, 'mono_vertices'), [state.mvtx ?? '']);
  }
}

async function fillVertices(wanted: string): Promise<void> {
  if (!ui.pipeline.value) return fillSelect(ui.vertex, [], [wanted]);
  const path = `api/v1/namespaces/${segment(ui.namespace.value)}/pipelines/${segment(ui.pipeline.value)}/vertices`;
  fillSelect(ui.vertex, await listOf(path, 'vertices'), [wanted]);
}

function podsPath(): string | null {
  const ns = segment(ui.namespace.value);
  if (ui.kind.value === 'vertex') {
    if (!ui.pipeline.value || !ui.vertex.value) return null;
    return `api/v1/namespaces/${ns}/pipelines/${segment(ui.pipeline.value)}/vertices/${segment(ui.vertex.value)}/pods`;
  }
  if (!ui.mvtx.value) return null;
  return `api/v1/namespaces/${ns}/mono-vertices/${segment(ui.mvtx.value)}/pods`;
}

async function fillPods(wanted: string[]): Promise<void> {
  const path = podsPath();
  fillSelect(ui.pods, path ? await listOf(path, 'pods') : [], wanted);
}

function variantOf(metric: CatalogMetric | undefined): Variant | undefined {
  return metric?.variants.find((v) => v.object === ui.kind.value);
}

function fillMetrics(wanted: string): void {
  const kind = ui.kind.value;
  const usable = catalog.filter((m) => m.objects.includes(kind));
  const labels = new Map(usable.map((m) => [m.name, variantOf(m)?.display_name ?? m.name]));
  const fallback = usable.some((m) => m.name === 'sink-latency') ? 'sink-latency' : usable[0]?.name ?? '';
  const choice = usable.some((m) => m.name === wanted) || (wanted && catalog.length === 0) ? wanted : fallback;
  fillSelect(ui.metric, usable.map((m) => m.name), [choice], labels);
  syncMetricControls();
}

// Quantiles, grouping and pods apply only to metrics that take them.
function syncMetricControls(): void {
  const variant = variantOf(catalog.find((m) => m.name === ui.metric.value));
  const params = variant?.parameters ?? [];
  const takes = (p: string): boolean => !variant || params.includes(p);
  ui.quantiles.disabled = !takes('quantile');
  ui.groupByPod.disabled = !takes('group_by') || !(variant?.dimensions ?? [{ name: 'pod' }]).some((d) => d.name === 'pod');
  ui.pods.disabled = !takes('pod');
}

function syncRangeControls(): void {
  for (const el of document.querySelectorAll<HTMLElement>('.for-custom')) el.hidden = ui.range.value !== 'custom';
}

// ---- state <-> controls ---------------------------------------------------------------------

function readState(): ViewState {
  return {
    namespace: ui.namespace.value,
    kind: ui.kind.value === 'vertex' ? 'vertex' : 'mono-vertex',
    mvtx: ui.mvtx.value,
    pipeline: ui.pipeline.value,
    vertex: ui.vertex.value,
    metric: ui.metric.value,
    quantiles: Array.from(ui.quantiles.querySelectorAll<HTMLInputElement>('input[name=quantile]'))
      .filter((c) => c.checked)
      .map((c) => c.value),
    range: ui.range.value,
    start: ui.start.value.trim(),
    end: ui.end.value.trim(),
    step: ui.step.value,
    groupByPod: ui.groupByPod.checked,
    pods: selectedValues(ui.pods),
    refresh: ui.refresh.value,
  };
}

function applySimpleControls(s: ViewState): void {
  ui.kind.value = s.kind;
  for (const c of ui.quantiles.querySelectorAll<HTMLInputElement>('input[name=quantile]')) {
    c.checked = s.quantiles.includes(c.value);
  }
  ui.range.value = s.range;
  ui.start.value = s.start;
  ui.end.value = s.end;
  ui.step.value = s.step;
  ui.groupByPod.checked = s.groupByPod;
  ui.refresh.value = s.refresh;
  syncRangeControls();
}

function saveUrl(): void {
  const query = stateToQuery(readState());
  history.replaceState(null, '', `${location.pathname}?${query}`);
}

// ---- the metric call ------------------------------------------------------------------------

// The API call for the current controls: path and query, relative to the page.
function metricCall(): string {
  const s = readState();
  const variant = variantOf(catalog.find((m) => m.name === s.metric));
  const takes = (p: string): boolean => !variant || variant.parameters.includes(p);
  const p: [string, string][] = [['namespace', s.namespace]];
  if (s.kind === 'vertex') p.push(['pipeline', s.pipeline], ['vertex', s.vertex]);
  else p.push(['mvtx', s.mvtx]);
  if (takes('quantile')) p.push(['quantile', s.quantiles.join(',')]);
  if (s.groupByPod && takes('group_by') && !ui.groupByPod.disabled) p.push(['group_by', 'pod']);
  if (s.pods.length > 0 && takes('pod')) p.push(['pod', s.pods.join(',')]);
  if (s.range === 'custom') {
    if (s.start) p.push(['start', s.start]);
    if (s.end) p.push(['end', s.end]);
  } else {
    // No end: the range slides with now, and the server's results cache answers all of it but
    // the fresh tail (docs/api.md, "Results cache").
    p.push(['start', String(Math.floor(Date.now() / 1000) - durationSeconds(s.range))]);
  }
  if (s.step !== 'auto') p.push(['step', s.step]);
  const query = p.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%3A/g, ':')}`).join('&');
  return `api/v1/metrics/${segment(s.metric)}?${query}`;
}

function curlFor(call: string): string {
  const url = new URL(call, location.href).toString();
  const auth = token() ? ` -H "Authorization: Bearer $NFMETRICS_TOKEN"` : '';
  return `curl -s --compressed${auth} ${shellQuote(url)}`;
}

function chartTitle(metric: CatalogMetric | undefined, name: string): string {
  const variant = variantOf(metric);
  return variant?.display_name ?? metric?.description ?? name;
}

async function load(): Promise<void> {
  const seq = ++loadSeq;
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  const metric = ui.metric.value;
  if (!chart) chart = new ChartSection(ui.charts, metric);
  chart.setMetric(metric, chartTitle(catalog.find((m) => m.name === metric), metric));
  chart.loading();
  const call = metricCall();
  ui.curl.textContent = curlFor(call);
  try {
    const answer = await getJson<MetricAnswer>(call, token(), controller.signal);
    if (seq !== loadSeq) return;
    clearError();
    const queries = answer.data.queries?.map((q) => q.query) ?? [answer.data.query];
    ui.promql.textContent = queries.join('\n');
    chart.show(answer.data, answer.warnings);
  } catch (e) {
    if (seq !== loadSeq || controller.signal.aborted) return;
    chart.failed();
    ui.promql.textContent = '';
    showError(e, '');
  }
}

function scheduleRefresh(): void {
  window.clearInterval(refreshTimer);
  refreshTimer = undefined;
  const seconds = durationSeconds(ui.refresh.value);
  if (seconds > 0) {
    refreshTimer = window.setInterval(() => {
      if (!document.hidden) void load();
    }, seconds * 1000);
  }
}

// ---- wiring ---------------------------------------------------------------------------------

// Runs a picker change: refill what depends on it, then save the view and load the chart.
function onChange(refill: () => Promise<void> | void): () => Promise<void> {
  return async () => {
    try {
      await refill();
    } catch (e) {
      showError(e, 'listing failed');
    }
    saveUrl();
    await load();
  };
}

async function fillPickers(s: ViewState): Promise<void> {
  catalog = (await getJson<Catalog>('api/v1/metrics', token())).data.metrics;
  fillMetrics(s.metric);
  await fillNamespaces(s.namespace);
  await fillObjects(s);
  await fillPods(s.pods);
}

async function start(): Promise<void> {
  const s = stateFromUrl(location.search);
  ui.token.value = storedToken();
  applySimpleControls(s);
  try {
    await fillPickers(s);
  } catch (e) {
    showError(e, 'cannot fill the pickers');
    // Keep what the URL asked for in the pickers not filled, so that a token typed now can still
    // load it.
    const keep = (select: HTMLSelectElement, wanted: string[]): void => {
      if (select.options.length === 0) fillSelect(select, [], wanted);
    };
    keep(ui.namespace, [s.namespace || 'default']);
    keep(ui.mvtx, [s.mvtx]);
    keep(ui.pipeline, [s.pipeline]);
    keep(ui.vertex, [s.vertex]);
    keep(ui.metric, [s.metric || 'sink-latency']);
    keep(ui.pods, s.pods);
    for (const el of document.querySelectorAll<HTMLElement>('.for-vertex')) el.hidden = s.kind !== 'vertex';
    for (const el of document.querySelectorAll<HTMLElement>('.for-mono-vertex')) el.hidden = s.kind === 'vertex';
    syncMetricControls();
  }
  document.body.dataset.ready = 'true';
  saveUrl();
  scheduleRefresh();
  // Even when a list failed: the chart's own error names the parameter at fault.
  await load();
}

ui.namespace.addEventListener('change', onChange(async () => {
  await fillObjects({});
  await fillPods([]);
}));
ui.kind.addEventListener('change', onChange(async () => {
  fillMetrics(ui.metric.value);
  await fillObjects({});
  await fillPods([]);
}));
ui.mvtx.addEventListener('change', onChange(() => fillPods([])));
ui.pipeline.addEventListener('change', onChange(async () => {
  await fillVertices('');
  await fillPods([]);
}));
ui.vertex.addEventListener('change', onChange(() => fillPods([])));
ui.metric.addEventListener('change', onChange(syncMetricControls));
ui.range.addEventListener('change', () => {
  syncRangeControls();
  // A custom range is loaded once its start and end are typed (change or Apply).
  if (ui.range.value !== 'custom') void onChange(() => undefined)();
  else saveUrl();
});
for (const el of [ui.quantiles, ui.start, ui.end, ui.step, ui.groupByPod, ui.pods]) {
  el.addEventListener('change', onChange(() => undefined));
}
ui.refresh.addEventListener('change', () => {
  saveUrl();
  scheduleRefresh();
});
ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  saveUrl();
  void load();
});
ui.token.addEventListener('change', async () => {
  storeToken(token());
  // The pickers may have failed for want of a token: fill them again with it.
  clearError();
  try {
    await fillPickers(readState());
  } catch (e) {
    showError(e, 'cannot fill the pickers');
    return;
  }
  saveUrl();
  await load();
});
ui.copyCurl.addEventListener('click', async () => {
  const text = ui.curl.textContent ?? '';
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API (not a secure context): select the text for Ctrl+C.
    const selection = window.getSelection();
    const range = document.createRange();
    range.selectNodeContents(ui.curl);
    selection?.removeAllRanges();
    selection?.addRange(range);
  }
  ui.copied.hidden = false;
  window.setTimeout(() => (ui.copied.hidden = true), 1500);
});

void start();
