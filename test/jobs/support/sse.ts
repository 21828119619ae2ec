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
