// The nfmetrics dashboard: pickers filled from the API, the diagnosis of the chosen object above a
// chart of the chosen metric (kept current by the metric's stream while Live is on), or in the
// Capacity view the object's days, trends and load deciles (capacity.ts); the PromQL and a curl
// for the same call, and the view kept in the URL. The DOM ids are a contract with the
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
import { CapacityView } from './capacity';
import { boundedInteger, DAYS_DEFAULT, DAYS_MAX, DAYS_MIN, HORIZON_DEFAULT, HORIZON_MAX, HORIZON_MIN, type CapacityAnswer } from './capacity_math';
import { ChartSection, type LiveStatus } from './chart';
import { DiagnosisPanel, type Diagnosis, type Finding } from './diagnosis';
import { quantileName, shellQuote } from './format';
import { durationSeconds, liveAvailable, stateFromUrl, stateToQuery, type ViewState } from './state';
import { MetricStream } from './stream';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

const ui = {
  form: byId<HTMLFormElement>('controls'),
  view: byId<HTMLSelectElement>('view'),
  days: byId<HTMLInputElement>('days'),
  horizon: byId<HTMLInputElement>('horizon'),
  capacityQuantile: byId<HTMLSelectElement>('capacity-quantile'),
  capacity: byId<HTMLElement>('capacity'),
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
  live: byId<HTMLInputElement>('live'),
  apply: byId<HTMLButtonElement>('apply'),
  token: byId<HTMLInputElement>('token'),
  error: byId<HTMLDivElement>('error'),
  diagnosis: byId<HTMLElement>('diagnosis'),
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
  days: ui.days,
  horizon: ui.horizon,
};

let catalog: CatalogMetric[] = [];
let chart: ChartSection | null = null;
const capacity = new CapacityView(ui.capacity);
const diagnosis = new DiagnosisPanel(ui.diagnosis, showSlowPod);
// What the diagnosis shown was asked for (object, range, quantile: not the metric, pods or step,
// which do not change it), and the request running.
let diagnosisKey = '';
let diagnosisInFlight: AbortController | null = null;
// The pod a slow pod finding filtered the chart to: its since marker stays while the chart shows
// that pod alone.
let markedPod = '';
let loadSeq = 0;
let inFlight: AbortController | null = null;
let refreshTimer: number | undefined;
// Live: what the user chose (kept while a range without Live is shown), the stream open, and the
// time of its last event.
let liveWanted = true;
let stream: MetricStream | null = null;
let liveUpdated: Date | null = null;
// A stream is closed once the page has been hidden for this long, and opened again (a new
// snapshot) when the page is shown: a tab left in the background holds no connection for hours.
const HIDDEN_CLOSE_MS = 5 * 60 * 1000;
let hiddenTimer: number | undefined;
let pausedWhileHidden = false;
// The picker chain running (a change refilling the lists after it): a newer one aborts it, so an
// older answer never overwrites a newer one.
let pickerChain: AbortController | null = null;

// What the Namespace picker shows when the API lists no namespace.
const NO_NAMESPACES = 'no namespaces with NumaFlow data in this range';

function newPickerChain(): AbortSignal {
  pickerChain?.abort();
  pickerChain = new AbortController();
  return pickerChain.signal;
}

// Thrown by a picker step whose chain a newer one replaced.
class Superseded extends Error {}

function checkCurrent(signal: AbortSignal): void {
  if (signal.aborted) throw new Superseded('superseded by a newer change');
}

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
  if (param === 'quantile' && capacityView()) controls.push(ui.capacityQuantile);
  else if (PARAM_CONTROLS[param]) controls.push(PARAM_CONTROLS[param]);
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
  if (capacityView()) {
    // The Capacity view's days, and today's.
    p.set('start', String(Math.floor(Date.now() / 1000) - (capacityDays() + 1) * 86400));
  } else if (ui.range.value === 'custom') {
    if (ui.start.value.trim()) p.set('start', ui.start.value.trim());
    if (ui.end.value.trim()) p.set('end', ui.end.value.trim());
  } else {
    p.set('start', String(Math.floor(Date.now() / 1000) - durationSeconds(ui.range.value)));
  }
  const q = p.toString();
  return q ? `?${q}` : '';
}

