import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Storage15Fixture } from './support.js';

describe('storage 1.5 X-If-Modified-Since / X-If-Unmodified-Since', () => {
  let fixture: Storage15Fixture;
  /** Timestamps (two-decimal text) of: tabs/a, then forms/f (so the store is newer than tabs). */
  let tabsWrite: string;
  let formsWrite: string;

  before(async () => {
    fixture = await Storage15Fixture.start();
  });
  after(() => fixture.close());
  beforeEach(async () => {
    fixture.engine.dropUser(fixture.uid);
    tabsWrite = (await fixture.request('PUT', '/storage/tabs/a', { body: { payload: '1' } })).body;
    formsWrite = (await fixture.request('PUT', '/storage/forms/f', { body: { payload: '1' } })).body;
  });

  const older = (timestamp: string): string => (Number(timestamp) - 0.01).toFixed(2);

  test('GET collection: 304 when not modified since, with X-Last-Modified and no body', async () => {
    const response = await fixture.request('GET', '/storage/tabs', { headers: { 'X-If-Modified-Since': tabsWrite } });
    assert.equal(response.status, 304);
    assert.equal(response.headers['x-last-modified'], tabsWrite);
    assert.equal(response.body, '');
  });

  test('GET collection: 200 when modified since', async () => {
    const response = await fixture.request('GET', '/storage/tabs', { headers: { 'X-If-Modified-Since': older(tabsWrite) } });
    assert.equal(response.status, 200);
    assert.equal(response.body, '["a"]');
  });

  test('the collection, not the store, is the target on collection URLs', async () => {
    // The store moved on with forms/f; tabs did not.
    const response = await fixture.request('GET', '/storage/tabs', { headers: { 'X-If-Unmodified-Since': tabsWrite } });
    assert.equal(response.status, 200);
  });

  test('info/collections targets the whole store', async () => {
    const stale = await fixture.request('GET', '/info/collections', { headers: { 'X-If-Modified-Since': tabsWrite } });
    assert.equal(stale.status, 200);
    const fresh = await fixture.request('GET', '/info/collections', { headers: { 'X-If-Modified-Since': formsWrite } });
    assert.equal(fresh.status, 304);
    assert.equal(fresh.headers['x-last-modified'], formsWrite);
  });

  test('POST with an old X-If-Unmodified-Since is 412 and writes nothing', async () => {
    const response = await fixture.request('POST', '/storage/tabs', {
      body: [{ id: 'b', payload: '2' }],
      headers: { 'X-If-Unmodified-Since': older(tabsWrite) },
    });
    assert.equal(response.status, 412);
    assert.equal(response.headers['x-last-modified'], tabsWrite);
    assert.deepEqual(JSON.parse((await fixture.request('GET', '/storage/tabs')).body), ['a']);
  });

  test('POST with the current collection timestamp succeeds', async () => {
    const response = await fixture.request('POST', '/storage/tabs', {
      body: [{ id: 'b', payload: '2' }],
      headers: { 'X-If-Unmodified-Since': tabsWrite },
    });
    assert.equal(response.status, 200);
  });

  test('item URLs target the BSO: a missing one is 0, so X-If-Unmodified-Since: 0 means create-only', async () => {
    const create = await fixture.request('PUT', '/storage/tabs/new', { body: { payload: 'n' }, headers: { 'X-If-Unmodified-Since': '0' } });
    assert.equal(create.status, 200);
    const overwrite = await fixture.request('PUT', '/storage/tabs/new', { body: { payload: 'm' }, headers: { 'X-If-Unmodified-Since': '0' } });
    assert.equal(overwrite.status, 412);
    assert.equal(overwrite.headers['x-last-modified'], create.body);
  });

  test('item URLs: 304 for an unchanged BSO', async () => {
    const response = await fixture.request('GET', '/storage/tabs/a', { headers: { 'X-If-Modified-Since': tabsWrite } });
    assert.equal(response.status, 304);
  });

  test('DELETE /storage honours X-If-Unmodified-Since against the store', async () => {
    const refused = await fixture.request('DELETE', '/storage', { headers: { 'X-If-Unmodified-Since': tabsWrite } });
    assert.equal(refused.status, 412);
    assert.equal((await fixture.request('GET', '/storage/tabs/a')).status, 200);
  });

  test('both headers at once are 400', async () => {
    const response = await fixture.request('GET', '/storage/tabs', {
      headers: { 'X-If-Modified-Since': tabsWrite, 'X-If-Unmodified-Since': tabsWrite },
    });
    assert.equal(response.status, 400);
    assert.equal(response.body, '0');
  });

  test('negative or unreadable values are 400', async () => {
    for (const [name, value] of [['X-If-Modified-Since', '-1'], ['X-If-Unmodified-Since', '-0.5'], ['X-If-Unmodified-Since', 'yesterday']]) {
      const response = await fixture.request('GET', '/storage/tabs', { headers: { [name as string]: value as string } });
      assert.equal(response.status, 400, `${name}: ${value}`);
    }
  });

  test('X-Last-Modified on a successful read is the target timestamp', async () => {
    const response = await fixture.request('GET', '/storage/tabs/a');
    assert.equal(response.headers['x-last-modified'], tabsWrite);
    assert.equal((await fixture.request('GET', '/info/quota')).headers['x-last-modified'], formsWrite);
  });
});
