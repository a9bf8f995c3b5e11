// A Server-Sent Events parser for the streams read with fetch (a bearer token cannot go through
// EventSource, which sends no headers). It follows the HTML standard's "event stream
// interpretation": lines end in CRLF, LF or CR; `event`, `data` and `id` fields; comment lines
// (": keep-alive") and unknown fields ignored; an event is dispatched at a blank line, and not at
// all when it has no data.

export interface SseEvent {
  type: string; // "message" when the event named none
  data: string;
  id: string; // the last event ID after this event (the stream's, as EventSource keeps it)
}

export class SseParser {
  private buffer = '';
  private afterCr = false; // the last chunk ended in CR: an LF starting the next one ends no line
  private type = '';
  private data: string[] = [];
  private lastId = '';

  // The events completed by `chunk` (text as decoded, any split of the stream).
  feed(chunk: string): SseEvent[] {
    if (this.afterCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.afterCr = chunk.endsWith('\r');
    this.buffer += chunk;
    const events: SseEvent[] = [];
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    let match: RegExpExecArray | null;
    while ((match = lineEnd.exec(this.buffer)) !== null) {
      // A CR at the very end may be the first half of a CRLF split across chunks: the line it
      // ends is complete either way, and afterCr drops the LF.
      const event = this.line(this.buffer.slice(start, match.index));
      if (event) events.push(event);
      start = lineEnd.lastIndex;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  get lastEventId(): string {
    return this.lastId;
  }

  private line(line: string): SseEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    return null;
  }

  private dispatch(): SseEvent | null {
    const event: SseEvent | null =
      this.data.length > 0 ? { type: this.type || 'message', data: this.data.join('\n'), id: this.lastId } : null;
    this.type = '';
    this.data = [];
    return event;
  }
}
