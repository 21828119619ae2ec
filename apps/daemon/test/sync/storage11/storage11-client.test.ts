import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  AuthenticationError,
  PreconditionFailedError,
  WeaveError,
  type RemoteBso,
  type ServerNotice,
} from '../../../src/sync/storage/index.js';
import { NodeUnassignedError, Storage11Client, UnknownUserError } from '../../../src/sync/storage11/index.js';
import { startCannedServer, type CannedResponse, type CannedServer, type ReceivedRequest } from '../http/canned-server.js';

// Vector (d) of sync-protocols.md §10.
const EMAIL = 'John.Doe@Example.com';
const USER = 'opwfhrf2c5d5jbnofigxx6x2ntnibjnj';
const BASIC = 'Basic b3B3ZmhyZjJjNWQ1amJub2ZpZ3h4NngybnRuaWJqbmo6c2VjcmV0LXBhc3M=';
const FAST = { timeScale: 0.001 };

const servers: CannedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

type StorageResponder = (path: string, request: ReceivedRequest, storageIndex: number) => CannedResponse;

/** One server playing user API (node lookup answered by `node`) and storage node. */
async function weave(storage: StorageResponder, node: (origin: string, lookup: number) => CannedResponse = (origin) => ({ body: `${origin}/` })) {
  let lookups = 0;
  let storageRequests = 0;
  const server = await startCannedServer((request) => {
    if (request.path.startsWith('/user/1.0/')) return node(server.origin, lookups++);
    const prefix = `/1.1/${USER}`;
    assert.ok(request.path.startsWith(prefix), `storage path ${request.path}`);
    return storage(request.path.slice(prefix.length), request, storageRequests++);
  });
  servers.push(server);
  return server;
}

function client(server: CannedServer, extra: Partial<ConstructorParameters<typeof Storage11Client>[0]> = {}, notices: ServerNotice[] = []): Storage11Client {
  return new Storage11Client({ serverUrl: server.origin, email: EMAIL, password: 'secret-pass', retry: FAST, onServerNotice: (n) => notices.push(n), ...extra });
}

async function collect(pages: AsyncIterable<RemoteBso[]>): Promise<RemoteBso[][]> {
  const result: RemoteBso[][] = [];
  for await (const page of pages) result.push(page);
  return result;
}

describe('Storage11Client: node discovery and auth', () => {
  it('derives the username from the email, looks up the node and uses Basic auth on <node>/1.1/<user>', async () => {
    const server = await weave(() => ({ body: { bookmarks: 1300000000.5, meta: 1300000000, tabs: 1300000000.25 } }));
    const weaveClient = client(server);
    assert.equal(weaveClient.username, USER);
    assert.deepEqual(await weaveClient.infoCollections(), { bookmarks: 1300000000500, meta: 1300000000000, tabs: 1300000000250 });
    await weaveClient.infoCollections();
    const [lookup, first, second] = server.requests;
    assert.equal(lookup?.path, `/user/1.0/${USER}/node/weave`);
    assert.equal(lookup?.headers.authorization, undefined);
    assert.equal(first?.path, `/1.1/${USER}/info/collections`);
    assert.equal(first?.headers.authorization, BASIC);
    assert.equal(second?.path, `/1.1/${USER}/info/collections`);
    assert.equal(server.requests.length, 3, 'node looked up once');
  });

  it('accepts a node URL without a trailing slash', async () => {
    const server = await weave(() => ({ body: [] }), (origin) => ({ body: origin, headers: { 'content-type': 'text/plain' } }));
    assert.deepEqual(await client(server).infoCollections(), {});
    assert.equal(server.requests[1]?.path, `/1.1/${USER}/info/collections`);
  });

  it('reports an unassigned node and an unknown user as typed errors', async () => {
    const unassigned = await weave(() => ({}), () => ({ body: 'null' }));
    await assert.rejects(client(unassigned).infoCollections(), NodeUnassignedError);
    const unknown = await weave(() => ({}), () => ({ status: 404, body: '' }));
    await assert.rejects(client(unknown).infoCollections(), UnknownUserError);
  });

  it('uses a configured storage URL instead of the discovered node', async () => {
    const server = await weave(() => ({ body: {} }));
    await client(server, { serverUrl: 'http://unused.invalid', storageUrl: `${server.origin}/` }).infoCollections();
    await client(server, { serverUrl: 'http://unused.invalid', storageUrl: `${server.origin}/1.1/${USER}/` }).infoCollections();
    assert.deepEqual(server.requests.map((r) => r.path), [`/1.1/${USER}/info/collections`, `/1.1/${USER}/info/collections`]);
  });

  it('on 401 with an unchanged node: AuthenticationError (wrong password)', async () => {
    const server = await weave(() => ({ status: 401, body: '"Unauthorized"' }));
    await assert.rejects(client(server, { username: USER, email: undefined }).infoCollections(), (error: unknown) => {
      assert.ok(error instanceof AuthenticationError);
      assert.match(error.message, /wrong password/);
      return true;
    });
    assert.equal(server.requests.filter((r) => r.path.startsWith('/user/')).length, 2);
  });

  it('on 401 after a node move: retries once on the new node', async () => {
    const notices: ServerNotice[] = [];
    const newNode = await weave(() => ({ body: { forms: 1300000001 } }));
    const oldNode = await weave(
      () => ({ status: 401, body: '' }),
      (origin, lookup) => ({ body: lookup === 0 ? origin : newNode.origin }),
    );
    assert.deepEqual(await client(oldNode, {}, notices).infoCollections(), { forms: 1300000001000 });
    assert.equal(newNode.requests[0]?.headers.authorization, BASIC);
    assert.deepEqual(notices, [{ kind: 'node-reassigned', previous: `${oldNode.origin}/1.1/${USER}`, current: `${newNode.origin}/1.1/${USER}` }]);
  });

  it('needs a username or an email', () => {
    assert.throws(() => new Storage11Client({ serverUrl: 'http://x', password: 'p' }), /username or an email/);
  });
});

