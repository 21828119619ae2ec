import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import {
  bundleFromBase64Pair,
  decryptPayload,
  legacyUsername,
  parseEncryptedPayload,
  parseSyncKey,
  rootBundleFromKb,
  rootBundleFromSyncKey,
  type KeyBundle,
} from '@syncvault/sync-crypto';
import { DEMO_FXA_EMAIL, DEMO_LEGACY_EMAIL, sandboxBanner, startSandbox, type RunningSandbox } from '../../src/index.js';
import { call, syncSession } from '../identity/fxa-client.js';

const SMALL_SEED = { bookmarks: 12, history: 9, passwords: 4, forms: 0, tabs: 1, clients: 2, addons: 0, addresses: 0, creditcards: 0, prefs: true };

interface Bso {
  id: string;
  modified: number;
  payload: string;
  sortindex?: number;
}

function open(bundle: KeyBundle, payload: string): Record<string, unknown> {
  return JSON.parse(decryptPayload(bundle, parseEncryptedPayload(payload))) as Record<string, unknown>;
}

function bulkKeysFrom(root: KeyBundle, cryptoKeys: Bso): KeyBundle {
  return bundleFromBase64Pair(open(root, cryptoKeys.payload)['default']);
}

describe('startSandbox', () => {
  let sandbox: RunningSandbox;

  before(async () => {
    sandbox = await startSandbox({ seed: 'demo', seedSize: SMALL_SEED });
  });
  after(() => sandbox.close());

  it('creates the demo accounts and announces them in one JSON line', async () => {
    assert.deepEqual(
      sandbox.accounts.map(({ kind, email }) => [kind, email]),
      [
        ['fxa', DEMO_FXA_EMAIL],
        ['legacy11', DEMO_LEGACY_EMAIL],
      ],
    );
    const line = JSON.stringify(sandboxBanner(sandbox));
    assert.ok(!line.includes('\n'));
    const parsed = JSON.parse(line);
    assert.deepEqual(Object.keys(parsed), ['fxa', 'tokenServer', 'storage15', 'storage11', 'accounts']);
    assert.match(parsed.accounts[1].syncKey, /^[a-z2-9]-([a-z2-9]{5}-){4}[a-z2-9]{5}$/);
    assert.equal(parsed.accounts[0].syncKey, undefined);
    const listed = (await call(`${sandbox.urls.control}/accounts`)).body;
    assert.deepEqual(listed.map((account: { email: string }) => account.email).sort(), [DEMO_LEGACY_EMAIL, DEMO_FXA_EMAIL].sort());
  });

  it('fills the FxA demo account with meta/global, crypto/keys under kB, and records under the bulk keys', async () => {
    const demo = sandbox.accounts[0]!;
    const client = await syncSession(sandbox.urls, demo.email, demo.password);
    const collections = (await client.get('/info/collections')).body;
    for (const name of ['meta', 'crypto', 'bookmarks', 'history', 'passwords', 'prefs', 'tabs', 'clients']) {
      assert.equal(typeof collections[name], 'number', `${name} in info/collections`);
    }
    assert.equal(collections.forms, undefined);

    const metaGlobal = (await client.get('/storage/meta/global')).body as Bso;
    assert.equal(JSON.parse(metaGlobal.payload).storageVersion, 5);
    const cryptoKeys = (await client.get('/storage/crypto/keys')).body as Bso;
    const bulk = bulkKeysFrom(rootBundleFromKb(client.kB), cryptoKeys);
    const bookmarks = (await client.get('/storage/bookmarks?full=1')).body as Bso[];
    assert.ok(bookmarks.length >= SMALL_SEED.bookmarks);
    for (const bso of bookmarks) assert.equal(open(bulk, bso.payload)['id'], bso.id);
    const history = (await client.get('/storage/history?full=1')).body as Bso[];
    assert.equal(history.length, SMALL_SEED.history);
  });

  it('fills the legacy demo account under the Sync Key and serves it over Sync 1.1', async () => {
    const legacy = sandbox.accounts[1]!;
    const username = legacyUsername(legacy.email);
    const node = await fetch(`${sandbox.urls.storage11}/user/1.0/${username}/node/weave`);
    const nodeUrl = (await node.text()).replace(/\/?$/, '/');
    const basic = { Authorization: `Basic ${Buffer.from(`${username}:${legacy.password}`).toString('base64')}` };
    const cryptoKeys = (await call(`${nodeUrl}1.1/${username}/storage/crypto/keys`, { headers: basic })).body as Bso;
    const root = rootBundleFromSyncKey(parseSyncKey(legacy.syncKey!), username);
    const bulk = bulkKeysFrom(root, cryptoKeys);
    const passwords = (await call(`${nodeUrl}1.1/${username}/storage/passwords?full=1`, { headers: basic })).body as Bso[];
    assert.ok(passwords.length >= SMALL_SEED.passwords);
    for (const wbo of passwords) assert.equal(open(bulk, wbo.payload)['id'], wbo.id);
  });

  it('writes records as another client would and reads them back in cleartext', async () => {
    const email = 'writer@example.org';
    const created = await call(`${sandbox.urls.control}/accounts`, { json: { kind: 'fxa', email, password: 'pw', seed: { bookmarks: 3 } } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const records = `${sandbox.urls.control}/accounts/${email}/records`;
    const upsert = [{ id: 'formAAAAAAAA', name: 'q', value: 'sync' }, { id: 'formBBBBBBBB', name: 'q', value: 'vault' }];
    const written = await call(records, { json: { collection: 'forms', upsert, ttl: 3600 } });
    assert.equal(written.status, 200, JSON.stringify(written.body));
    assert.equal(typeof written.body.modified, 'number');
    await call(records, { json: { collection: 'forms', tombstone: ['formBBBBBBBB'] } });
    let forms = (await call(`${records}/forms`)).body;
    assert.deepEqual(
      forms.map((record: { id: string; cleartext: unknown }) => [record.id, record.cleartext]).sort(),
      [
        ['formAAAAAAAA', upsert[0]],
        ['formBBBBBBBB', { id: 'formBBBBBBBB', deleted: true }],
      ],
    );
    await call(records, { json: { collection: 'forms', delete: ['formAAAAAAAA'] } });
    forms = (await call(`${records}/forms`)).body;
    assert.deepEqual(forms.map((record: { id: string }) => record.id), ['formBBBBBBBB']);

    const client = await syncSession(sandbox.urls, email, 'pw');
    const stored = (await client.get('/storage/forms/formBBBBBBBB')).body as Bso;
    const bulk = bulkKeysFrom(rootBundleFromKb(client.kB), (await client.get('/storage/crypto/keys')).body as Bso);
    assert.deepEqual(open(bulk, stored.payload), { id: 'formBBBBBBBB', deleted: true });
    const meta = (await call(`${records}/meta`)).body;
    assert.equal(meta[0].cleartext.storageVersion, 5);
  });

  it('rotates keys leaving old records under the old ones, and reseeds from scratch', async () => {
    const email = 'rotate@example.org';
    await call(`${sandbox.urls.control}/accounts`, { json: { kind: 'legacy11', email, password: 'pw', seed: { history: 4 } } });
    const records = `${sandbox.urls.control}/accounts/${email}/records`;
    assert.ok((await call(`${records}/history`)).body.every((record: { cleartext: unknown }) => record.cleartext !== null));
    assert.equal((await call(`${sandbox.urls.control}/accounts/${email}/rotate-keys`, { json: {} })).status, 200);
    const history = (await call(`${records}/history`)).body;
    assert.equal(history.length, 4);
    assert.ok(history.every((record: { cleartext: unknown }) => record.cleartext === null));

    const reseeded = await call(`${sandbox.urls.control}/accounts/${email}/reseed`, { json: { seed: { passwords: 2 } } });
    assert.equal(reseeded.status, 200);
    assert.deepEqual((await call(`${records}/history`)).body, []);
    const passwords = (await call(`${records}/passwords`)).body;
    assert.ok(passwords.length >= 2 && passwords.every((record: { cleartext: unknown }) => record.cleartext !== null));
  });

  it('validates control input', async () => {
    const bad = (json: unknown) => call(`${sandbox.urls.control}/accounts`, { json });
    assert.equal((await bad({ kind: 'fxa', email: 'x@example.org', password: 'pw', seed: { tabs: 2, clients: 1 } })).status, 400);
    assert.equal((await call(`${sandbox.urls.control}/accounts/x@example.org`)).status, 404);
    assert.equal((await bad({ kind: 'fxa', email: 'y@example.org', password: 'pw', kB: 'abc' })).status, 400);
    assert.equal((await bad({ kind: 'fxa', email: DEMO_FXA_EMAIL, password: 'pw' })).status, 409);
    assert.equal((await call(`${sandbox.urls.control}/quirks`, { method: 'PUT', json: { storage11: { timestampDecimals: 5 } } })).status, 400);
  });

  it('applies storage limits and quirks set through the control API', async () => {
    const limits = await call(`${sandbox.urls.control}/configuration`, { method: 'PUT', json: { max_post_records: 7 } });
    assert.equal(limits.body.max_post_records, 7);
    const configuration = await call(`${sandbox.urls.storage15}/1.5/1/info/configuration`);
    assert.equal(configuration.body.max_post_records, 7);
    const quirks = await call(`${sandbox.urls.control}/quirks`, { method: 'PUT', json: { storage11: { emptyInfoAsArray: true } } });
    assert.equal(quirks.body.storage11.emptyInfoAsArray, true);
    assert.equal(quirks.body.storage15.hawkDecodedPath, false);
  });

  it('serves the fault injection routes of the same process', async () => {
    assert.equal((await call(`${sandbox.urls.control}/faults`)).status, 200);
  });
});

describe('close()', () => {
  it('frees the port', async () => {
    const sandbox = await startSandbox();
    const port = Number(new URL(sandbox.urls.fxa).port);
    await sandbox.close();
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  });
});
