import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hawkAuthorization } from '../../../src/sync/http/index.js';

// Vector (f) of sync-protocols.md §10.
const credentials = {
  id: 'eyJub2RlIjoiaHR0cDovL2xvY2FsaG9zdDo4MDAwIiwiZnhhX2tpZCI6IjE3MDAwMDAwMDAwMDAtcmlGc0x2VWtlamVDd1RYdm9ubWo1QSIsImZ4YV91aWQiOiIwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiIsImhhc2hlZF9kZXZpY2VfaWQiOiIiLCJoYXNoZWRfZnhhX3VpZCI6IiIsImV4cGlyZXMiOjIwMDAwMDAwMDAsInVpZCI6MSwidG9rZW5zZXJ2ZXJfb3JpZ2luIjoicnVzdCIsInNhbHQiOiJhMWIyYzMifQ2iVK1pyLeN7zztepeBLVSmzXLDnH_4CvykRFbc9Qb7',
  key: 'w1IoxTwUKswY0O61VVU-FdpUFIn_ONFvEuRaZrn-nnE=',
};

function attribute(header: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`).exec(header)?.[1];
}

describe('hawkAuthorization', () => {
  it('reproduces vector (f) for a GET', () => {
    const header = hawkAuthorization({
      method: 'GET',
      url: 'http://localhost:8000/1.5/1/info/collections',
      credentials,
      timestampSeconds: 1700000000,
      nonce: 'AAECAwQ=',
    });
    assert.match(header, /^Hawk id="/);
    assert.equal(attribute(header, 'id'), credentials.id);
    assert.equal(attribute(header, 'ts'), '1700000000');
    assert.equal(attribute(header, 'nonce'), 'AAECAwQ=');
    assert.equal(attribute(header, 'mac'), 'AlcS8D+ZFljIU94Lm9iOghfvh6CV6CINnLTec+IAqo8=');
    assert.equal(attribute(header, 'hash'), undefined);
  });

  it('reproduces vector (f) for a POST with a payload hash', () => {
    const header = hawkAuthorization({
      method: 'post',
      url: 'http://localhost:8000/1.5/1/storage/forms?batch=true',
      credentials,
      payload: '[{"id":"abc","payload":"x"}]',
      contentType: 'application/json; charset=utf-8',
      timestampSeconds: 1700000000,
      nonce: 'AAECAwQ=',
    });
    assert.equal(attribute(header, 'hash'), 'WM0xkWG+7iWWMXKW/VAroviphW+zjTOVfwOwkNEAJ24=');
    assert.equal(attribute(header, 'mac'), 'ZwsKXLDQcYkEe8C9Hn+epGcp02GP4RBB+Y2Ixt6fED0=');
  });

  it('signs the same MAC for a key given as its ASCII bytes, and for an upper-case host', () => {
    const header = hawkAuthorization({
      method: 'GET',
      url: 'http://LOCALHOST:8000/1.5/1/info/collections',
      credentials: { id: credentials.id, key: Buffer.from(credentials.key, 'ascii') },
      timestampSeconds: 1700000000,
      nonce: 'AAECAwQ=',
    });
    assert.equal(attribute(header, 'mac'), 'AlcS8D+ZFljIU94Lm9iOghfvh6CV6CINnLTec+IAqo8=');
  });

  it('signs the path byte-for-byte (no re-encoding of {} or %xx) and defaults the port', async () => {
    const { createHmac } = await import('node:crypto');
    const url = 'https://Example.org/1.5/1/storage/bookmarks/%7Babc%7D{def}?ids=a%2Cb';
    const header = hawkAuthorization({ method: 'DELETE', url, credentials, timestampSeconds: 1700000000, nonce: 'n' });
    const normalized =
      'hawk.1.header\n1700000000\nn\nDELETE\n/1.5/1/storage/bookmarks/%7Babc%7D{def}?ids=a%2Cb\nexample.org\n443\n\n\n';
    const expected = createHmac('sha256', credentials.key).update(normalized).digest('base64');
    assert.equal(attribute(header, 'mac'), expected);
  });

  it('applies the clock offset to the timestamp', () => {
    const header = hawkAuthorization({ method: 'GET', url: 'http://h/x', credentials, offsetSeconds: 3600 });
    const ts = Number(attribute(header, 'ts'));
    assert.ok(Math.abs(ts - (Date.now() / 1000 + 3600)) < 5);
  });
});
