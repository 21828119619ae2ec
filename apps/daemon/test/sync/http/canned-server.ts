import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server received it: `path` is the raw request target, byte-for-byte. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CannedResponse {
  status?: number;
  headers?: Record<string, string | undefined>;
  /** Strings are sent as is; anything else as JSON. */
  body?: unknown;
  /** Delay before answering, to provoke timeouts. */
  delayMs?: number;
}

export type Responder = (request: ReceivedRequest, index: number) => CannedResponse | Promise<CannedResponse>;

export interface CannedServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A local HTTP server (port 0) answering every request through `respond`, recording what it got. */
export async function startCannedServer(respond: Responder): Promise<CannedServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      void Promise.resolve(respond(received, requests.length - 1)).then(async (canned) => {
        if (canned.delayMs) await new Promise((resolve) => setTimeout(resolve, canned.delayMs));
        const body = canned.body === undefined ? '' : typeof canned.body === 'string' ? canned.body : JSON.stringify(canned.body);
        const headers = Object.entries({ 'content-type': 'application/json', ...canned.headers }).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        );
        res.writeHead(canned.status ?? 200, Object.fromEntries(headers));
        res.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers the n-th request with the n-th response (the last one repeats). */
export function inSequence(...responses: CannedResponse[]): Responder {
  return (_request, index) => responses[Math.min(index, responses.length - 1)] ?? { status: 500 };
}
