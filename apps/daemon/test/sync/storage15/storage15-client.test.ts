import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { ServiceUnavailableError } from '../../../src/sync/http/index.js';
import {
  AuthenticationError,
  BatchProtocolError,
  ConflictError,
  PayloadTooLargeError,
  PreconditionFailedError,
  QuotaExceededError,
  RecordTooLargeError,
  WeaveError,
  type RemoteBso,
  type ServerNotice,
} from '../../../src/sync/storage/index.js';
import { Storage15Client } from '../../../src/sync/storage15/index.js';
import type { SyncNodeToken, TokenSource } from '../../../src/sync/tokenserver/types.js';
import { startCannedServer, type CannedServer, type ReceivedRequest, type Responder } from '../http/canned-server.js';

const FAST = { timeScale: 0.001 };

class ScriptedTokens implements TokenSource {
  invalidations = 0;
  private index = 0;
  constructor(private readonly tokens: SyncNodeToken[]) {}
  getToken(): Promise<SyncNodeToken> {
    const token = this.tokens[Math.min(this.index, this.tokens.length - 1)];
    return token ? Promise.resolve(token) : Promise.reject(new Error('no token'));
  }
  invalidate(): void {
    this.invalidations += 1;
    this.index += 1;
  }
}

function token(server: CannedServer, id = 'token-id', key = 'token-key_-='): SyncNodeToken {
  return { id, key, uid: 42, apiEndpoint: `${server.origin}/1.5/42`, duration: 3600, hashalg: 'sha256', expiresAt: Date.now() + 3_600_000 };
}

