import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '@syncvault/sync-crypto';
import { InvalidTokenError, deriveTokenKey, mintToken, parseToken, tokenSigningKey, type TokenPayload } from '../../src/tokenlib.js';

// sync-protocols.md §10 vector (f).
const MASTER_SECRET = 'test-master-secret';
const VECTOR_PAYLOAD_JSON =
  '{"node":"http://localhost:8000","fxa_kid":"1700000000000-riFsLvUkejeCwTXvonmj5A","fxa_uid":"0123456789abcdef0123456789abcdef","hashed_device_id":"","hashed_fxa_uid":"","expires":2000000000,"uid":1,"tokenserver_origin":"rust","salt":"a1b2c3"}';
const VECTOR_ID =
  'eyJub2RlIjoiaHR0cDovL2xvY2FsaG9zdDo4MDAwIiwiZnhhX2tpZCI6IjE3MDAwMDAwMDAwMDAtcmlGc0x2VWtlamVDd1RYdm9ubWo1QSIsImZ4YV91aWQiOiIwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiIsImhhc2hlZF9kZXZpY2VfaWQiOiIiLCJoYXNoZWRfZnhhX3VpZCI6IiIsImV4cGlyZXMiOjIwMDAwMDAwMDAsInVpZCI6MSwidG9rZW5zZXJ2ZXJfb3JpZ2luIjoicnVzdCIsInNhbHQiOiJhMWIyYzMifQ2iVK1pyLeN7zztepeBLVSmzXLDnH_4CvykRFbc9Qb7';
const VECTOR_KEY = 'w1IoxTwUKswY0O61VVU-FdpUFIn_ONFvEuRaZrn-nnE=';
const VECTOR_PAYLOAD = JSON.parse(VECTOR_PAYLOAD_JSON) as TokenPayload;

test('signing key matches vector (f)', () => {
  assert.equal(toHex(tokenSigningKey(MASTER_SECRET)), '883757163de9719fafcf1993ad7b2e8f8bf0d7b90cd30fe026a316dd12c13d32');
});

test('mintToken reproduces vector (f) id and key, keeping the payload key order', () => {
  assert.equal(JSON.stringify(VECTOR_PAYLOAD), VECTOR_PAYLOAD_JSON);
  assert.deepEqual(mintToken(MASTER_SECRET, VECTOR_PAYLOAD), { id: VECTOR_ID, key: VECTOR_KEY });
});

test('deriveTokenKey reproduces vector (f) key', () => {
  assert.equal(deriveTokenKey(MASTER_SECRET, VECTOR_ID, 'a1b2c3'), VECTOR_KEY);
});

test('parseToken returns the vector (f) payload', () => {
  assert.deepEqual(parseToken(MASTER_SECRET, VECTOR_ID), VECTOR_PAYLOAD);
});

test('parseToken rejects another master secret, a tampered id and garbage', () => {
  assert.throws(() => parseToken('other-secret', VECTOR_ID), InvalidTokenError);
  const tampered = VECTOR_ID.slice(0, 10) + (VECTOR_ID[10] === 'A' ? 'B' : 'A') + VECTOR_ID.slice(11);
  assert.throws(() => parseToken(MASTER_SECRET, tampered), InvalidTokenError);
  assert.throws(() => parseToken(MASTER_SECRET, 'not a token!'), InvalidTokenError);
  assert.throws(() => parseToken(MASTER_SECRET, 'AAAA'), InvalidTokenError);
});
