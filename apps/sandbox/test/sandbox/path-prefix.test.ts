/**
 * `pathPrefix`: the whole sandbox behind a reverse proxy at a path, as a self-hosted
 * syncstorage-rs often is. Every URL handed out carries the prefix, Hawk covers it, and nothing
 * answers without it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { legacyUsername } from '@syncvault/sync-crypto';
import { sandboxBanner, startSandbox, type RunningSandbox } from '../../src/index.js';
import { call, hawkHeader, syncSession, type SyncSession } from '../identity/fxa-client.js';

const PREFIX = '/ffsync';

describe('startSandbox({pathPrefix})', () => {
  let sandbox: RunningSandbox;
  let origin: string;
  const email = 'prefixed@example.org';

  before(async () => {
    sandbox = await startSandbox({ pathPrefix: PREFIX, seed: 'demo', seedSize: { bookmarks: 3, history: 2, passwords: 1, forms: 0, tabs: 0, clients: 1, addons: 0, addresses: 0, creditcards: 0 } });
    origin = new URL(sandbox.urls.fxa).origin;
    const created = await call(`${sandbox.urls.control}/accounts`, { json: { kind: 'fxa', email, password: 'pw', seed: { history: 2 } } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(() => sandbox.close());

  it('hands out URLs under the prefix', () => {
    assert.deepEqual(sandbox.urls, {
      fxa: `${origin}${PREFIX}/fxa`,
      tokenServer: `${origin}${PREFIX}/token/1.0/sync/1.5`,
      storage15: `${origin}${PREFIX}/storage`,
      storage11: `${origin}${PREFIX}/weave`,
      control: `${origin}${PREFIX}/__sandbox__`,
    });
    assert.equal(sandboxBanner(sandbox).tokenServer, sandbox.urls.tokenServer);
  });

  it('exchanges tokens at the prefixed tokenserver for an api_endpoint under the prefix, and serves Hawk-signed requests there', async () => {
    const client = await syncSession(sandbox.urls, email, 'pw');
    assert.equal(client.apiEndpoint, `${origin}${PREFIX}/storage/1.5/${client.uid}`);
    const collections = await client.get('/info/collections');
    assert.equal(collections.status, 200, JSON.stringify(collections.body));
    assert.deepEqual(Object.keys(collections.body).sort(), ['crypto', 'history', 'meta']);

    const posted = await client.request('POST', '/storage/forms', [{ id: 'prefixForm01', payload: 'opaque' }]);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    assert.deepEqual(posted.body.success, ['prefixForm01']);
    const read = await client.get('/storage/forms/prefixForm01');
    assert.equal(read.body.payload, 'opaque');
  });

  it('checks Hawk against the full path as sent, prefix included', async () => {
    const client = await syncSession(sandbox.urls, email, 'pw');
    // Signed as if the proxy had stripped the prefix: the node sees a different path and refuses.
    const prefixed = `${client.apiEndpoint}/info/collections`;
    const stripped = prefixed.replace(`${origin}${PREFIX}`, origin);
    const refused = await fetch(prefixed, { headers: { Authorization: signedGet(client, stripped) } });
    assert.equal(refused.status, 401);
    const accepted = await fetch(prefixed, { headers: { Authorization: signedGet(client, prefixed) } });
    assert.equal(accepted.status, 200);
  });

  it('answers 404 to every server without the prefix', async () => {
    const client = await syncSession(sandbox.urls, email, 'pw');
    const unprefixedStorage = `${origin}/storage/1.5/${client.uid}/info/collections`;
    const storage = await fetch(unprefixedStorage, { headers: { Authorization: signedGet(client, unprefixedStorage) } });
    assert.equal(storage.status, 404);
    assert.equal((await call(`${origin}/token/1.0/sync/1.5`, { headers: { Authorization: 'Bearer x', 'X-KeyID': '1-AA' } })).status, 404);
    assert.equal((await call(`${origin}/fxa/v1/account/login`, { json: { email, authPW: '00' } })).status, 404);
    assert.equal((await call(`${origin}/weave/user/1.0/${legacyUsername(email)}`)).status, 404);
    assert.equal((await call(`${origin}/__sandbox__/accounts`)).status, 404);
    assert.equal((await call(`${origin}/__sandbox__/faults`)).status, 404);
    assert.equal((await call(`${sandbox.urls.control}/faults`)).status, 200);
  });

  it('points legacy 1.1 node discovery at the prefixed storage', async () => {
    const legacy = sandbox.accounts.find((account) => account.kind === 'legacy11');
    assert.ok(legacy);
    const username = legacyUsername(legacy.email);
    const node = await fetch(`${sandbox.urls.storage11}/user/1.0/${username}/node/weave`);
    assert.equal(node.status, 200);
    assert.equal((await node.text()).replace(/\/?$/, '/'), `${sandbox.urls.storage11}/`);
  });

  it('refuses a prefix a proxy could not have', async () => {
    for (const bad of ['ffsync', '/ffsync/', '/', '/ff?sync', '/ff#sync', '/a//b']) {
      await assert.rejects(startSandbox({ pathPrefix: bad }), /path prefix/, bad);
    }
  });
});

/** A Hawk header for GET `url` with the session's storage token, whatever URL the request really goes to. */
function signedGet(client: SyncSession, url: string): string {
  return hawkHeader({ method: 'GET', url, credentials: client.credentials });
}