const servers: CannedServer[] = [];
async function serve(respond: Responder): Promise<CannedServer> {
  const server = await startCannedServer(respond);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function clientFor(respond: Responder, notices: ServerNotice[] = []): Promise<{ client: Storage15Client; server: CannedServer; tokens: ScriptedTokens }> {
  const server = await serve(respond);
  const tokens = new ScriptedTokens([token(server)]);
  return { client: new Storage15Client({ tokenSource: tokens, retry: FAST, onServerNotice: (n) => notices.push(n) }), server, tokens };
}

async function collect(pages: AsyncIterable<RemoteBso[]>): Promise<RemoteBso[][]> {
  const result: RemoteBso[][] = [];
  for await (const page of pages) result.push(page);
  return result;
}

/** Recomputes the Hawk MAC the way a server does, from what it received. */
function assertHawkValid(request: ReceivedRequest, port: number, key: string, id = 'token-id'): void {
  const header = String(request.headers.authorization);
  const attr = (name: string): string => new RegExp(`\\b${name}="([^"]*)"`).exec(header)?.[1] ?? '';
  assert.equal(attr('id'), id);
  let hash = '';
  if (request.body !== '') {
    hash = createHash('sha256').update(`hawk.1.payload\napplication/json\n${request.body}\n`).digest('base64');
    assert.equal(attr('hash'), hash);
  }
  const normalized = `hawk.1.header\n${attr('ts')}\n${attr('nonce')}\n${request.method}\n${request.path}\n127.0.0.1\n${port}\n${hash}\n\n`;
  assert.equal(attr('mac'), createHmac('sha256', key).update(normalized).digest('base64'));
}

describe('Storage15Client: requests and info', () => {
  it('Hawk-signs with the token key, path exactly as sent', async () => {
    const { client, server } = await clientFor(() => ({ body: { bookmarks: 1700000000.29, meta: 1700000000, forms: '1700000000.5' } }));
    assert.deepEqual(await client.infoCollections(), { bookmarks: 1700000000290, meta: 1700000000000, forms: 1700000000500 });
    const [request] = server.requests;
    assert.ok(request);
    assert.equal(request.path, '/1.5/42/info/collections');
    assert.equal(request.headers.accept, 'application/json');
    assertHawkValid(request, server.port, 'token-key_-=');
  });

  it('sends braces in ids raw (so raw- and decoded-path Hawk checks agree), encodes the rest, and signs that', async () => {
    const { client, server } = await clientFor(() => ({ body: { id: '{abc def}', modified: 1700000000.1, payload: 'p', sortindex: 3 } }));
    const record = await client.getRecord('bookmarks', '{abc def}');
    assert.deepEqual(record, { id: '{abc def}', modified: 1700000000100, payload: 'p', sortindex: 3 });
    const [request] = server.requests;
    assert.ok(request);
    assert.equal(request.path, '/1.5/42/storage/bookmarks/{abc%20def}');
    assertHawkValid(request, server.port, 'token-key_-=');
  });

  it('returns null for a missing record and tolerates [] for info maps', async () => {
    const { client } = await clientFor((request) => (request.path.includes('/storage/') ? { status: 404, body: '0' } : { body: [] }));
    assert.equal(await client.getRecord('forms', 'nope'), null);
    assert.deepEqual(await client.infoCollections(), {});
    assert.deepEqual(await client.collectionCounts(), {});
  });

  it('reads quota, counts and usage', async () => {
    const { client } = await clientFor((request) => {
      if (request.path.endsWith('/info/quota')) return { body: [1234.5, null] };
      if (request.path.endsWith('/info/collection_counts')) return { body: { bookmarks: 12 } };
      return { body: { bookmarks: 3.25 } };
    });
    assert.deepEqual(await client.infoQuota(), { usedKb: 1234.5, quotaKb: null });
    assert.deepEqual(await client.collectionCounts(), { bookmarks: 12 });
    assert.deepEqual(await client.collectionUsage(), { bookmarks: 3.25 });
  });

  it('reads info/configuration once, and falls back to 260 KiB / 256 KiB on 404', async () => {
    const { client, server } = await clientFor(() => ({ status: 404, body: '0' }));
    const limits = await client.configuration();
    await client.configuration();
    assert.equal(server.requests.length, 1);
    assert.equal(limits.max_request_bytes, 260 * 1024);
    assert.equal(limits.max_record_payload_bytes, 256 * 1024);
    assert.equal(limits.max_post_records, Infinity);

    const other = await clientFor(() => ({ body: { max_post_records: 100, max_request_bytes: 2625536, max_quota_limit: 2147483648 } }));
    const parsed = await other.client.configuration();
    assert.equal(parsed.max_post_records, 100);
    assert.equal(parsed.max_request_bytes, 2625536);
    assert.equal(parsed.max_record_payload_bytes, 256 * 1024);
    assert.equal(parsed.max_quota_limit, 2147483648);
  });
});

describe('Storage15Client: reading collections', () => {
  it('pages with X-Weave-Next-Offset, repeating the query and guarding later pages with page 1 X-Last-Modified', async () => {
    const pages: Record<string, { records: object[]; next?: string }> = {
      '': { records: [{ id: 'a', modified: 1700000000.01, payload: 'A' }], next: 'b2Zmc2V0MQ' },
      b2Zmc2V0MQ: { records: [{ id: 'b', modified: 1700000000.02, payload: 'B' }], next: 'b2Zmc2V0Mg==' },
      'b2Zmc2V0Mg==': { records: [{ id: 'c', modified: 1700000000.03, payload: 'C' }] },
    };
    const { client, server } = await clientFor((request) => {
      const offset = decodeURIComponent(new URL(request.path, 'http://x').searchParams.get('offset') ?? '');
      const page = pages[offset];
      const headers: Record<string, string> = { 'x-last-modified': '1700000000.03', 'x-weave-records': '1' };
      if (page?.next) headers['x-weave-next-offset'] = page.next;
      return { headers, body: page?.records ?? [] };
    });
    const read = await collect(client.readRecords('history', { limit: 1, newer: 1690000000000 }));
    assert.deepEqual(read.map((page) => page.map((r) => r.id)), [['a'], ['b'], ['c']]);
    assert.deepEqual(read[0]?.[0], { id: 'a', modified: 1700000000010, payload: 'A' });
    assert.deepEqual(
      server.requests.map((r) => r.path),
      [
        '/1.5/42/storage/history?full=1&newer=1690000000.00&sort=oldest&limit=1',
        '/1.5/42/storage/history?full=1&newer=1690000000.00&sort=oldest&limit=1&offset=b2Zmc2V0MQ',
        '/1.5/42/storage/history?full=1&newer=1690000000.00&sort=oldest&limit=1&offset=b2Zmc2V0Mg%3D%3D',
      ],
    );
    assert.deepEqual(
      server.requests.map((r) => r.headers['x-if-unmodified-since']),
      [undefined, '1700000000.03', '1700000000.03'],
    );
  });

  it('sends a caller-provided X-If-Unmodified-Since from page 1, and a 412 mid-paging is a PreconditionFailedError', async () => {
    const { client, server } = await clientFor((_request, index) =>
      index === 0
        ? { headers: { 'x-weave-next-offset': 'next', 'x-last-modified': '1700000000.00' }, body: ['a'] }
        : { status: 412, headers: { 'x-last-modified': '1700000005.00' }, body: '' },
    );
    await assert.rejects(client.readIds('forms', { sort: 'newest', ifUnmodifiedSince: 1700000000000 }), (error: unknown) => {
      assert.ok(error instanceof PreconditionFailedError);
      assert.equal(error.status, 412);
      return true;
    });
    assert.equal(server.requests[0]?.path, '/1.5/42/storage/forms?sort=newest');
    assert.equal(server.requests[0]?.headers['x-if-unmodified-since'], '1700000000.00');
  });

  it('chunks more than 100 ids into several requests', async () => {
    const { client, server } = await clientFor((request) => {
      const ids = decodeURIComponent(new URL(request.path, 'http://x').searchParams.get('ids') ?? '').split(',');
      return { headers: { 'x-last-modified': '1700000000.00' }, body: ids };
    });
    const ids = Array.from({ length: 250 }, (_, i) => `id${i}`);
    assert.deepEqual(await client.readIds('forms', { ids }), ids);
    assert.equal(server.requests.length, 3);
    assert.match(server.requests[0]?.path ?? '', /\?ids=id0,id1,.*,id99&sort=oldest$/);
    assert.match(server.requests[2]?.path ?? '', /\?ids=id200,.*,id249&sort=oldest$/);
    assert.equal(server.requests[2]?.headers['x-if-unmodified-since'], '1700000000.00');
  });

  it('yields nothing for an unknown collection, whether [] or 404', async () => {
    const empty = await clientFor(() => ({ body: [] }));
    assert.deepEqual(await collect(empty.client.readRecords('nothing')), []);
    const missing = await clientFor(() => ({ status: 404, body: '0' }));
    assert.deepEqual(await collect(missing.client.readRecords('nothing')), []);
  });
});

describe('Storage15Client: authentication and pacing', () => {
  it('on 401 invalidates the token and retries once with the fresh one, on its (new) node', async () => {
    const notices: ServerNotice[] = [];
    const oldNode = await serve(() => ({ status: 401, body: '0' }));
    const newNode = await serve(() => ({ body: { forms: 1700000000.5 } }));
    const tokens = new ScriptedTokens([token(oldNode, 'old-id', 'old-key'), token(newNode, 'new-id', 'new-key')]);
    const client = new Storage15Client({ tokenSource: tokens, retry: FAST, onServerNotice: (n) => notices.push(n) });
    assert.deepEqual(await client.infoCollections(), { forms: 1700000000500 });
    assert.equal(tokens.invalidations, 1);
    assert.equal(oldNode.requests.length, 1);
    const [retried] = newNode.requests;
    assert.ok(retried);
    assertHawkValid(retried, newNode.port, 'new-key', 'new-id');
    assert.deepEqual(notices, [{ kind: 'node-reassigned', previous: `${oldNode.origin}/1.5/42`, current: `${newNode.origin}/1.5/42` }]);
  });

  it('a second 401 is an AuthenticationError', async () => {
    const { client, server, tokens } = await clientFor(() => ({ status: 401, body: '0' }));
    await assert.rejects(client.infoCollections(), AuthenticationError);
    assert.equal(tokens.invalidations, 1);
    assert.equal(server.requests.length, 2);
  });

  it('signs with the server clock learnt from X-Weave-Timestamp', async () => {
    const serverNow = Math.floor(Date.now() / 1000) + 7200;
    const { client, server } = await clientFor((_request, index) =>
      index === 0 ? { status: 401, headers: { 'x-weave-timestamp': `${serverNow}.00` }, body: '0' } : { body: {} },
    );
    await client.infoCollections();
    const ts = Number(/ts="(\d+)"/.exec(String(server.requests[1]?.headers.authorization))?.[1]);
    assert.ok(Math.abs(ts - serverNow) <= 2, `signed ts ${ts}, server ${serverNow}`);
  });

  it('retries 503 after Retry-After and reports X-Weave-Backoff', async () => {
    const notices: ServerNotice[] = [];
    const { client, server } = await clientFor(
      (_request, index) =>
        index === 0 ? { status: 503, headers: { 'retry-after': '2', 'x-weave-backoff': '60' }, body: '"maintenance"' } : { body: { a: 1 } },
      notices,
    );
    assert.deepEqual(await client.infoCollections(), { a: 1000 });
    assert.equal(server.requests.length, 2);
    assert.deepEqual(notices.map((n) => n.kind === 'backoff' && n.seconds), [60]);
  });

  it('gives up with ServiceUnavailableError and ConflictError after the retries', async () => {
    const unavailable = await clientFor(() => ({ status: 503, headers: { 'retry-after': '1' }, body: '<html><title>Down for maintenance</title></html>' }));
    await assert.rejects(unavailable.client.infoCollections(), (error: unknown) => {
      assert.ok(error instanceof ServiceUnavailableError);
      assert.equal(error.retryAfterSeconds, 1);
      assert.match(error.message, /Down for maintenance/);
      return true;
    });
    assert.equal(unavailable.server.requests.length, 3);
    const conflict = await clientFor(() => ({ status: 409, headers: { 'retry-after': '1' }, body: '0' }));
    await assert.rejects(conflict.client.putRecord('forms', { id: 'a', payload: 'x' }), ConflictError);
  });

  it('stops waiting when the signal aborts', async () => {
    const { client } = await clientFor(() => ({ status: 503, headers: { 'retry-after': '600' } }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 30);
    // timeScale 0.001 makes 600 s into 600 ms: the abort comes first.
    await assert.rejects(client.infoCollections({ signal: controller.signal }), /shutting down/);
  });

  it('surfaces X-Weave-Alert (JSON or text) and X-Weave-Quota-Remaining', async () => {
    const notices: ServerNotice[] = [];
    const { client } = await clientFor(
      (request) =>
        request.method === 'PUT'
          ? { headers: { 'x-weave-quota-remaining': '1024', 'x-weave-alert': 'Server message' }, body: '1700000000.25' }
          : { headers: { 'x-weave-alert': '{"code":"soft-eol","message":"Moving on","url":"https://example.org/eol"}' }, body: {} },
      notices,
    );
    await client.infoCollections();
    assert.deepEqual(await client.putRecord('forms', { id: 'a', payload: 'x' }), { modified: 1700000000250, quotaRemainingKb: 1024 });
    assert.deepEqual(
      notices.map((n) => (n.kind === 'alert' ? n.alert : n.kind === 'quota-remaining' ? n.kilobytes : n.kind)),
      [{ code: 'soft-eol', message: 'Moving on', url: 'https://example.org/eol' }, 1024, { message: 'Server message' }],
    );
  });
});

describe('Storage15Client: writes', () => {
  it('PUTs one record (bare number answer) with X-If-Unmodified-Since', async () => {
    const { client, server } = await clientFor(() => ({ body: '1700000000.2' }));
    const result = await client.putRecord('meta', { id: 'global', payload: '{"storageVersion":5}', sortindex: 1, ttl: 60 }, { ifUnmodifiedSince: 0 });
    assert.deepEqual(result, { modified: 1700000000200 });
    const [request] = server.requests;
    assert.ok(request);
    assert.equal(request.method, 'PUT');
    assert.equal(request.path, '/1.5/42/storage/meta/global');
    assert.equal(request.headers['x-if-unmodified-since'], '0.00');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), { payload: '{"storageVersion":5}', sortindex: 1, ttl: 60 });
    assertHawkValid(request, server.port, 'token-key_-=');
  });

  it('deletes records in chunks of 100 ({"modified"} bodies), chaining X-If-Unmodified-Since', async () => {
    const { client, server } = await clientFor((_request, index) => ({ body: { modified: 1700000001 + index } }));
    const ids = Array.from({ length: 150 }, (_, i) => `id${i}`);
    assert.deepEqual(await client.deleteRecords('forms', ids, { ifUnmodifiedSince: 1700000000000 }), { modified: 1700000002000 });
    assert.equal(server.requests.length, 2);
    assert.deepEqual(server.requests.map((r) => r.headers['x-if-unmodified-since']), ['1700000000.00', '1700000001.00']);
    assert.match(server.requests[1]?.path ?? '', /^\/1\.5\/42\/storage\/forms\?ids=id100,.*,id149$/);
    assert.equal(await client.deleteRecords('forms', []), null);
  });

  it('deletes a collection and all storage', async () => {
    const { client, server } = await clientFor(() => ({ body: '1700000003.5' }));
    assert.deepEqual(await client.deleteCollection('tabs'), { modified: 1700000003500 });
    await client.deleteAll();
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ['DELETE /1.5/42/storage/tabs', 'DELETE /1.5/42/storage']);
  });

  it('maps 400 weave codes, 403 and 413 to typed errors', async () => {
    const cases: [number, string, (error: unknown) => boolean][] = [
      [400, '17', (e) => e instanceof WeaveError && e.errno === 17 && e.errnoName === 'size limit exceeded' && /weave error 17/.test(e.message)],
      [400, '14', (e) => e instanceof QuotaExceededError && e.errno === 14],
      [403, '"quota"', (e) => e instanceof QuotaExceededError],
      [413, '', (e) => e instanceof PayloadTooLargeError],
      [400, '"8"', (e) => e instanceof WeaveError && e.errnoName === 'invalid Weave Basic Object'],
    ];
    for (const [status, body, check] of cases) {
      const { client } = await clientFor(() => ({ status, body }));
      await assert.rejects(client.putRecord('forms', { id: 'a', payload: 'x' }), check, `${status} ${body}`);
    }
  });
});

