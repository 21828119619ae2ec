/** Reads a text/event-stream response event by event, as a browser's EventSource would. */
export interface ServerSentEvent {
  event: string;
  data: unknown;
}

export async function* readEvents(response: Response): AsyncGenerator<ServerSentEvent> {
  if (response.body === null) throw new Error('the response has no body');
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0) continue;
      yield { event, data: JSON.parse(data.join('\n')) as unknown };
    }
  }
}

/** An event stream read in the background into `events`; `waitFor` finds an event received before or after the call. */
export class EventLog {
  readonly events: ServerSentEvent[] = [];
  private ended = false;

  private constructor(private readonly abort: AbortController) {}

  static async open(url: string, headers: Record<string, string>): Promise<EventLog> {
    const abort = new AbortController();
    const response = await fetch(url, { headers, signal: abort.signal });
    if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
    const log = new EventLog(abort);
    void (async () => {
      try {
        for await (const event of readEvents(response)) log.events.push(event);
      } catch {
        // Closed by the test.
      } finally {
        log.ended = true;
      }
    })();
    return log;
  }

  /** Whether the server ended the stream. */
  get closed(): boolean {
    return this.ended;
  }

  async waitFor(what: string, predicate: (event: ServerSentEvent) => boolean, timeoutMs = 120_000): Promise<ServerSentEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found !== undefined) return found;
      if (this.ended) throw new Error(`the event stream ended before ${what}; got ${this.events.map((event) => event.event).join(', ')}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${this.events.map((event) => event.event).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    this.abort.abort();
  }
}
