// Calls to the nfmetrics API: relative paths (so the page works behind a path prefix), the bearer
// token when one is set, and API errors turned into ApiError with the parameter at fault.

const TOKEN_KEY = 'nfmetrics.token';

export function storedToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function storeToken(token: string): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage refused (private mode): the token still works for this page
  }
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly param: string,
  ) {
    super(message);
  }
}

export interface Envelope<T> {
  status: 'success' | 'error';
  data?: T;
  warnings?: string[];
  error?: { code: string; message: string; param?: string };
}

export interface Answer<T> {
  data: T;
  warnings: string[];
}

// The headers of an API call: what it accepts, and the bearer token when one is set.
export function apiHeaders(token: string, accept = 'application/json'): Record<string, string> {
  const headers: Record<string, string> = { Accept: accept };
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

// The API's error answer (`body`, when it could be read) as an ApiError.
function errorOf(response: Response, body: Envelope<unknown> | undefined): ApiError {
  const error = body?.error;
  return new ApiError(
    error?.message ?? `HTTP ${response.status} ${response.statusText}`.trim(),
    response.status,
    error?.code ?? 'http',
    error?.param ?? '',
  );
}

// Reads the error answer of a call that failed.
export async function readError(response: Response): Promise<ApiError> {
  let body: Envelope<unknown> | undefined;
  try {
    body = (await response.json()) as Envelope<unknown>;
  } catch {
    body = undefined;
  }
  return errorOf(response, body);
}

export function networkError(e: unknown): ApiError {
  return new ApiError(`cannot reach nfmetrics: ${(e as Error).message}`, 0, 'network', '');
}

// GETs `path` (relative to the page, with its query string) and returns `data` and `warnings`.
export async function getJson<T>(path: string, token: string, signal?: AbortSignal): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await fetch(path, { headers: apiHeaders(token), signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw networkError(e);
  }
  let body: Envelope<T> | undefined;
  try {
    body = (await response.json()) as Envelope<T>;
  } catch {
    body = undefined;
  }
  if (!response.ok || body?.status !== 'success' || body.data === undefined) throw errorOf(response, body);
  return { data: body.data, warnings: body.warnings ?? [] };
}

// GET /api/v1/metrics
export interface Dimension {
  name: string;
  label: string;
}
export interface Variant {
  object: string; // mono-vertex | vertex
  display_name?: string;
  description?: string;
  unit?: string;
  dimensions: Dimension[];
  parameters: string[];
}
export interface CatalogMetric {
  name: string;
  description?: string;
  unit: string;
  kind: string; // quantile | rate | value
  objects: string[];
  variants: Variant[];
}
export interface Catalog {
  metrics: CatalogMetric[];
}

// GET /api/v1/metrics/{metric}
export interface Series {
  labels: Record<string, string>;
  quantile?: number;
  points: [number, number | null][];
}
export interface MetricAnswer {
  metric: string;
  unit: string;
  query: string;
  queries?: { quantile?: number; query: string }[];
  range: { start: string; end: string; start_unix: number; end_unix: number; step: string; step_seconds: number; window?: string };
  series: Series[];
  cache?: string;
}

export function segment(value: string): string {
  return encodeURIComponent(value);
}