describe('Storage15Client: batch uploads', () => {
  const limits = { max_post_records: 2, max_total_records: 100, max_request_bytes: 100000, max_post_bytes: 100000, max_total_bytes: 100000, max_record_payload_bytes: 1000 };
  const records = (count: number): { id: string; payload: string }[] => Array.from({ length: count }, (_, i) => ({ id: `r${i}`, payload: `p${i}` }));
  const idsOf = (request: ReceivedRequest): string[] => (JSON.parse(request.body) as { id: string }[]).map((r) => r.id);

  it('opens a batch, appends and commits, with the same X-If-Unmodified-Since throughout', async () => {
    const { client, server } = await clientFor((request) => {
      if (request.path.endsWith('/info/configuration')) return { body: limits };
      const ids = idsOf(request);
      if (request.path.includes('commit=true')) return { body: { modified: 1700000010.5, success: ids, failed: {} } };
      return { status: 202, body: { batch: 'MTIzNDU=', success: ids, failed: {} } };
    });
    const result = await client.uploadRecords('forms', records(5), { ifUnmodifiedSince: 1700000000000 });
    assert.deepEqual(result, { modified: 1700000010500, success: ['r0', 'r1', 'r2', 'r3', 'r4'], failed: {} });
    const posts = server.requests.slice(1);
    assert.deepEqual(
      posts.map((r) => r.path),
      ['/1.5/42/storage/forms?batch=true', '/1.5/42/storage/forms?batch=MTIzNDU%3D', '/1.5/42/storage/forms?batch=MTIzNDU%3D&commit=true'],
    );
    assert.deepEqual(posts.map(idsOf), [['r0', 'r1'], ['r2', 'r3'], ['r4']]);
    assert.deepEqual(posts.map((r) => r.headers['x-if-unmodified-since']), ['1700000000.00', '1700000000.00', '1700000000.00']);
    for (const post of posts) assertHawkValid(post, server.port, 'token-key_-=');
  });

  it('sends a single-POST batch as batch=true&commit=true', async () => {
    const { client, server } = await clientFor((request) =>
      request.path.endsWith('/info/configuration') ? { body: limits } : { body: { modified: 1700000000.01, success: idsOf(request), failed: {} } },
    );
    await client.uploadRecords('forms', records(2));
    assert.equal(server.requests[1]?.path, '/1.5/42/storage/forms?batch=true&commit=true');
    assert.equal(server.requests[1]?.headers['x-if-unmodified-since'], undefined);
  });

  it('continues with plain POSTs when the server answers 200 to batch=true', async () => {
    let modified = 1700000020;
    const { client, server } = await clientFor((request) => {
      if (request.path.endsWith('/info/configuration')) return { status: 404, body: '0' };
      return { body: { modified: ++modified, success: idsOf(request), failed: {} } };
    });
    // Two of these exceed the fallback 260 KiB request limit: one per POST.
    const big = Array.from({ length: 3 }, (_, i) => ({ id: `big${i}`, payload: 'x'.repeat(130 * 1024) }));
    const result = await client.uploadRecords('history', big, { ifUnmodifiedSince: 1700000000000 });
    assert.deepEqual(result.success, ['big0', 'big1', 'big2']);
    assert.equal(result.modified, 1700000023000);
    const posts = server.requests.slice(1);
    assert.deepEqual(posts.map((r) => r.path), ['/1.5/42/storage/history?batch=true', '/1.5/42/storage/history', '/1.5/42/storage/history']);
    // Each plain POST is guarded by the timestamp our previous write left.
    assert.deepEqual(posts.map((r) => r.headers['x-if-unmodified-since']), ['1700000000.00', '1700000021.00', '1700000022.00']);
  });

  it('resends ids marked "retry bso"/"retry bytes" and reports real failures', async () => {
    const { client, server } = await clientFor((request) => {
      if (request.path.endsWith('/info/configuration')) return { body: { ...limits, max_post_records: 10 } };
      const ids = idsOf(request);
      if (server.requests.length === 2) {
        return { body: { modified: 1700000030, success: ['r0'], failed: { r1: 'retry bso', r2: 'retry bytes', r3: 'invalid ttl' } } };
      }
      return { body: { modified: 1700000031, success: ids, failed: {} } };
    });
    const result = await client.uploadRecords('forms', records(4));
    assert.deepEqual(result, { modified: 1700000031000, success: ['r0', 'r1', 'r2'], failed: { r3: 'invalid ttl' } });
    assert.deepEqual(idsOf(server.requests[2] as ReceivedRequest), ['r1', 'r2']);
  });

  it('stops resending after the bounded rounds', async () => {
    const { client, server } = await clientFor((request) =>
      request.path.endsWith('/info/configuration')
        ? { body: limits }
        : { body: { modified: 1700000040, success: [], failed: Object.fromEntries(idsOf(request).map((id) => [id, 'retry bso'])) } },
    );
    const result = await client.uploadRecords('forms', records(1));
    assert.deepEqual(result.failed, { r0: 'retry bso' });
    assert.equal(server.requests.length, 1 + 4);
  });

  it('rejects a record over max_record_payload_bytes before sending anything', async () => {
    const { client, server } = await clientFor(() => ({ body: limits }));
    await assert.rejects(client.uploadRecords('forms', [{ id: 'fat', payload: 'x'.repeat(1001) }]), (error: unknown) => {
      assert.ok(error instanceof RecordTooLargeError);
      assert.equal(error.id, 'fat');
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('fails on a 412 during a batch, and on a server breaking the batch protocol', async () => {
    const failing = await clientFor((request, index) =>
      request.path.endsWith('/info/configuration') ? { body: limits } : index === 1 ? { status: 202, body: { batch: 'b1', success: [], failed: {} } } : { status: 412, body: '' },
    );
    await assert.rejects(failing.client.uploadRecords('forms', records(4), { ifUnmodifiedSince: 1 }), PreconditionFailedError);
    const broken = await clientFor((request) =>
      request.path.endsWith('/info/configuration') ? { body: limits } : { status: 202, body: { success: [], failed: {} } },
    );
    await assert.rejects(broken.client.uploadRecords('forms', records(4)), BatchProtocolError);
  });
});