describe('Storage11Client: reads', () => {
  const wbo = (i: number): object => ({ id: `w${i}`, modified: 1300000000 + i / 10, sortindex: i, payload: `P${i}`, parentid: 'ignored' });

  it('pages with limit and an integer offset until a short page, guarded by info/collections', async () => {
    const server = await weave((path) => {
      if (path === '/info/collections') return { body: { history: 1300000009.5 } };
      const offset = Number(new URL(path, 'http://x').searchParams.get('offset') ?? 0);
      return { body: [0, 1, 2, 3, 4].map((i) => i + offset).filter((i) => i < 5 + 5 + 2).slice(0, 5).map(wbo) };
    });
    const pages = await collect(client(server).readRecords('history', { limit: 5 }));
    assert.deepEqual(pages.map((p) => p.length), [5, 5, 2]);
    assert.deepEqual(pages[0]?.[1], { id: 'w1', modified: 1300000000100, sortindex: 1, payload: 'P1' });
    assert.deepEqual(
      server.requests.slice(1).map((r) => r.path.replace(`/1.1/${USER}`, '')),
      [
        '/info/collections',
        '/storage/history?full=1&sort=oldest&limit=5',
        '/storage/history?full=1&sort=oldest&limit=5&offset=5',
        '/storage/history?full=1&sort=oldest&limit=5&offset=10',
        '/info/collections',
      ],
    );
    assert.ok(server.requests.every((r) => r.headers['x-if-unmodified-since'] === undefined));
  });

  it('fails with PreconditionFailedError when the collection changed between pages', async () => {
    let infoCalls = 0;
    const server = await weave((path) => {
      if (path === '/info/collections') return { body: { forms: infoCalls++ === 0 ? 1300000000 : 1300000050.1 } };
      const offset = Number(new URL(path, 'http://x').searchParams.get('offset') ?? 0);
      return { body: offset === 0 ? ['a', 'b'] : ['c'] };
    });
    await assert.rejects(client(server).readIds('forms', { limit: 2 }), (error: unknown) => {
      assert.ok(error instanceof PreconditionFailedError);
      assert.match(error.message, /forms changed while its pages were read/);
      return true;
    });
  });

  it('honours a caller ifUnmodifiedSince on reads through info/collections', async () => {
    const server = await weave((path) => (path === '/info/collections' ? { body: { forms: 1300000050 } } : { body: [] }));
    await assert.rejects(client(server).readIds('forms', { ifUnmodifiedSince: 1300000000000 }), PreconditionFailedError);
  });

  it('reads everything in one request without a limit, and tolerates 404 for an empty collection', async () => {
    const server = await weave((path) => (path.startsWith('/storage/clients') ? { body: [wbo(1), wbo(2)] } : { status: 404, body: '' }));
    const weaveClient = client(server);
    assert.deepEqual((await collect(weaveClient.readRecords('clients', { newer: 1300000000000, sort: 'newest' }))).flat().length, 2);
    assert.equal(server.requests[1]?.path, `/1.1/${USER}/storage/clients?full=1&newer=1300000000.00&sort=newest`);
    assert.deepEqual(await collect(weaveClient.readRecords('nothing')), []);
  });

  it('returns null for a missing record', async () => {
    const server = await weave(() => ({ status: 404, body: '0' }));
    assert.equal(await client(server).getRecord('crypto', 'keys'), null);
  });
});

