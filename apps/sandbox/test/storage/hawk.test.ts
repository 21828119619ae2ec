import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DEFAULT_STORAGE_LIMITS } from '../../src/contracts.js';
import { StorageEngine } from '../../src/storage/engine.js';
import { hawkMac, hawkNormalizedString, parseHawkHeader } from '../../src/storage/hawk.js';
import { DEFAULT_STORAGE15_QUIRKS, registerStorage15 } from '../../src/storage/storage15.js';
import { mintToken } from '../../src/tokenlib.js';
import { Storage15Fixture, TOKEN_SECRET, TestClock, hawkNormalizedForTest, httpRequest, signHawk, startServer, tokenFor } from './support.js';

// sync-protocols.md §10 vector (f).
const VECTOR = {
  id: 'eyJub2RlIjoiaHR0cDovL2xvY2FsaG9zdDo4MDAwIiwiZnhhX2tpZCI6IjE3MDAwMDAwMDAwMDAtcmlGc0x2VWtlamVDd1RYdm9ubWo1QSIsImZ4YV91aWQiOiIwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiIsImhhc2hlZF9kZXZpY2VfaWQiOiIiLCJoYXNoZWRfZnhhX3VpZCI6IiIsImV4cGlyZXMiOjIwMDAwMDAwMDAsInVpZCI6MSwidG9rZW5zZXJ2ZXJfb3JpZ2luIjoicnVzdCIsInNhbHQiOiJhMWIyYzMifQ2iVK1pyLeN7zztepeBLVSmzXLDnH_4CvykRFbc9Qb7',
  key: 'w1IoxTwUKswY0O61VVU-FdpUFIn_ONFvEuRaZrn-nnE=',
};

describe('test-side Hawk signer', () => {
  test('reproduces vector (f) for GET info/collections', () => {
    const input = { ...VECTOR, method: 'GET', resource: '/1.5/1/info/collections', host: 'localhost', port: 8000, ts: 1700000000, nonce: 'AAECAwQ=' };
    assert.equal(hawkNormalizedForTest(input, ''), 'hawk.1.header\n1700000000\nAAECAwQ=\nGET\n/1.5/1/info/collections\nlocalhost\n8000\n\n\n');
    assert.equal(signHawk(input).mac, 'AlcS8D+ZFljIU94Lm9iOghfvh6CV6CINnLTec+IAqo8=');
  });

  test('reproduces vector (f) payload hash and mac for a batch POST', () => {
    const signed = signHawk({
      ...VECTOR,
      method: 'POST',
      resource: '/1.5/1/storage/forms?batch=true',
      host: 'localhost',
      port: 8000,
      ts: 1700000000,
      nonce: 'AAECAwQ=',
      payload: { contentType: 'application/json', body: '[{"id":"abc","payload":"x"}]' },
    });
    assert.equal(signed.hash, 'WM0xkWG+7iWWMXKW/VAroviphW+zjTOVfwOwkNEAJ24=');
    assert.equal(signed.mac, 'ZwsKXLDQcYkEe8C9Hn+epGcp02GP4RBB+Y2Ixt6fED0=');
  });
});

describe('server Hawk verification against vector (f)', () => {
  test('the server module computes the vector (f) mac from the parsed header', () => {
    const credentials = parseHawkHeader(`Hawk id="${VECTOR.id}", ts="1700000000", nonce="AAECAwQ=", mac="AlcS8D+ZFljIU94Lm9iOghfvh6CV6CINnLTec+IAqo8="`);
    assert.ok(credentials);
    const normalized = hawkNormalizedString(credentials, { method: 'GET', resource: '/1.5/1/info/collections', host: 'localhost', port: 8000 });
    assert.equal(hawkMac(VECTOR.key, normalized), credentials.mac);
  });

  test('a server holding the vector master secret accepts the vector (f) request byte for byte', async () => {
    const clock = new TestClock(1_700_000_000_000);
    const engine = new StorageEngine({ now: clock.now });
    const server = await startServer((app) =>
      registerStorage15(app, {
        prefix: '',
        engine,
        tokenSecret: 'test-master-secret',
        limits: () => DEFAULT_STORAGE_LIMITS,
        quirks: () => DEFAULT_STORAGE15_QUIRKS,
      }),
    );
    try {
      const authorization = `Hawk id="${VECTOR.id}", ts="1700000000", nonce="AAECAwQ=", mac="AlcS8D+ZFljIU94Lm9iOghfvh6CV6CINnLTec+IAqo8="`;
      const request = { method: 'GET', path: '/1.5/1/info/collections' };
      const accepted = await httpRequest(server.port, { ...request, headers: { Authorization: authorization, Host: 'localhost:8000' } });
      assert.equal(accepted.status, 200);
      const otherHost = await httpRequest(server.port, { ...request, headers: { Authorization: authorization, Host: 'localhost:8001' } });
      assert.equal(otherHost.status, 401);
    } finally {
      await server.close();
    }
  });
});

