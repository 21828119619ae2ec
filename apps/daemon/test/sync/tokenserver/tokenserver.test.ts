import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import {
  FxaTokenSource,
  InvalidClientStateError,
  InvalidCredentialsError,
  InvalidGenerationError,
  InvalidKeysChangedAtError,
  NewUsersDisabledError,
  TokenserverClient,
  TokenserverError,
  TokenserverProtocolError,
  TokenserverUnavailableError,
  type SyncNodeToken,
  type TokenExchangeRequest,
} from '../../../src/sync/tokenserver/index.js';

// Vectors (b)/(c) of the protocol reference: kB = 0x01..0x20, keys_changed_at 1700000000000.
const KB = Buffer.from('0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20', 'hex');
const KEYS_CHANGED_AT = 1700000000000;
const KEY_ID = '1700000000000-riFsLvUkejeCwTXvonmj5A';
const CLIENT_STATE = 'ae216c2ef5247a3782c135efa279a3e4';
const HAWK_KEY = 'w1IoxTwUKswY0O61VVU-FdpUFIn_ONFvEuRaZrn-nnE=';

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
}

function tokenserverError(status: number, errorStatus: string, description: string, name = ''): Answer {
  return json(status, { status: errorStatus, errors: [{ location: 'body', name, description }] }, { 'x-timestamp': '1700000000' });
}

function tokenAnswer(overrides: Record<string, unknown> = {}): Answer {
  return json(
    200,
    {
      id: 'eyJub2RlIjoiaHR0cDovL2xvY2FsaG9zdDo4MDAwIn0=',
      key: HAWK_KEY,
      uid: 42,
      api_endpoint: 'https://sync-1.example.org/1.5/42/',
      duration: 3600,
      hashalg: 'sha256',
      hashed_fxa_uid: '0123456789abcdef0123456789abcdef',
      node_type: 'spanner',
      ...overrides,
    },
    { 'x-timestamp': '1700000000' },
  );
}

interface SeenRequest {
  path: string;
  authorization?: string;
  keyId?: string;
  clientState?: string;
}

/** A tokenserver answering from a queue; each answer is used once, the last one repeats. */
class FakeTokenserver {
  readonly seen: SeenRequest[] = [];
  private readonly answers: Answer[];
  private server: Server | undefined;

