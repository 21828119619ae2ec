/**
 * Storage 1.5 conformance behind a path prefix: sandbox B serves everything under `/ffsync` (a
 * self-hosted syncstorage-rs behind a reverse proxy at a path) and trusts sandbox A's accounts.
 * The daemon logs in at A and, through `connectFxaAccount`, reads and batch-uploads at B; what B
 * stored is then read raw, as B's operator would.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectFxaAccount, type FxaCredentials, type OutgoingBso, type SyncConnection } from '@syncvault/daemon/sync';
import { IdentitySandbox, login } from './support/identity.js';
import { FAST_RETRY, RecordingTransport, readAll } from './support/storage.js';

const PREFIX = '/ffsync';

/** One record as `GET /__sandbox__/storage-users/:fxaUid/records/:collection` answers it. */
interface StoredRecord {
  id: string;
  modified: number;
  sortindex?: number;
  payload: string;
  expiresAt?: number;
}

describe('storage 1.5 behind a path prefix, tokens from a tokenserver trusting another accounts server', () => {
  let a: IdentitySandbox;
  let b: IdentitySandbox;
  before(async () => {
    a = await IdentitySandbox.start();
    b = await IdentitySandbox.start({ accountsServer: a.urls.fxa, pathPrefix: PREFIX });
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  async function connectedAtB(label: string): Promise<{ uid: string; session: FxaCredentials; connection: SyncConnection; wire: RecordingTransport }> {
    const account = await a.createFxaAccount({ label });
    const session = await login(a.fxaClient(), account.email, account.password);
    const wire = new RecordingTransport();
    const connection = connectFxaAccount({
      authServerUrl: a.urls.fxa,
      tokenServerUrl: b.urls.tokenServer,
      credentials: session,
      transport: wire,
      retry: FAST_RETRY,
    });
    return { uid: account.uid, session, connection, wire };
  }

  it('the tokenserver URL and the api_endpoint it hands out both carry the prefix', async () => {
    const origin = new URL(b.urls.fxa).origin;
    assert.equal(b.urls.tokenServer, `${origin}${PREFIX}/token/1.0/sync/1.5`);
    const { connection, wire } = await connectedAtB('prefix-endpoint');
    assert.deepEqual(await connection.storage.infoCollections(), {});
    const [request] = wire.exchanges;
    assert.ok(request);
    assert.match(request.path, new RegExp(`^${PREFIX}/storage/1\\.5/\\d+/info/collections$`));
    assert.equal(request.status, 200);
  });

  it('batch-uploads and reads back through connectFxaAccount; the node stores what was sent, ttl as an absolute expiry', async () => {
    const defaults = await b.control<Record<string, number>>('GET', '/configuration');
    await b.control('PUT', '/configuration', { max_post_records: 10, max_total_records: 100 });
    try {
      const { uid, connection, wire } = await connectedAtB('prefix-upload');
      const records: OutgoingBso[] = Array.from({ length: 45 }, (_, index) => ({
        id: `prefixed${String(index).padStart(4, '0')}`,
        payload: JSON.stringify({ ciphertext: `record ${index}`, IV: 'iv', hmac: 'hmac' }),
        sortindex: index,
        ...(index % 3 === 0 ? { ttl: 3600 } : {}),
      }));
      const result = await connection.storage.uploadRecords('history', records);
      assert.deepEqual(result.failed, {});
      assert.equal(result.success.length, records.length);

      const posts = wire.matching('POST', /\/storage\/history/);
      assert.equal(posts.length, 5, 'ten records per POST, in one batch');
      for (const post of posts) assert.ok(post.path.startsWith(`${PREFIX}/storage/1.5/`), post.path);
      assert.deepEqual(
        posts.map((post) => [post.status, post.path.includes('commit=true')]),
        [[202, false], [202, false], [202, false], [202, false], [200, true]],
      );

      const read = await readAll(connection.storage, 'history');
      assert.deepEqual(
        read.map(({ id, payload, sortindex }) => ({ id, payload, sortindex })),
        records.map(({ id, payload, sortindex }) => ({ id, payload, sortindex })),
      );
      assert.equal((await connection.storage.getRecord('history', 'prefixed0007'))?.payload, records[7]?.payload);
      assert.equal((await connection.storage.readIds('history')).length, records.length);
      assert.deepEqual(Object.keys(await connection.storage.infoCollections()), ['history']);

      const stored = await b.control<StoredRecord[]>('GET', `/storage-users/${uid}/records/history`);
      assert.equal(stored.length, records.length);
      const modified = result.modified;
      assert.ok(modified !== undefined);
      for (const record of records) {
        const held = stored.find((candidate) => candidate.id === record.id);
        assert.ok(held, record.id);
        assert.equal(held.payload, record.payload);
        assert.equal(held.sortindex, record.sortindex);
        assert.equal(held.modified, modified, 'one batch, one timestamp');
        assert.equal(held.expiresAt, record.ttl === undefined ? undefined : modified + record.ttl * 1000, record.id);
      }
      assert.deepEqual(await b.control('GET', `/storage-users/${uid}/collections`), { history: records.length });
    } finally {
      await b.control('PUT', '/configuration', defaults);
    }
  });

  it('A, the accounts server, holds nothing for the user: the records went to B only', async () => {
    const { uid, connection } = await connectedAtB('prefix-only-b');
    await connection.storage.uploadRecords('forms', [{ id: 'onlyAtB0001', payload: '{}' }]);
    assert.deepEqual(await b.control('GET', `/storage-users/${uid}/collections`), { forms: 1 });
    assert.deepEqual(await a.control('GET', `/storage-users/${uid}/collections`), {});
  });
});