describe('storage 1.5 Hawk authentication', () => {
  let fixture: Storage15Fixture;
  before(async () => {
    fixture = await Storage15Fixture.start();
  });
  after(() => fixture.close());
  beforeEach(() => {
    fixture.quirks = { ...DEFAULT_STORAGE15_QUIRKS };
    fixture.token = tokenFor(fixture.uid, fixture.clock);
  });

  /** Sends `GET <path>` signed over the given resource/host/port, with the given Host header. */
  async function signedGet(path: string, sign: { resource?: string; host?: string; port?: number; mac?: string }, hostHeader?: string) {
    const { header } = signHawk({
      id: fixture.token.id,
      key: fixture.token.key,
      method: 'GET',
      resource: sign.resource ?? path,
      host: sign.host ?? '127.0.0.1',
      port: sign.port ?? fixture.server.port,
      ts: fixture.clock.seconds(),
      nonce: 'bm9uY2U=',
    });
    const authorization = sign.mac ? header.replace(/mac="[^"]*"/, `mac="${sign.mac}"`) : header;
    return httpRequest(fixture.server.port, {
      method: 'GET',
      path,
      headers: { Authorization: authorization, ...(hostHeader ? { Host: hostHeader } : {}) },
    });
  }

  test('accepts a request signed as in vector (f)', async () => {
    const response = await signedGet(`${fixture.base}/info/collections`, {});
    assert.equal(response.status, 200);
    assert.equal(response.body, '{}');
  });

  test('accepts a signed payload hash and rejects one that does not match the body', async () => {
    const good = await fixture.request('PUT', '/storage/tabs/t1', { body: { payload: 'x' }, hashPayload: true });
    assert.equal(good.status, 200);
    const { header } = signHawk({
      id: fixture.token.id,
      key: fixture.token.key,
      method: 'PUT',
      resource: `${fixture.base}/storage/tabs/t1`,
      host: '127.0.0.1',
      port: fixture.server.port,
      ts: fixture.clock.seconds(),
      nonce: 'x',
      payload: { contentType: 'application/json', body: '{"payload":"other"}' },
    });
    const bad = await httpRequest(fixture.server.port, {
      method: 'PUT',
      path: `${fixture.base}/storage/tabs/t1`,
      headers: { Authorization: header, 'Content-Type': 'application/json' },
      body: '{"payload":"x"}',
    });
    assert.equal(bad.status, 401);
    assert.equal(bad.body, '0');
  });

  test('rejects a wrong mac with 401 and body 0', async () => {
    const response = await signedGet(`${fixture.base}/info/collections`, { mac: 'AlcS8D+ZFljIU94Lm9iOghfvh6CV6CINnLTec+IAqo8=' });
    assert.equal(response.status, 401);
    assert.equal(response.body, '0');
    assert.ok(response.headers['x-weave-timestamp']);
  });

  test('rejects a missing or non-Hawk Authorization header', async () => {
    const missing = await httpRequest(fixture.server.port, { method: 'GET', path: `${fixture.base}/info/quota` });
    assert.equal(missing.status, 401);
    const basic = await httpRequest(fixture.server.port, { method: 'GET', path: `${fixture.base}/info/quota`, headers: { Authorization: 'Basic Zm9vOmJhcg==' } });
    assert.equal(basic.status, 401);
  });

  test('rejects a token signed with another master secret', async () => {
    fixture.token = mintToken('another-secret', { uid: fixture.uid, expires: fixture.clock.seconds() + 60, salt: 'a1b2c3', node: 'x' });
    const response = await signedGet(`${fixture.base}/info/quota`, {});
    assert.equal(response.status, 401);
    assert.equal(response.body, '0');
  });

  test('rejects a uid in the path other than the token uid with 401', async () => {
    const response = await signedGet(`/storage/1.5/${fixture.uid + 1}/info/collections`, {});
    assert.equal(response.status, 401);
    assert.equal(response.body, '0');
  });

  test('rejects an expired token everywhere except info/collections', async () => {
    fixture.token = mintToken(TOKEN_SECRET, { uid: fixture.uid, expires: fixture.clock.seconds() - 1, salt: 'a1b2c3', node: 'x' });
    const quota = await signedGet(`${fixture.base}/info/quota`, {});
    assert.equal(quota.status, 401);
    assert.equal(quota.body, '0');
    const collections = await signedGet(`${fixture.base}/info/collections`, {});
    assert.equal(collections.status, 200);
  });

  test('a token expires when the clock passes its expiry', async () => {
    fixture.token = tokenFor(fixture.uid, fixture.clock, 60);
    assert.equal((await signedGet(`${fixture.base}/info/quota`, {})).status, 200);
    fixture.clock.advance(61_000);
    try {
      assert.equal((await signedGet(`${fixture.base}/info/quota`, {})).status, 401);
    } finally {
      fixture.clock.advance(-61_000);
    }
  });

  test('checks the raw, still percent-encoded path by default', async () => {
    const path = `${fixture.base}/storage/tabs/a%20b`;
    assert.equal((await signedGet(path, {})).status, 404, 'signed raw: authenticated, record absent');
    assert.equal((await signedGet(path, { resource: `${fixture.base}/storage/tabs/a b` })).status, 401);
  });

  test('hawkDecodedPath quirk checks the decoded path instead', async () => {
    fixture.quirks.hawkDecodedPath = true;
    const path = `${fixture.base}/storage/tabs/a%20b`;
    assert.equal((await signedGet(path, { resource: `${fixture.base}/storage/tabs/a b` })).status, 404);
    assert.equal((await signedGet(path, {})).status, 401);
  });

  test('uses the Host header host (any case) and its port, else 80', async () => {
    const path = `${fixture.base}/info/collections`;
    assert.equal((await signedGet(path, { host: 'sync.example.org', port: 8443 }, 'SYNC.Example.org:8443')).status, 200);
    assert.equal((await signedGet(path, { host: 'sync.example.org', port: 80 }, 'sync.example.org')).status, 200);
    assert.equal((await signedGet(path, { host: 'sync.example.org', port: 443 }, 'sync.example.org')).status, 401);
    assert.equal((await signedGet(path, { host: 'sync.example.org', port: 8443 }, 'sync.example.org:9000')).status, 401);
  });

  test('hawkIgnoreHostPort quirk checks the default port whatever the Host header says', async () => {
    fixture.quirks.hawkIgnoreHostPort = true;
    const path = `${fixture.base}/info/collections`;
    assert.equal((await signedGet(path, { host: 'sync.example.org', port: 80 }, 'sync.example.org:8443')).status, 200);
    assert.equal((await signedGet(path, { host: 'sync.example.org', port: 8443 }, 'sync.example.org:8443')).status, 401);
  });

  test('signs the query string as sent', async () => {
    const path = `${fixture.base}/storage/tabs?full=1&sort=newest`;
    assert.equal((await signedGet(path, {})).status, 200);
    assert.equal((await signedGet(path, { resource: `${fixture.base}/storage/tabs?sort=newest&full=1` })).status, 401);
  });

  test('info/configuration answers without authentication, as syncstorage-rs does', async () => {
    const response = await httpRequest(fixture.server.port, { method: 'GET', path: `${fixture.base}/info/configuration` });
    assert.equal(response.status, 200);
    assert.equal(JSON.parse(response.body).max_post_records, 100);
  });
});