async function listOf(path: string, key: string, signal: AbortSignal): Promise<string[]> {
  let answer;
  try {
    answer = await getJson<Record<string, unknown>>(`${path}${rangeQuery()}`, token(), signal);
  } catch (e) {
    checkCurrent(signal);
    // A custom range the API refuses is the chart's error to show; list the last hour instead.
    if (!(e instanceof ApiError) || e.status !== 400 || !['start', 'end'].includes(e.param)) throw e;
    answer = await getJson<Record<string, unknown>>(path, token(), signal);
  }
  checkCurrent(signal);
  const values = answer.data[key];
  return Array.isArray(values) ? (values as string[]) : [];
}

async function fillNamespaces(wanted: string, signal: AbortSignal): Promise<void> {
  let names: string[];
  try {
    names = await listOf('api/v1/namespaces', 'namespaces', signal);
  } catch (e) {
    // A server without the namespaces list (404) still has the rest of the API: try "default".
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    names = wanted ? [] : ['default'];
  }
  if (names.length === 0 && !wanted) {
    // Nothing to pick (no data in the range, or a token whose namespaces have none): an empty
    // picker saying so, and load() asks the API nothing.
    const option = document.createElement('option');
    option.value = '';
    option.textContent = NO_NAMESPACES;
    option.disabled = true;
    option.selected = true;
    ui.namespace.replaceChildren(option);
    return;
  }
  fillSelect(ui.namespace, names, [wanted]);
}

async function fillObjects(state: Partial<ViewState>, signal: AbortSignal): Promise<void> {
  const ns = segment(ui.namespace.value);
  const vertexKind = ui.kind.value === 'vertex';
  for (const el of document.querySelectorAll<HTMLElement>('.for-vertex')) el.hidden = !vertexKind;
  for (const el of document.querySelectorAll<HTMLElement>('.for-mono-vertex')) el.hidden = vertexKind;
  if (!ns) {
    for (const select of [ui.mvtx, ui.pipeline, ui.vertex]) fillSelect(select, [], []);
    return;
  }
  if (vertexKind) {
    fillSelect(ui.pipeline, await listOf(`api/v1/namespaces/${ns}/pipelines`, 'pipelines', signal), [state.pipeline ?? '']);
    await fillVertices(state.vertex ?? '', signal);
  } else {
    fillSelect(ui.mvtx, await listOf(`api/v1/namespaces/${ns}/mono-vertices`, 'mono_vertices', signal), [state.mvtx ?? '']);
  }
}