describe('Storage11Client: writes', () => {
  it('POSTs at most 100 WBOs per request, tolerating "failed": [] and string-array reasons', async () => {
    let modified = 1300000100;
    const server = await weave((_path, request) => {
      const ids = (JSON.parse(request.body) as { id: string }[]).map((r) => r.id);
      const failedIds = ids.filter((id) => id === 'r150');
      const body = {
        modified: ++modified,
        success: ids.filter((id) => id !== 'r150'),
        failed: failedIds.length === 0 ? [] : { r150: ['invalid payload', 'too old'] },
      };
      return { body };
    });
    const records = Array.from({ length: 201 }, (_, i) => ({ id: `r${i}`, payload: `p${i}` }));
    const result = await client(server).uploadRecords('forms', records, { ifUnmodifiedSince: 1300000000000 });
    assert.equal(result.success.length, 200);
    assert.deepEqual(result.failed, { r150: 'invalid payload; too old' });
    assert.equal(result.modified, 1300000103000);
    const posts = server.requests.slice(1);
    assert.deepEqual(posts.map((r) => (JSON.parse(r.body) as unknown[]).length), [100, 100, 1]);
    assert.deepEqual(posts.map((r) => r.path), Array(3).fill(`/1.1/${USER}/storage/forms`));
    assert.deepEqual(posts.map((r) => r.headers['x-if-unmodified-since']), ['1300000000.00', '1300000101.00', '1300000102.00']);
  });

  it('resends ids marked "retry wbo"', async () => {
    const server = await weave((_path, request, index) => {
      const ids = (JSON.parse(request.body) as { id: string }[]).map((r) => r.id);
      return index === 0 ? { body: { modified: 1300000200, success: ['a'], failed: { b: ['retry wbo'] } } } : { body: { modified: 1300000201, success: ids, failed: {} } };
    });
    const result = await client(server).uploadRecords('forms', [{ id: 'a', payload: '1' }, { id: 'b', payload: '2' }]);
    assert.deepEqual(result, { modified: 1300000201000, success: ['a', 'b'], failed: {} });
  });

  it('PUTs and DELETEs with bare timestamps, missing X-Last-Modified, 1 or 0 decimals', async () => {
    const server = await weave((_path, request) => ({ body: request.method === 'PUT' ? '1300000300.5' : '1300000301' }));
    const weaveClient = client(server);
    assert.deepEqual(await weaveClient.putRecord('meta', { id: 'global', payload: '{}' }, { ifUnmodifiedSince: 1300000000120 }), { modified: 1300000300500 });
    assert.deepEqual(await weaveClient.deleteCollection('forms'), { modified: 1300000301000 });
    assert.deepEqual(await weaveClient.deleteRecords('forms', ['x', 'y']), { modified: 1300000301000 });
    assert.equal(server.requests[1]?.headers['x-if-unmodified-since'], '1300000000.12');
    assert.equal(server.requests[3]?.path, `/1.1/${USER}/storage/forms?ids=x,y`);
  });

  it('deletes all storage with X-Confirm-Delete', async () => {
    const server = await weave(() => ({ body: '1300000400.25' }));
    await client(server).deleteAll();
    const request = server.requests[1];
    assert.equal(request?.method, 'DELETE');
    assert.equal(request?.path, `/1.1/${USER}/storage`);
    assert.equal(request?.headers['x-confirm-delete'], '1');
  });

  it('maps bare-number and string error bodies to weave errors', async () => {
    const numeric = await weave(() => ({ status: 400, body: '8' }));
    await assert.rejects(client(numeric).putRecord('forms', { id: 'a', payload: 'x' }), (error: unknown) => error instanceof WeaveError && error.errno === 8);
    const text = await weave(() => ({ status: 400, body: 'Bad things', headers: { 'content-type': 'text/plain' } }));
    await assert.rejects(client(text).putRecord('forms', { id: 'a', payload: 'x' }), /answered 400 Bad Request: Bad things/);
  });

  it('reports the 1.1 defaults as its configuration', async () => {
    const server = await weave(() => ({}));
    const limits = await client(server).configuration();
    assert.equal(limits.max_post_records, 100);
    assert.equal(limits.max_record_payload_bytes, 256 * 1024);
    assert.equal(server.requests.length, 0);
  });
});
