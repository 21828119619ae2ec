/** Test support: real servers on 127.0.0.1:0, raw HTTP, a test-side Hawk signer and a 1.5 client. */
import { createHash, createHmac } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { DEFAULT_STORAGE_LIMITS, type StorageLimits } from '../../src/contracts.js';
import { StorageEngine } from '../../src/storage/engine.js';
import { DEFAULT_STORAGE15_QUIRKS, registerStorage15, type Storage15Quirks } from '../../src/storage/storage15.js';
import { mintToken, type MintedToken } from '../../src/tokenlib.js';

/** A settable clock, shared by the server and the test (Hawk ts, token expiry, ttl). */
export class TestClock {
  constructor(public ms = 1_700_000_000_000) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
  seconds(): number {
    return Math.floor(this.ms / 1000);
  }
}

export interface RunningServer {
  app: FastifyInstance;
  port: number;
  close(): Promise<void>;
}

export async function startServer(setup: (app: FastifyInstance) => void): Promise<RunningServer> {
  const app = Fastify();
  setup(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, port, close: () => app.close() };
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  raw: Buffer;
}

export interface HttpRequestOptions {
  method: string;
  /** Sent byte-for-byte as the request target. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One request over node:http, with the exact path and headers given (Host included). */
export function httpRequest(port: number, options: HttpRequestOptions): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method,
        path: options.path,
        headers: { ...(body ? { 'Content-Length': String(body.length) } : {}), ...options.headers },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: raw.toString('utf8'), raw });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

export interface HawkSigningInput {
  id: string;
  key: string;
  method: string;
  /** Path and query exactly as they go on the wire. */
  resource: string;
  host: string;
  port: number;
  ts: number;
  nonce: string;
  payload?: { contentType: string; body: string };
}

/** Hawk written here from sync-protocols.md §4 alone, independently of the server's code. */
export function hawkPayloadHashForTest(contentType: string, body: string): string {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return createHash('sha256').update(`hawk.1.payload\n${type}\n${body}\n`).digest('base64');
}

export function hawkNormalizedForTest(input: HawkSigningInput, hash: string): string {
  return `hawk.1.header\n${input.ts}\n${input.nonce}\n${input.method.toUpperCase()}\n${input.resource}\n${input.host.toLowerCase()}\n${input.port}\n${hash}\n\n`;
}

export function signHawk(input: HawkSigningInput): { header: string; mac: string; hash: string } {
  const hash = input.payload ? hawkPayloadHashForTest(input.payload.contentType, input.payload.body) : '';
  const mac = createHmac('sha256', Buffer.from(input.key, 'ascii')).update(hawkNormalizedForTest(input, hash)).digest('base64');
  const hashPart = hash ? `, hash="${hash}"` : '';
  return { header: `Hawk id="${input.id}", ts="${input.ts}", nonce="${input.nonce}", mac="${mac}"${hashPart}`, mac, hash };
}

export const TOKEN_SECRET = 'sandbox-test-secret';

export function tokenFor(uid: number, clock: TestClock, lifetimeSeconds = 3600): MintedToken {
  return mintToken(TOKEN_SECRET, { uid, expires: clock.seconds() + lifetimeSeconds, salt: 'a1b2c3', node: 'http://127.0.0.1' });
}

export interface Request15Options {
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Sign the payload hash too. */
  hashPayload?: boolean;
}

/** A storage 1.5 server with a settable clock, limits and quirks, and a Hawk-signing client for one user. */
export class Storage15Fixture {
  readonly clock = new TestClock();
  readonly engine = new StorageEngine({ now: this.clock.now });
  limits: StorageLimits = { ...DEFAULT_STORAGE_LIMITS };
  quirks: Storage15Quirks = { ...DEFAULT_STORAGE15_QUIRKS };
  uid = 42;
  token: MintedToken = tokenFor(this.uid, this.clock);
  server!: RunningServer;
  private nonces = 0;

  static async start(): Promise<Storage15Fixture> {
    const fixture = new Storage15Fixture();
    fixture.server = await startServer((app) =>
      registerStorage15(app, {
        prefix: '/storage',
        engine: fixture.engine,
        tokenSecret: TOKEN_SECRET,
        limits: () => fixture.limits,
        quirks: () => fixture.quirks,
      }),
    );
    return fixture;
  }

  get base(): string {
    return `/storage/1.5/${this.uid}`;
  }

  /** `path` is relative to the user's base URL, e.g. "/info/collections". */
  async request(method: string, path: string, options: Request15Options = {}): Promise<HttpResult> {
    const resource = `${this.base}${path}`;
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const contentType = options.contentType ?? (body !== undefined ? 'application/json' : undefined);
    const { header } = signHawk({
      id: this.token.id,
      key: this.token.key,
      method,
      resource,
      host: '127.0.0.1',
      port: this.server.port,
      ts: this.clock.seconds(),
      nonce: `n${this.nonces++}`,
      ...(options.hashPayload && body !== undefined ? { payload: { contentType: contentType ?? '', body } } : {}),
    });
    return httpRequest(this.server.port, {
      method,
      path: resource,
      headers: { Authorization: header, ...(contentType ? { 'Content-Type': contentType } : {}), ...options.headers },
      ...(body !== undefined ? { body } : {}),
    });
  }

  async json<T = unknown>(method: string, path: string, options: Request15Options = {}): Promise<T> {
    const result = await this.request(method, path, options);
    if (result.status >= 300) throw new Error(`${method} ${path} -> ${result.status} ${result.body}`);
    return JSON.parse(result.body) as T;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** Milliseconds from a two-decimal Sync timestamp header/body value. */
export function msOf(timestamp: string | number | string[] | undefined): number {
  const text = String(timestamp);
  const [seconds = '', fraction = ''] = text.split('.');
  return Number(seconds) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3));
}
