import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AccountKeysMacError,
  HmacMismatchError,
  bundleFromBase64Pair,
  clientStateFromKb,
  decryptPayload,
  deriveTokenCredentials,
  encryptCleartext,
  formatSyncKey,
  fromHex,
  keyIdFromKb,
  legacyUsername,
  parseEncryptedPayload,
  parseSyncKey,
  rootBundleFromKb,
  rootBundleFromSyncKey,
  stretchPassword,
  toBase64Url,
  toHex,
  unwrapAccountKeys,
  wrapAccountKeys,
  xorBytes,
} from '../src/index.js';

const range = (from: number, to: number) => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));
const kB = range(0x01, 0x20);

describe('onepw (vector a, a2)', () => {
  it('stretches a non-ASCII email and password', () => {
    const { authPW, unwrapBKey } = stretchPassword('andré@example.org', 'pässwörd');
    assert.equal(toHex(authPW), '247b675ffb4c46310bc87e26d712153abe5e1c90ef00a4784594f97ef54f2375');
    assert.equal(toHex(unwrapBKey), 'de6a2648b78284fcb9ffa81ba95803309cfba7af583c01a8a1a63e567234dd28');
  });

  it('derives keyFetchToken and sessionToken credentials', () => {
    const keyFetch = deriveTokenCredentials(range(0x40, 0x5f), 'keyFetchToken');
    assert.equal(toHex(keyFetch.tokenId), '7b9e2fe87facde0192caa793e1039a882ce93b339e19fe0b2c45cab9180addb4');
    assert.equal(toHex(keyFetch.reqHmacKey), 'dcf194ff6dc2853e8fb74970cddf09f3ffab5096c51c7f8f1a201fb602143618');
    assert.equal(toHex(keyFetch.extra), '5dd4a8db3404d3513ab5654733482e1912d34f5039d044876ffc8aa7f6da1bf5');
    const session = deriveTokenCredentials(range(0x60, 0x7f), 'sessionToken');
    assert.equal(toHex(session.tokenId), 'e268b26dacb6d057a5ac2dd1ee1ba21d3ab565a14627ae5ebdc56a946ed121ff');
    assert.equal(toHex(session.reqHmacKey), '470d6fcfc9a497695db8478b22fd3d0686bdec3c5cb884fbffd8daa2bbfd1a62');
  });

  const bundleHex =
    '6a3fd742b499bf913d8f96f13e011e025230245e2da7a0046979f9e1ae7b8e46' +
    '2a76754c8e5c9d25d6c4e33dcec43b0e06ea89267fec04501f6abaaa73566b6e' +
    '4223b1f5ad4a3019593683672aed6613db4eb7f77cf68d449cdbbd3b88313b29';
  const kA = range(0xc0, 0xdf);
  const wrapKB = fromHex('df68254cb28483f4b0f5a317a4560c208de9b4bb4d2a16b0b8bc254a6f2ac208');
  const keyRequestKey = deriveTokenCredentials(range(0x40, 0x5f), 'keyFetchToken').extra;

  it('wraps and unwraps the /account/keys bundle', () => {
    assert.equal(toHex(wrapAccountKeys(keyRequestKey, kA, wrapKB)), bundleHex);
    const unwrapped = unwrapAccountKeys(keyRequestKey, fromHex(bundleHex));
    assert.deepEqual(unwrapped.kA, kA);
    const { unwrapBKey } = stretchPassword('andré@example.org', 'pässwörd');
    assert.deepEqual(xorBytes(unwrapped.wrapKB, unwrapBKey), kB);
  });

  it('rejects a bundle whose MAC does not match', () => {
    const tampered = fromHex(bundleHex);
    tampered.writeUInt8(tampered.readUInt8(3) ^ 1, 3);
    assert.throws(() => unwrapAccountKeys(keyRequestKey, tampered), AccountKeysMacError);
  });
});

describe('Sync 1.5 root bundle and key id (vectors b, c)', () => {
  it('derives the oldsync bundle from kB', () => {
    const root = rootBundleFromKb(kB);
    assert.equal(toHex(root.encKey), '3bade9df9f25e3968efbe02edf19504aa629e1ed25dc96877bc6b46ab40fdfc0');
    assert.equal(toHex(root.hmacKey), 'dc2c1373a42c67e366f4e933bd2692359f792172310c7fd32b97aca255ed32aa');
    assert.equal(
      toBase64Url(Buffer.concat([root.encKey, root.hmacKey])),
      'O63p358l45aO--Au3xlQSqYp4e0l3JaHe8a0arQP38DcLBNzpCxn42b06TO9JpI1n3khcjEMf9Mrl6yiVe0yqg',
    );
  });

  it('computes client state and X-KeyID', () => {
    assert.equal(toHex(clientStateFromKb(kB)), 'ae216c2ef5247a3782c135efa279a3e4');
    assert.equal(keyIdFromKb(kB, 1700000000000), '1700000000000-riFsLvUkejeCwTXvonmj5A');
  });
});

