import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyBundle, rootBundleFromKb } from '@syncvault/sync-crypto';
import {
  CollectionKeys,
  decryptBso,
  encryptRecord,
  MalformedRecordError,
  RecordDecryptError,
  RecordHmacError,
  RecordIdMismatchError,
} from '../../../src/sync/crypto/index.js';

// Vector (e) of sync-protocols.md §10, under the root bundle of vector (b).
const kB = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
const root = rootBundleFromKb(kB);
const bytes = (from: number, count: number): Buffer => Buffer.from(Array.from({ length: count }, (_, i) => from + i));

const keysCleartext =
  '{"id":"keys","collection":"crypto","default":["QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2A=","YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4A="],"collections":{}}';
const keysPayload =
  '{"ciphertext":"tRtthtrqa58xfuM3VT3nj475r2wwtJLeR0Ung5tCb6P39xIXJkjDG8i5zfGUtVdD/9KXZpat2uEMJzwwlB/u7qMKCw8y/ZAhZNBDTyAWlLaQwUTTbF9CjC2qopKfN79hPGSyOASnkT5mY/aSjJZ+LlM/2CdtwE20ksffhxNk2l5sFe5OQdmhhv5Pp+zueqaNiDUnZF8crelGCgBRuKxoOg==","IV":"oKGio6SlpqeoqaqrrK2urw==","hmac":"ebbef2a9a44d855587b997edebf776e8e70d25ef8198af73288b75ca0b34c760"}';
const bookmarkCleartext =
  '{"id":"dGVzdGJtazAx","type":"bookmark","title":"Example","bmkUri":"https://example.org/","parentid":"toolbar","parentName":"Bookmarks Toolbar","dateAdded":1700000000000,"tags":[]}';
const bookmarkPayload =
  '{"ciphertext":"bmAkKNC2AQMrj4WtsKnkSd5tr+INtcs8D2jbUvhdRImbyFDeBCrmJk1YYdPyQm9oJ4DKGiKKl1TTrTE5wnJEL0nOBIsgC8OWRiCznJcL4MQM8u6RLPS8SYPJJA7148Fk7wHvnptZXx/n8Z34hM50R1ARqtHiYoj+21ztjwEnZ+uF45WTtZJu4k6tRP1+bXZhmMvnMPR7+co6cW7yHpHxEVgHl6A8KuiCGSmkQNGqmA1x/GWAO1OsJYKDCvJCGQNt","IV":"sLGys7S1tre4ubq7vL2+vw==","hmac":"602081b5f95ca53df1013922efed6379784797949f19946703717c671f3ea92b"}';

describe('CollectionKeys with vector (e)', () => {
  it('decrypts crypto/keys with the kB root bundle and serializes the same cleartext', () => {
    const keys = CollectionKeys.decrypt({ id: 'keys', payload: keysPayload }, root);
    assert.deepEqual(keys.defaultBundle.encKey, bytes(0x41, 32));
    assert.deepEqual(keys.defaultBundle.hmacKey, bytes(0x61, 32));
    assert.equal(keys.collectionBundles.size, 0);
    assert.equal(JSON.stringify(keys.toCleartext()), keysCleartext);
  });

  it('re-encrypts to the exact vector payload with the vector IV', () => {
    const keys = CollectionKeys.of(keyBundle(bytes(0x41, 32), bytes(0x61, 32)));
    assert.equal(keys.encrypt(root, bytes(0xa0, 16)), keysPayload);
  });

  it("decrypts the bookmark via bundleFor('bookmarks') and encrypts it back byte-for-byte", () => {
    const keys = CollectionKeys.decrypt({ id: 'keys', payload: keysPayload }, root);
    const cleartext = decryptBso('bookmarks', { id: 'dGVzdGJtazAx', payload: bookmarkPayload }, keys);
    assert.equal(JSON.stringify(cleartext), bookmarkCleartext);
    assert.equal(encryptRecord('bookmarks', cleartext, keys, bytes(0xb0, 16)), bookmarkPayload);
  });

  it('prefers a per-collection bundle and round-trips generated keys', () => {
    const keys = CollectionKeys.generate(['passwords']);
    assert.notDeepEqual(keys.bundleFor('passwords').encKey, keys.bundleFor('bookmarks').encKey);
    assert.equal(keys.bundleFor('bookmarks'), keys.defaultBundle);
    const again = CollectionKeys.decrypt({ id: 'keys', payload: keys.encrypt(root) }, root);
    assert.deepEqual(again.bundleFor('passwords'), keys.bundleFor('passwords'));
    assert.equal(again.fingerprint(), keys.fingerprint());
    assert.deepEqual(Object.keys(again.toCleartext().collections), ['passwords']);
  });

  it('fingerprints by key material only, independent of JSON order', () => {
    const a = CollectionKeys.generate(['x', 'y']);
    const cleartext = a.toCleartext();
    const reordered = CollectionKeys.fromCleartext({ ...cleartext, collections: { y: cleartext.collections['y'], x: cleartext.collections['x'] } });
    assert.equal(reordered.fingerprint(), a.fingerprint());
    assert.match(a.fingerprint(), /^[0-9a-f]{64}$/);
    assert.notEqual(CollectionKeys.generate().fingerprint(), a.fingerprint());
  });

  it('rejects malformed cleartexts naming crypto/keys', () => {
    assert.throws(() => CollectionKeys.fromCleartext({ default: ['AAAA', 'AAAA'] }), (error: unknown) => {
      assert.ok(error instanceof MalformedRecordError);
      assert.equal(error.collection, 'crypto');
      assert.equal(error.id, 'keys');
      assert.match(error.message, /^crypto\/keys: default key pair/);
      return true;
    });
    assert.throws(() => CollectionKeys.fromCleartext([]), MalformedRecordError);
    const valid = CollectionKeys.generate().toCleartext();
    assert.throws(() => CollectionKeys.fromCleartext({ ...valid, collections: { forms: 'nope' } }), /forms key pair/);
  });
});