async function fillVertices(wanted: string, signal: AbortSignal): Promise<void> {
  if (!ui.pipeline.value) return fillSelect(ui.vertex, [], [wanted]);
  const path = `api/v1/namespaces/${segment(ui.namespace.value)}/pipelines/${segment(ui.pipeline.value)}/vertices`;
  fillSelect(ui.vertex, await listOf(path, 'vertices', signal), [wanted]);
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

async function fillPods(wanted: string[], signal: AbortSignal): Promise<void> {
  const path = ui.namespace.value ? podsPath() : null;
  fillSelect(ui.pods, path ? await listOf(path, 'pods', signal) : [], wanted);
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
  for (const el of document.querySelectorAll<HTMLElement>('.for-custom')) el.hidden = ui.range.value !== 'custom' || capacityView();
  syncLiveControl();
}

const capacityView = (): boolean => ui.view.value === 'capacity';
const capacityDays = (): number => boundedInteger(ui.days.value, DAYS_MIN, DAYS_MAX, DAYS_DEFAULT);
const capacityHorizon = (): number => boundedInteger(ui.horizon.value, HORIZON_MIN, HORIZON_MAX, HORIZON_DEFAULT);

// The controls and sections of the view chosen: the metric's (the findings panel, the chart and
// their controls) or the Capacity view's (#capacity, days, horizon, quantile).
function syncView(): void {
  const cap = capacityView();
  document.body.dataset.view = cap ? 'capacity' : 'metrics';
  for (const el of document.querySelectorAll<HTMLElement>('.for-metrics:not(.for-custom)')) el.hidden = cap;
  for (const el of document.querySelectorAll<HTMLElement>('.for-capacity')) el.hidden = !cap;
  ui.charts.hidden = cap;
  ui.capacity.hidden = !cap;
  if (cap) {
    diagnosisInFlight?.abort();
    diagnosisKey = '';
    diagnosis.hide();
  }
  syncRangeControls();
}

// The Live switch: on as wanted for a range a stream can slide over, else off and disabled.
function syncLiveControl(): void {
  const available = liveAvailable(ui.range.value);
  ui.live.disabled = !available;
  ui.live.checked = available && liveWanted;
  ui.live.title = available ? 'Keep the chart current with the metric\'s stream' :
    'Live needs a relative range of at most 24 hours';
}

const liveOn = (): boolean => ui.live.checked && !ui.live.disabled;

// ---- state <-> controls ---------------------------------------------------------------------

function quantileBoxes(): HTMLInputElement[] {
  return Array.from(ui.quantiles.querySelectorAll<HTMLInputElement>('input[name=quantile]'));
}

// A quantile from a shared URL without a checkbox (0.999) gets one (p99.9), in numeric order.
function addQuantileBox(q: string): void {
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.name = 'quantile';
  box.value = q;
  label.append(box, ` ${quantileName(Number(q))}`);
  const next = quantileBoxes().find((b) => Number(b.value) > Number(q));
  ui.quantiles.insertBefore(label, next?.closest('label') ?? null);
}

function readState(): ViewState {
  return {
    namespace: ui.namespace.value,
    kind: ui.kind.value === 'vertex' ? 'vertex' : 'mono-vertex',
    mvtx: ui.mvtx.value,
    pipeline: ui.pipeline.value,
    vertex: ui.vertex.value,
    metric: ui.metric.value,
    quantiles: quantileBoxes()
      .filter((c) => c.checked)
      .map((c) => c.value),
    range: ui.range.value,
    start: ui.start.value.trim(),
    end: ui.end.value.trim(),
    step: ui.step.value,
    groupByPod: ui.groupByPod.checked,
    pods: selectedValues(ui.pods),
    refresh: ui.refresh.value,
    live: liveWanted,
    view: capacityView() ? 'capacity' : 'metrics',
    days: capacityDays(),
    horizon: capacityHorizon(),
    capacityQuantile: ui.capacityQuantile.value,
  };
}

function applySimpleControls(s: ViewState): void {
  ui.kind.value = s.kind;
  for (const q of s.quantiles) if (!quantileBoxes().some((c) => c.value === q)) addQuantileBox(q);
  for (const c of quantileBoxes()) c.checked = s.quantiles.includes(c.value);
  ui.range.value = s.range;
  ui.start.value = s.start;
  ui.end.value = s.end;
  ui.step.value = s.step;
  ui.groupByPod.checked = s.groupByPod;
  ui.refresh.value = s.refresh;
  liveWanted = s.live;
  ui.view.value = s.view;
  ui.days.value = String(s.days);
  ui.horizon.value = String(s.horizon);
  ui.capacityQuantile.value = s.capacityQuantile;
  syncView();
}

function saveUrl(): void {
  const query = stateToQuery(readState());
  // Relative: a path such as "//x" would otherwise be read as a host, and replaceState throw.
  history.replaceState(null, '', `?${query}`);
}

// ---- the metric call ------------------------------------------------------------------------

// The parameters of the metric call for the current controls, but its time range.
function metricParams(s: ViewState): [string, string][] {
  const variant = variantOf(catalog.find((m) => m.name === s.metric));
  const takes = (p: string): boolean => !variant || variant.parameters.includes(p);
  const p: [string, string][] = [['namespace', s.namespace]];
  if (s.kind === 'vertex') p.push(['pipeline', s.pipeline], ['vertex', s.vertex]);
  else p.push(['mvtx', s.mvtx]);
  // No quantile checked cannot happen from the UI; without one the API's default (0.95) applies.
  if (takes('quantile') && s.quantiles.length > 0) p.push(['quantile', s.quantiles.join(',')]);
  if (s.groupByPod && takes('group_by') && !ui.groupByPod.disabled) p.push(['group_by', 'pod']);
  if (s.pods.length > 0 && takes('pod')) p.push(['pod', s.pods.join(',')]);
  return p;
}

// The API call for the current controls: path and query, relative to the page.
function metricCall(): string {
  const s = readState();
  const p = [...metricParams(s), ...rangeParams(s)];
  if (s.step !== 'auto') p.push(['step', s.step]);
  return `api/v1/metrics/${segment(s.metric)}?${queryString(p)}`;
}

// The stream of the same call: the relative range as `range`, sliding with now.
function streamCall(): string {
  const s = readState();
  const p: [string, string][] = [...metricParams(s), ['range', s.range]];
  if (s.step !== 'auto') p.push(['step', s.step]);
  return `api/v1/metrics/${segment(s.metric)}/stream?${queryString(p)}`;
}

function rangeParams(s: ViewState): [string, string][] {
  if (s.range === 'custom') {
    const p: [string, string][] = [];
    if (s.start) p.push(['start', s.start]);
    if (s.end) p.push(['end', s.end]);
    return p;
  }
  // No end: the range slides with now, and the server's results cache answers all of it but
  // the fresh tail (docs/api.md, "Results cache").
  return [['start', String(Math.floor(Date.now() / 1000) - durationSeconds(s.range))]];
}

function queryString(p: [string, string][]): string {
  return p.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%3A/g, ':')}`).join('&');
}

// The diagnosis call for the current controls (the MonoVertex, or the pipeline of the vertex;
// the chart's range; the largest quantile checked) and what identifies it, or null without an
// object to diagnose.
function diagnosisCall(): { call: string; key: string } | null {
  const s = readState();
  const object: [string, string] = s.kind === 'vertex' ? ['pipeline', s.pipeline] : ['mvtx', s.mvtx];
  if (!s.namespace || !object[1]) return null;
  const p: [string, string][] = [['namespace', s.namespace], object];
  const quantiles = s.quantiles.map(Number).filter(Number.isFinite);
  if (quantiles.length > 0) p.push(['quantile', String(Math.max(...quantiles))]);
  const key = JSON.stringify([...p, s.range, s.start, s.end]);
  p.push(...rangeParams(s));
  return { call: `api/v1/diagnosis?${queryString(p)}`, key };
}

// Asks for the diagnosis unless the one shown answers the same question (`force`: ask again, for
// Apply and the refresh timer). Its errors stay in its panel: the chart does not depend on it.
async function loadDiagnosis(force: boolean): Promise<void> {
  const next = diagnosisCall();
  if (!next) {
    diagnosisInFlight?.abort();
    diagnosisKey = '';
    diagnosis.hide();
    return;
  }
  if (next.key === diagnosisKey && !force) return;
  diagnosisKey = next.key;
  diagnosisInFlight?.abort();
  const controller = new AbortController();
  diagnosisInFlight = controller;
  diagnosis.loading();
  try {
    const answer = await getJson<Diagnosis>(next.call, token(), controller.signal);
    if (controller.signal.aborted) return;
    diagnosis.show(answer.data);
  } catch (e) {
    if (controller.signal.aborted) return;
    diagnosis.failed(e instanceof Error ? e.message : String(e));
  }
}

// A slow pod's finding clicked: the chart shows that pod alone (the Pods filter), with a marker
// at since when it is slow. A metric without a pod filter gives way to sink latency, the
// finding's own metric.
function showSlowPod(f: Finding): void {
  if (!variantOf(catalog.find((m) => m.name === ui.metric.value))?.parameters.includes('pod') &&
      catalog.some((m) => m.name === 'sink-latency' && m.objects.includes(ui.kind.value))) {
    fillSelect(ui.metric, Array.from(ui.metric.options, (o) => o.value), ['sink-latency']);
    syncMetricControls();
  }
  fillSelect(ui.pods, Array.from(ui.pods.options, (o) => o.value), [f.subject]);
  markedPod = f.subject;
  const at = f.since_unix;
  const time = at === null ? '' : new Date(at * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  chart?.setMarker(at === null ? null : { at, label: `${f.subject} slow since ${time}` });
  saveUrl();
  void load();
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

// Loads the chart (a GET, or with Live on the stream's snapshot), and the diagnosis when its
// question changed (or `forceDiagnosis`).
async function load(forceDiagnosis = false): Promise<void> {
  const seq = ++loadSeq;
  inFlight?.abort();
  closeLive();
  const controller = new AbortController();
  inFlight = controller;
  if (capacityView()) {
    await loadCapacity(seq, controller);
    return;
  }
  const metric = ui.metric.value;
  if (!chart) chart = new ChartSection(ui.charts, metric);
  chart.setMetric(metric, chartTitle(catalog.find((m) => m.name === metric), metric));
  const pods = selectedValues(ui.pods);
  if (markedPod && !(pods.length === 1 && pods[0] === markedPod)) {
    markedPod = '';
    chart.setMarker(null);
  }
  void loadDiagnosis(forceDiagnosis);
  if (!ui.namespace.value) {
    // Nothing to ask for: say why instead of calling the API without a namespace.
    chart.empty(`No namespace to show: ${NO_NAMESPACES}.`);
    ui.promql.textContent = '';
    ui.curl.textContent = '';
    showError(`${NO_NAMESPACES}. Choose a longer range, or a token that may read other namespaces.`, '');
    ui.error.dataset.param = 'namespace';
    ui.namespace.classList.add('param-error');
    ui.namespace.setAttribute('aria-invalid', 'true');
    return;
  }
  chart.loading();
  const call = metricCall();
  ui.curl.textContent = curlFor(call);
  if (liveOn()) {
    openLive(chart);
    return;
  }
  try {
    const answer = await getJson<MetricAnswer>(call, token(), controller.signal);
    if (seq !== loadSeq) return;
    showAnswer(chart, answer.data, answer.warnings);
  } catch (e) {
    if (seq !== loadSeq || controller.signal.aborted) return;
    chart.failed();
    ui.promql.textContent = '';
    showError(e, '');
  }
}

// ---- Capacity -------------------------------------------------------------------------------

// The capacity call for the current controls, or null without an object to ask for.
function capacityCall(): string | null {
  const s = readState();
  const object: [string, string][] = s.kind === 'vertex' ? [['pipeline', s.pipeline], ['vertex', s.vertex]] : [['mvtx', s.mvtx]];
  if (!s.namespace || object.some(([, v]) => !v)) return null;
  const p: [string, string][] = [['namespace', s.namespace], ...object, ['days', String(s.days)],
    ['quantile', s.capacityQuantile], ['horizon', String(s.horizon)]];
  return `api/v1/capacity?${queryString(p)}`;
}

async function loadCapacity(seq: number, controller: AbortController): Promise<void> {
  const call = capacityCall();
  if (!call) {
    const why = ui.namespace.value ? 'Choose a MonoVertex, or a pipeline and a vertex.' : `No namespace to show: ${NO_NAMESPACES}.`;
    capacity.empty(why);
    ui.promql.textContent = '';
    ui.curl.textContent = '';
    clearError();
    return;
  }
  capacity.loading();
  ui.curl.textContent = curlFor(call);
  try {
    const answer = await getJson<CapacityAnswer>(call, token(), controller.signal);
    if (seq !== loadSeq) return;
    clearError();
    ui.promql.textContent = (answer.data.queries ?? []).join('\n');
    capacity.show(answer.data, answer.warnings);
  } catch (e) {
    if (seq !== loadSeq || controller.signal.aborted) return;
    capacity.failed();
    ui.promql.textContent = '';
    showError(e, '');
  }
}

function showAnswer(c: ChartSection, answer: MetricAnswer, warnings: string[]): void {
  clearError();
  const queries = answer.queries?.map((q) => q.query) ?? [answer.query];
  ui.promql.textContent = queries.join('\n');
  c.show(answer, warnings);
}

// ---- Live -----------------------------------------------------------------------------------

function liveStatus(state: LiveStatus['state'], detail = ''): LiveStatus {
  const time = liveUpdated?.toLocaleTimeString([], {
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  return { state, text: ['Live', time ? `updated ${time}` : '', detail].filter((t) => t !== '').join(' · ') };
}

// Opens the stream of the chart's call: its snapshot is the chart, its points are added to it,
// and its errors go to the Live status, the chart keeping what it shows. Only what asking again
// cannot fix (a 400, 401, 403, 404), or a failure before anything was shown, is an error of the
// page.
function openLive(c: ChartSection): void {
  liveUpdated = null;
  c.setLive(liveStatus('connecting', 'connecting…'));
  const updated = (): void => {
    liveUpdated = new Date();
    c.setLive(liveStatus('live'));
  };
  stream = new MetricStream(streamCall(), { token: token() }, {
    snapshot: (answer) => {
      showAnswer(c, answer.data, answer.warnings);
      updated();
    },
    points: (update) => {
      c.applyPoints(update);
      updated();
    },
    // An expired token ends the stream after its error: the reconnection's 401 is then the page's.
    streamError: (code, message) => c.setLive(liveStatus('error', code === 'unauthorized' ? message :
      `backend error: ${message}; trying again next step`)),
    interrupted: () => c.setLive(liveStatus('reconnecting', 'reconnecting…')),
    refused: (e, retryInMs) => {
      if (retryInMs === null || !c.hasAnswer) {
        c.failed();
        ui.promql.textContent = '';
        showError(e, '');
      }
      c.setLive(retryInMs === null ? null :
        liveStatus('error', `${e.message}; trying again in ${Math.ceil(retryInMs / 1000)} s`));
    },
  });
}

function closeLive(): void {
  stream?.close();
  stream = null;
  pausedWhileHidden = false;
  chart?.setLive(null);
}

function scheduleRefresh(): void {
  window.clearInterval(refreshTimer);
  refreshTimer = undefined;
  const seconds = durationSeconds(ui.refresh.value);
  if (seconds > 0) {
    // While Live keeps the chart current, a refresh asks only for the diagnosis.
    refreshTimer = window.setInterval(() => {
      if (document.hidden || capacityView()) return;
      if (liveOn()) void loadDiagnosis(true);
      else void load(true);
    }, seconds * 1000);
  }
}

// ---- wiring ---------------------------------------------------------------------------------

// Runs a picker change: refill the lists that depend on it (a new picker chain, aborting an older
// one), then save the view and load the chart. A chain a newer one replaced stops quietly: the
// newer one saves and loads.
function onChange(refill: (signal: AbortSignal) => Promise<void>): () => Promise<void> {
  return async () => {
    const signal = newPickerChain();
    try {
      await refill(signal);
    } catch (e) {
      if (signal.aborted || e instanceof Superseded) return;
      showError(e, 'listing failed');
    }
    saveUrl();
    await load();
  };
}

// A change that refills no list.
function onSimpleChange(): void {
  saveUrl();
  void load();
}

async function fillPickers(s: ViewState, signal: AbortSignal): Promise<void> {
  const answer = await getJson<Catalog>('api/v1/metrics', token(), signal);
  checkCurrent(signal);
  catalog = answer.data.metrics;
  fillMetrics(s.metric);
  await fillNamespaces(s.namespace, signal);
  await fillObjects(s, signal);
  await fillPods(s.pods, signal);
}

async function start(): Promise<void> {
  const s = stateFromUrl(location.search);
  ui.token.value = storedToken();
  applySimpleControls(s);
  const signal = newPickerChain();
  try {
    await fillPickers(s, signal);
  } catch (e) {
    if (signal.aborted || e instanceof Superseded) {
      // A picker changed meanwhile: its chain saves the view and loads the chart.
      document.body.dataset.ready = 'true';
      scheduleRefresh();
      return;
    }
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

ui.namespace.addEventListener('change', onChange(async (signal) => {
  await fillObjects({}, signal);
  await fillPods([], signal);
}));
ui.kind.addEventListener('change', onChange(async (signal) => {
  fillMetrics(ui.metric.value);
  await fillObjects({}, signal);
  await fillPods([], signal);
}));
ui.mvtx.addEventListener('change', onChange((signal) => fillPods([], signal)));
ui.pipeline.addEventListener('change', onChange(async (signal) => {
  await fillVertices('', signal);
  await fillPods([], signal);
}));
ui.vertex.addEventListener('change', onChange((signal) => fillPods([], signal)));
// Another view: its controls and sections, the lists over its range, and its call.
ui.view.addEventListener('change', () => {
  syncView();
  void refillForView();
});
const refillForView = onChange(async (signal) => {
  await fillNamespaces(ui.namespace.value, signal);
  await fillObjects(readState(), signal);
  await fillPods(selectedValues(ui.pods), signal);
});
for (const el of [ui.days, ui.horizon, ui.capacityQuantile]) el.addEventListener('change', onSimpleChange);
ui.metric.addEventListener('change', () => {
  syncMetricControls();
  onSimpleChange();
});
// The lists cover the chart's range; when it listed no namespace, a new range may list some.
// Otherwise a plain change, so as not to abort a picker chain running.
const refillNamespaces = onChange(async (signal) => {
  await fillNamespaces('', signal);
  await fillObjects({}, signal);
  await fillPods([], signal);
});
function onRangeChange(): void {
  if (ui.namespace.value) onSimpleChange();
  else void refillNamespaces();
}
ui.range.addEventListener('change', () => {
  syncRangeControls();
  // A custom range is loaded once its start and end are typed (change or Apply).
  if (ui.range.value !== 'custom') onRangeChange();
  else saveUrl();
});
// At least one quantile stays checked: unchecking the last one checks it again (the API needs one,
// and a chart of no quantile shows nothing).
ui.quantiles.addEventListener('change', (event) => {
  const box = event.target;
  if (box instanceof HTMLInputElement && !box.checked && !quantileBoxes().some((c) => c.checked)) {
    box.checked = true;
    return;
  }
  onSimpleChange();
});
for (const el of [ui.start, ui.end]) el.addEventListener('change', onRangeChange);
for (const el of [ui.step, ui.groupByPod, ui.pods]) el.addEventListener('change', onSimpleChange);
ui.live.addEventListener('change', () => {
  liveWanted = ui.live.checked;
  onSimpleChange();
});
// A page left (or put in the back-forward cache) closes its stream at once: else the browser ends
// the connection itself, and the stream would take that for a failure to recover from.
window.addEventListener('pagehide', closeLive);
window.addEventListener('pageshow', (event) => {
  if (event.persisted) void load();
});
document.addEventListener('visibilitychange', () => {
  window.clearTimeout(hiddenTimer);
  if (document.hidden) {
    hiddenTimer = window.setTimeout(() => {
      if (!stream) return;
      stream.close();
      stream = null;
      pausedWhileHidden = true;
      chart?.setLive(liveStatus('paused', 'paused while the page is hidden'));
    }, HIDDEN_CLOSE_MS);
  } else if (pausedWhileHidden) {
    void load();
  }
});
ui.refresh.addEventListener('change', () => {
  saveUrl();
  scheduleRefresh();
});
ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  saveUrl();
  void load(true);
});
ui.token.addEventListener('change', async () => {
  storeToken(token());
  // The pickers may have failed for want of a token: fill them again with it.
  clearError();
  const signal = newPickerChain();
  try {
    await fillPickers(readState(), signal);
  } catch (e) {
    if (signal.aborted || e instanceof Superseded) return;
    showError(e, 'cannot fill the pickers');
    return;
  }
  saveUrl();
  await load(true);
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