describe('Sync 1.1 (vector d)', () => {
  const syncKey = range(0x10, 0x1f);

  it('formats and parses the friendly Sync Key in every spelling users type', () => {
    assert.equal(formatSyncKey(syncKey, false), 'caireeyucu8b9gazdinryhi6d4');
    assert.equal(formatSyncKey(syncKey), 'c-airee-yucu8-b9gaz-dinry-hi6d4');
    for (const spelling of ['caireeyucu8b9gazdinryhi6d4', 'c-airee-yucu8-b9gaz-dinry-hi6d4', 'C-AIREE-YUCU8-B9GAZ-DINRY-HI6D4', 'caireeyuculbogazdinryhi6d4']) {
      assert.deepEqual(parseSyncKey(spelling), syncKey, spelling);
    }
    assert.throws(() => parseSyncKey('not-a-key'));
    assert.throws(() => parseSyncKey('caireeyucu8b9gazdinryhi6d1'));
  });

  it('hashes the account into the username and derives the root bundle', () => {
    const username = legacyUsername('John.Doe@Example.com');
    assert.equal(username, 'opwfhrf2c5d5jbnofigxx6x2ntnibjnj');
    assert.equal(legacyUsername('Plain_User.1'), 'plain_user.1');
    const root = rootBundleFromSyncKey(syncKey, username);
    assert.equal(toHex(root.encKey), '144a90fb87a3984cc8b7306fba0ec3ad367900b1d010ab8b241702dc74bea8ac');
    assert.equal(toHex(root.hmacKey), '6803e1dee215fb5f99c2be68c5509e5532bc6a28f19d4058a568327a3872783f');
  });
});

describe('record envelopes (vector e)', () => {
  const root = rootBundleFromKb(kB);
  const keysCleartext =
    '{"id":"keys","collection":"crypto","default":["QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2A=","YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4A="],"collections":{}}';
  const keysPayload =
    '{"ciphertext":"tRtthtrqa58xfuM3VT3nj475r2wwtJLeR0Ung5tCb6P39xIXJkjDG8i5zfGUtVdD/9KXZpat2uEMJzwwlB/u7qMKCw8y/ZAhZNBDTyAWlLaQwUTTbF9CjC2qopKfN79hPGSyOASnkT5mY/aSjJZ+LlM/2CdtwE20ksffhxNk2l5sFe5OQdmhhv5Pp+zueqaNiDUnZF8crelGCgBRuKxoOg==","IV":"oKGio6SlpqeoqaqrrK2urw==","hmac":"ebbef2a9a44d855587b997edebf776e8e70d25ef8198af73288b75ca0b34c760"}';
  const bookmarkCleartext =
    '{"id":"dGVzdGJtazAx","type":"bookmark","title":"Example","bmkUri":"https://example.org/","parentid":"toolbar","parentName":"Bookmarks Toolbar","dateAdded":1700000000000,"tags":[]}';
  const bookmarkPayload =
    '{"ciphertext":"bmAkKNC2AQMrj4WtsKnkSd5tr+INtcs8D2jbUvhdRImbyFDeBCrmJk1YYdPyQm9oJ4DKGiKKl1TTrTE5wnJEL0nOBIsgC8OWRiCznJcL4MQM8u6RLPS8SYPJJA7148Fk7wHvnptZXx/n8Z34hM50R1ARqtHiYoj+21ztjwEnZ+uF45WTtZJu4k6tRP1+bXZhmMvnMPR7+co6cW7yHpHxEVgHl6A8KuiCGSmkQNGqmA1x/GWAO1OsJYKDCvJCGQNt","IV":"sLGys7S1tre4ubq7vL2+vw==","hmac":"602081b5f95ca53df1013922efed6379784797949f19946703717c671f3ea92b"}';

  it('encrypts crypto/keys and a bookmark to the exact published payloads', () => {
    assert.equal(JSON.stringify(encryptCleartext(root, keysCleartext, range(0xa0, 0xaf))), keysPayload);
    const bulk = bundleFromBase64Pair(JSON.parse(keysCleartext).default);
    assert.deepEqual(bulk.encKey, range(0x41, 0x60));
    assert.equal(JSON.stringify(encryptCleartext(bulk, bookmarkCleartext, range(0xb0, 0xbf))), bookmarkPayload);
  });

  it('decrypts both after checking the HMAC', () => {
    assert.equal(decryptPayload(root, parseEncryptedPayload(keysPayload)), keysCleartext);
    const bulk = bundleFromBase64Pair(JSON.parse(keysCleartext).default);
    assert.equal(decryptPayload(bulk, parseEncryptedPayload(bookmarkPayload)), bookmarkCleartext);
    const upper = parseEncryptedPayload(bookmarkPayload);
    upper.hmac = upper.hmac.toUpperCase();
    assert.equal(decryptPayload(bulk, upper), bookmarkCleartext);
  });

  it('rejects a flipped hmac digit and a wrong key before decrypting', () => {
    const flipped = parseEncryptedPayload(bookmarkPayload);
    flipped.hmac = (flipped.hmac[0] === '6' ? '7' : '6') + flipped.hmac.slice(1);
    const bulk = bundleFromBase64Pair(JSON.parse(keysCleartext).default);
    assert.throws(() => decryptPayload(bulk, flipped), HmacMismatchError);
    assert.throws(() => decryptPayload(root, parseEncryptedPayload(bookmarkPayload)), HmacMismatchError);
  });
});