describe('decryptBso errors', () => {
  const keys = CollectionKeys.decrypt({ id: 'keys', payload: keysPayload }, root);

  it('RecordHmacError names collection and id when the HMAC fails', () => {
    const envelope = JSON.parse(bookmarkPayload) as { hmac: string };
    const flipped = JSON.stringify({ ...envelope, hmac: `${envelope.hmac.slice(0, -1)}${envelope.hmac.endsWith('b') ? 'c' : 'b'}` });
    assert.throws(() => decryptBso('bookmarks', { id: 'dGVzdGJtazAx', payload: flipped }, keys), (error: unknown) => {
      assert.ok(error instanceof RecordHmacError);
      assert.ok(error instanceof RecordDecryptError);
      assert.equal(error.collection, 'bookmarks');
      assert.equal(error.id, 'dGVzdGJtazAx');
      assert.match(error.message, /^bookmarks\/dGVzdGJtazAx: HMAC mismatch/);
      return true;
    });
  });

  it('checks the HMAC with the right bundle: the wrong keys fail as an HMAC error', () => {
    assert.throws(() => decryptBso('bookmarks', { id: 'dGVzdGJtazAx', payload: bookmarkPayload }, root), RecordHmacError);
  });

  it('reports payloads that are not envelopes as malformed', () => {
    for (const payload of ['not json', '{"ciphertext":"x"}', '[]']) {
      assert.throws(() => decryptBso('forms', { id: 'abc', payload }, keys), (error: unknown) => {
        assert.ok(error instanceof MalformedRecordError);
        assert.match(error.message, /^forms\/abc: /);
        return true;
      });
    }
  });

  it('rejects a cleartext id that differs from the BSO id', () => {
    assert.throws(() => decryptBso('bookmarks', { id: 'otherId12345', payload: bookmarkPayload }, keys), (error: unknown) => {
      assert.ok(error instanceof RecordIdMismatchError);
      assert.equal(error.cleartextId, 'dGVzdGJtazAx');
      assert.equal(error.id, 'otherId12345');
      return true;
    });
  });

  it('rejects cleartext that is not a JSON object', () => {
    const payload = JSON.stringify(JSON.parse(encryptRecord('forms', { id: 'x' }, keys)));
    assert.doesNotThrow(() => decryptBso('forms', { id: 'x', payload }, keys));
    const arrayPayload = encryptRecord('forms', ['x'] as unknown as { id: string }, keys);
    assert.throws(() => decryptBso('forms', { id: 'x', payload: arrayPayload }, keys), /not a JSON object/);
  });

  it('refuses to run meta/global through the cipher', () => {
    assert.throws(() => decryptBso('meta', { id: 'global', payload: '{}' }, keys), /cleartext/);
    assert.throws(() => encryptRecord('meta', { id: 'global' }, keys), /cleartext/);
  });
});
