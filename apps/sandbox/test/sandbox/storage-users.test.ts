/**
 * The operator's view of a storage node (`/__sandbox__/storage-users/:fxaUid/...`): raw records
 * of the user the tokenserver knows by an FxA uid, including users of another accounts server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type RunningSandbox } from '../../src/index.js';
import { call, syncSession } from '../identity/fxa-client.js';

describe('control: storage-users', () => {
  let accounts: RunningSandbox;
  let storage: RunningSandbox;
  let clockOffsetMs = 0;
  const email = 'operator-view@example.org';

  before(async () => {
    accounts = await startSandbox();
    storage = await startSandbox({ accountsServer: accounts.urls.fxa, now: () => Date.now() + clockOffsetMs });
    const created = await call(`${accounts.urls.control}/accounts`, { json: { kind: 'fxa', email, password: 'pw', seed: { history: 3 } } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(async () => {
    await storage?.close();
    await accounts?.close();
  });

  it('reads what the storage node holds for a user of another accounts server, raw, without expired records', async () => {
    const fxaUid = (await call(`${accounts.urls.control}/accounts/${email}`)).body.uid as string;
    const usersOfB = `${storage.urls.control}/storage-users/${fxaUid}`;
    assert.equal((await call(`${usersOfB}/collections`)).status, 404, 'B\'s tokenserver has not seen the uid yet');
    assert.equal((await call(`${usersOfB}/records/forms`)).status, 404);
    assert.equal((await call(`${storage.urls.control}/accounts/${email}`)).status, 404, 'B\'s own registry never knows the account');

    const client = await syncSession({ fxa: accounts.urls.fxa, tokenServer: storage.urls.tokenServer }, email, 'pw');
    assert.equal(client.fxaUid, fxaUid);
    assert.deepEqual((await call(`${usersOfB}/collections`)).body, {}, 'known now, and empty: A\'s seed lives on A');

    const posted = await client.request('POST', '/storage/forms', [
      { id: 'keptForever1', payload: '{"ciphertext":"one"}', sortindex: 7 },
      { id: 'expiresLater', payload: '{"ciphertext":"two"}', ttl: 3600 },
      { id: 'expiresSoon1', payload: '{"ciphertext":"three"}', ttl: 60 },
    ]);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    const modified = Math.round(Number(posted.headers.get('x-last-modified')) * 1000);

    const records = (await call(`${usersOfB}/records/forms`)).body as Array<Record<string, unknown>>;
    records.sort((x, y) => String(x['id']).localeCompare(String(y['id'])));
    assert.deepEqual(records, [
      { id: 'expiresLater', modified, payload: '{"ciphertext":"two"}', expiresAt: modified + 3600_000 },
      { id: 'expiresSoon1', modified, payload: '{"ciphertext":"three"}', expiresAt: modified + 60_000 },
      { id: 'keptForever1', modified, sortindex: 7, payload: '{"ciphertext":"one"}' },
    ]);
    assert.deepEqual((await call(`${usersOfB}/collections`)).body, { forms: 3 });

    clockOffsetMs = 120_000;
    const later = (await call(`${usersOfB}/records/forms`)).body as Array<{ id: string }>;
    assert.deepEqual(later.map((record) => record.id).sort(), ['expiresLater', 'keptForever1']);
    assert.deepEqual((await call(`${usersOfB}/collections`)).body, { forms: 2 });
    assert.deepEqual((await call(`${usersOfB}/records/history`)).body, []);
  });

  it('answers 409 when tokens point at an external storage node', async () => {
    const external = await startSandbox({ tokenSecret: 'shared', storageNode: storage.urls.storage15 });
    try {
      await call(`${external.urls.control}/accounts`, { json: { kind: 'fxa', email, password: 'pw' } });
      const fxaUid = (await call(`${external.urls.control}/accounts/${email}`)).body.uid as string;
      assert.equal((await call(`${external.urls.control}/storage-users/${fxaUid}/collections`)).status, 409);
    } finally {
      await external.close();
    }
  });
});