  constructor(...answers: Answer[]) {
    this.answers = answers;
  }

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res) => {
      this.seen.push({
        path: req.url ?? '',
        ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
        ...(typeof req.headers['x-keyid'] === 'string' ? { keyId: req.headers['x-keyid'] } : {}),
        ...(typeof req.headers['x-client-state'] === 'string' ? { clientState: req.headers['x-client-state'] } : {}),
      });
      const answer = req.url === '/1.0/sync/1.5' ? (this.answers.length > 1 ? this.answers.shift()! : this.answers[0]!) : json(404, {});
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const servers: FakeTokenserver[] = [];

async function clientFor(...answers: Answer[]): Promise<{ server: FakeTokenserver; client: TokenserverClient; baseUrl: string }> {
  const server = new FakeTokenserver(...answers);
  servers.push(server);
  const baseUrl = await server.start();
  return { server, client: new TokenserverClient({ url: baseUrl }), baseUrl };
}

after(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

const REQUEST: TokenExchangeRequest = { accessToken: 'access-token-1', keyId: KEY_ID, clientState: CLIENT_STATE };

describe('TokenserverClient', () => {
  it('exchanges an access token for storage credentials and parses every field', async () => {
    const { server, client, baseUrl } = await clientFor(tokenAnswer());
    assert.equal(client.url, `${baseUrl}/1.0/sync/1.5`);
    const before = Date.now();
    const token = await client.exchange(REQUEST);
    assert.deepEqual(
      { ...token, expiresAt: 0 },
      {
        id: 'eyJub2RlIjoiaHR0cDovL2xvY2FsaG9zdDo4MDAwIn0=',
        key: HAWK_KEY,
        uid: 42,
        apiEndpoint: 'https://sync-1.example.org/1.5/42',
        duration: 3600,
        hashalg: 'sha256',
        hashedFxaUid: '0123456789abcdef0123456789abcdef',
        nodeType: 'spanner',
        expiresAt: 0,
      },
    );
    // Five minutes of safety margin on a one-hour token.
    assert.ok(token.expiresAt >= before + 3300_000 && token.expiresAt <= Date.now() + 3300_000);
    assert.deepEqual(server.seen, [
      { path: '/1.0/sync/1.5', authorization: 'Bearer access-token-1', keyId: KEY_ID, clientState: CLIENT_STATE },
    ]);
  });

  it('keeps a URL that already ends with /1.0/sync/1.5 and sends no X-Client-State unless given', async () => {
    const { server, baseUrl } = await clientFor(tokenAnswer({ node_type: undefined, hashed_fxa_uid: undefined }));
    const client = new TokenserverClient({ url: `${baseUrl}/1.0/sync/1.5/` });
    const token = await client.exchange({ accessToken: 'a', keyId: KEY_ID });
    assert.equal(token.nodeType, undefined);
    assert.equal(token.hashedFxaUid, undefined);
    assert.deepEqual(server.seen[0], { path: '/1.0/sync/1.5', authorization: 'Bearer a', keyId: KEY_ID });
  });

  const errorCases: [string, Answer, new (...args: never[]) => TokenserverError, RegExp][] = [
    ['invalid-credentials', tokenserverError(401, 'invalid-credentials', 'Unauthorized'), InvalidCredentialsError, /OAuth access token/],
    [
      'invalid-client-state',
      tokenserverError(401, 'invalid-client-state', 'Unacceptable client-state value stale value', 'X-Client-State'),
      InvalidClientStateError,
      /keys changed.*password reset.*sign in .*again/s,
    ],
    ['invalid-generation', tokenserverError(401, 'invalid-generation', 'Unauthorized'), InvalidGenerationError, /generation/],
    ['invalid-keysChangedAt', tokenserverError(401, 'invalid-keysChangedAt', 'Unauthorized'), InvalidKeysChangedAtError, /keys-changed-at/],
    ['new-users-disabled', tokenserverError(403, 'new-users-disabled', 'User is not allowed'), NewUsersDisabledError, /no new users/],
    ['a 400 with a description', tokenserverError(400, 'error', 'Unsupported client-state value'), TokenserverError, /Unsupported client-state value/],
    ['an HTML 500', { status: 500, body: '<html><title>Internal Server Error</title></html>' }, TokenserverError, /HTTP 500: Internal Server Error/],
  ];
  for (const [label, answer, errorClass, message] of errorCases) {
    it(`maps ${label} to ${errorClass.name}`, async () => {
      const { client } = await clientFor(answer);
      const error = await client.exchange(REQUEST).catch((e: unknown) => e);
      assert.ok(error instanceof errorClass, String(error));
      assert.equal((error as TokenserverError).httpStatus, answer.status);
      assert.match((error as Error).message, message);
      assert.ok(!(error as Error).message.includes('access-token-1'));
    });
  }

  it('maps 503 to TokenserverUnavailableError with Retry-After', async () => {
    const { client } = await clientFor(json(503, { status: 'error', errors: [] }, { 'retry-after': '10' }));
    const error = await client.exchange(REQUEST).catch((e: unknown) => e);
    assert.ok(error instanceof TokenserverUnavailableError);
    assert.equal(error.retryAfterSeconds, 10);
  });

  it('rejects a malformed success answer without quoting the key', async () => {
    const { client } = await clientFor(tokenAnswer({ uid: 'forty-two' }));
    const error = await client.exchange(REQUEST).catch((e: unknown) => e);
    assert.ok(error instanceof TokenserverProtocolError);
    assert.ok(!error.message.includes(HAWK_KEY));
  });
});

/** A tokenserver double for the token source: records requests, answers from a script. */
class ScriptedExchange {
  readonly requests: TokenExchangeRequest[] = [];
  private issued = 0;
  constructor(private readonly script: ((request: TokenExchangeRequest) => SyncNodeToken | Error)[] = []) {}

  async exchange(request: TokenExchangeRequest): Promise<SyncNodeToken> {
    this.requests.push(request);
    const step = this.script.shift();
    const result = step ? step(request) : this.token();
    if (result instanceof Error) throw result;
    return result;
  }

  token(lifetimeMs = 3600_000): SyncNodeToken {
    this.issued++;
    return {
      id: `id-${this.issued}`,
      key: 'k',
      uid: 1,
      apiEndpoint: 'http://node/1.5/1',
      duration: 3600,
      hashalg: 'sha256',
      expiresAt: Date.now() + lifetimeMs,
    };
  }
}

function invalidCredentials(): InvalidCredentialsError {
  return new InvalidCredentialsError('rejected', { httpStatus: 401, status: 'invalid-credentials' });
}

describe('FxaTokenSource', () => {
  it('sends X-KeyID and X-Client-State derived from kB through the real client', async () => {
    const { server, client } = await clientFor(tokenAnswer());
    const source = new FxaTokenSource({
      tokenserver: client,
      accessToken: async () => 'access-token-1',
      kB: KB,
      keysChangedAt: KEYS_CHANGED_AT,
    });
    assert.equal((await source.getToken()).uid, 42);
    assert.deepEqual(server.seen[0], { path: '/1.0/sync/1.5', authorization: 'Bearer access-token-1', keyId: KEY_ID, clientState: CLIENT_STATE });
  });

  it('caches the token, shares concurrent fetches and refetches after invalidate()', async () => {
    const exchange = new ScriptedExchange();
    const source = new FxaTokenSource({ tokenserver: exchange, accessToken: async () => 'at', kB: KB, keysChangedAt: KEYS_CHANGED_AT });
    const [a, b] = await Promise.all([source.getToken(), source.getToken()]);
    assert.equal(a.id, 'id-1');
    assert.equal(b, a);
    assert.equal((await source.getToken()).id, 'id-1');
    assert.equal(exchange.requests.length, 1);
    source.invalidate();
    assert.equal((await source.getToken()).id, 'id-2');
    assert.equal(exchange.requests.length, 2);
  });

  it('refetches a token past its expiry', async () => {
    const exchange: ScriptedExchange = new ScriptedExchange([(): SyncNodeToken => exchange.token(-1)]);
    const source = new FxaTokenSource({ tokenserver: exchange, accessToken: async () => 'at', kB: KB, keysChangedAt: KEYS_CHANGED_AT });
    assert.equal((await source.getToken()).id, 'id-1');
    assert.equal((await source.getToken()).id, 'id-2');
  });

  it('does not let an exchange started before invalidate() refill the cache', async () => {
    const exchange = new ScriptedExchange();
    const source = new FxaTokenSource({ tokenserver: exchange, accessToken: async () => 'at', kB: KB, keysChangedAt: KEYS_CHANGED_AT });
    const stale = source.getToken();
    source.invalidate();
    assert.equal((await stale).id, 'id-1');
    assert.equal((await source.getToken()).id, 'id-2');
  });

  it('refreshes the access token once when the tokenserver rejects it', async () => {
    const exchange = new ScriptedExchange([invalidCredentials]);
    const refreshes: boolean[] = [];
    const source = new FxaTokenSource({
      tokenserver: exchange,
      accessToken: async ({ forceRefresh }) => {
        refreshes.push(forceRefresh);
        return forceRefresh ? 'fresh' : 'stale';
      },
      kB: KB,
      keysChangedAt: KEYS_CHANGED_AT,
    });
    assert.equal((await source.getToken()).id, 'id-1');
    assert.deepEqual(refreshes, [false, true]);
    assert.deepEqual(
      exchange.requests.map((r) => r.accessToken),
      ['stale', 'fresh'],
    );
  });

  it('gives up after one refresh, and passes other errors straight through', async () => {
    const twice = new ScriptedExchange([invalidCredentials, invalidCredentials]);
    const source = new FxaTokenSource({ tokenserver: twice, accessToken: async () => 'at', kB: KB, keysChangedAt: KEYS_CHANGED_AT });
    await assert.rejects(source.getToken(), InvalidCredentialsError);
    assert.equal(twice.requests.length, 2);

    const stale = new ScriptedExchange([() => new InvalidClientStateError('keys changed', { httpStatus: 401, status: 'invalid-client-state' })]);
    const staleSource = new FxaTokenSource({ tokenserver: stale, accessToken: async () => 'at', kB: KB, keysChangedAt: KEYS_CHANGED_AT });
    await assert.rejects(staleSource.getToken(), InvalidClientStateError);
    assert.equal(stale.requests.length, 1);
    // A failure is not cached: the next call tries again.
    assert.equal((await staleSource.getToken()).id, 'id-1');
  });
});
