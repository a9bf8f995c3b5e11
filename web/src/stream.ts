// The stream of a metric (GET /api/v1/metrics/{metric}/stream, docs/api.md): its `snapshot`,
// `points` and `error` events handed to the chart, over the browser's EventSource when no token is
// set, else over fetch and SseParser (EventSource sends no Authorization header). Both reconnect
// with Last-Event-ID, so that the server sends only the steps missed.

import {
  ApiError,
  apiHeaders,
  networkError,
  readError,
  type Envelope,
  type MetricAnswer,
  type Answer,
} from './api';
import type { PointsUpdate } from './live';
import { SseParser } from './sse';

export interface StreamHandlers {
  snapshot(answer: Answer<MetricAnswer>): void;
  points(update: PointsUpdate): void;
  // An `error` event: a refresh failed upstream (the stream stays open and tries the next step),
  // or `unauthorized` when the stream's token expired (the server then ends the stream).
  streamError(code: string, message: string): void;
  // The connection ended or dropped; the stream reconnects.
  interrupted(): void;
  // The server answered with an error instead of a stream. `retryInMs` is when the stream tries
  // again (a backend failure, too many streams), or null when it has stopped (400, 401, 403, 404:
  // asking again would get the same answer).
  refused(error: ApiError, retryInMs: number | null): void;
}

export interface StreamOptions {
  token: string; // '' : no Authorization header, and EventSource where the browser has it
  fetch?: typeof fetch; // for tests
  firstRetryMs?: number;
  maxRetryMs?: number;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;

// Statuses below 500 worth asking again for: a timeout, too many requests.
const RETRIED_CLIENT_STATUSES = new Set([408, 429]);

// `Retry-After` in milliseconds (seconds only; the server sends no date), or 0.
function retryAfterMs(response: Response): number {
  const seconds = Number(response.headers.get('Retry-After'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

export class MetricStream {
  private readonly fetchFn: typeof fetch;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;
  private retryMs: number;
  private lastId = '';
  private closed = false;
  private source: EventSource | null = null;
  private controller: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | null = null;

  // Opens the stream at `path` (relative to the page, with its query string).
  constructor(
    private readonly path: string,
    private readonly options: StreamOptions,
    private readonly handlers: StreamHandlers,
  ) {
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.firstRetryMs = options.firstRetryMs ?? FIRST_RETRY_MS;
    this.maxRetryMs = options.maxRetryMs ?? MAX_RETRY_MS;
    this.retryMs = this.firstRetryMs;
    if (!options.token && !options.fetch && typeof EventSource !== 'undefined') this.openEventSource();
    else void this.readWithFetch();
  }

  // Whether the events come through EventSource (else fetch).
  get usesEventSource(): boolean {
    return this.source !== null;
  }

  close(): void {
    this.closed = true;
    this.source?.close();
    this.source = null;
    this.controller?.abort();
    clearTimeout(this.timer);
    this.wake?.();
  }

  // One event, from either transport.
  private deliver(type: string, data: string, id: string): void {
    if (this.closed) return;
    if (id) this.lastId = id;
    let body: unknown;
    try {
      body = JSON.parse(data);
    } catch {
      this.handlers.streamError('unreadable', `an unreadable ${type} event`);
      return;
    }
    if (type === 'snapshot') {
      const envelope = body as Envelope<MetricAnswer>;
      if (envelope.data === undefined) return this.handlers.streamError('unreadable', 'a snapshot without data');
      this.handlers.snapshot({ data: envelope.data, warnings: envelope.warnings ?? [] });
    } else if (type === 'points') {
      this.handlers.points(body as PointsUpdate);
    } else if (type === 'error') {
      const error = (body as Envelope<unknown>).error;
      this.handlers.streamError(error?.code ?? '', error?.message ?? 'the backend failed');
    } else {
      return;
    }
    this.retryMs = this.firstRetryMs; // the stream works: a later failure retries soon
  }

  private openEventSource(): void {
    const source = new EventSource(this.path);
    this.source = source;
    const listen = (type: string): void =>
      source.addEventListener(type, (e) => {
        // The server's `error` events and EventSource's own connection errors share the name;
        // only the server's carry data.
        if (e instanceof MessageEvent) this.deliver(type, String(e.data), e.lastEventId);
        else if (type === 'error') this.connectionError(source);
      });
    for (const type of ['snapshot', 'points', 'error']) listen(type);
  }

  private connectionError(source: EventSource): void {
    if (this.closed || source !== this.source) return;
    if (source.readyState !== EventSource.CLOSED) {
      this.handlers.interrupted(); // the browser reconnects by itself, with Last-Event-ID
      return;
    }
    // Refused (an error status, or not an event stream): EventSource neither retries nor shows
    // the answer. Asking again with fetch reads the error, and retries when that makes sense.
    source.close();
    this.source = null;
    void this.readWithFetch();
  }

  private async readWithFetch(): Promise<void> {
    while (!this.closed) {
      const controller = new AbortController();
      this.controller = controller;
      const headers = apiHeaders(this.options.token, 'text/event-stream');
      if (this.lastId) headers['Last-Event-ID'] = this.lastId;
      let response: Response;
      try {
        response = await this.fetchFn(this.path, { headers, signal: controller.signal, cache: 'no-store' });
      } catch (e) {
        if (this.closed) return;
        const wait = this.nextRetry();
        this.handlers.refused(networkError(e), wait);
        await this.pause(wait);
        continue;
      }
      if (!response.ok || !response.body) {
        const error = await readError(response);
        if (this.closed) return;
        if (response.status < 500 && !RETRIED_CLIENT_STATUSES.has(response.status)) {
          this.handlers.refused(error, null);
          return;
        }
        const wait = Math.max(retryAfterMs(response), this.nextRetry());
        this.handlers.refused(error, wait);
        await this.pause(wait);
        continue;
      }
      try {
        await this.readEvents(response.body);
      } catch {
        // dropped mid-stream; reconnected below
      }
      if (this.closed) return;
      this.handlers.interrupted();
      await this.pause(this.nextRetry());
    }
  }

  private async readEvents(body: ReadableStream<Uint8Array>): Promise<void> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done || this.closed) return;
      for (const e of parser.feed(decoder.decode(value, { stream: true }))) this.deliver(e.type, e.data, e.id);
    }
  }

  // The wait before the next attempt: doubling from firstRetryMs up to maxRetryMs.
  private nextRetry(): number {
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
    return wait;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
