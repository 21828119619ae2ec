/**
 * Record crypto conformance: the daemon's encryptRecord / decryptBso / CollectionKeys against the
 * sandbox's own, independent record crypto (its control API seals and opens records the way
 * another Firefox client would), carried over real storage 1.5 and 1.1 (sync-protocols.md §7, §9).
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rootBundleFromKb } from '@syncvault/sync-crypto';
import {
  CollectionKeys,
  decryptBso,
  encryptRecord,
  fetchCollectionKeys,
  PreconditionFailedError,
  RecordHmacError,
  RecordIdMismatchError,
  WeaveError,
  type RecordCleartext,
  type SyncConnection,
} from '@syncvault/daemon/sync';
import { collectionKeys, ConformanceSandbox, connectFxa, connectLegacy, newGuid, readAll, sortedIds } from './support/storage.js';

/** A few records of different engines, with non-ASCII text and nesting, as Firefox writes them. */
function sampleCleartexts(): Array<{ collection: string; cleartext: RecordCleartext }> {
  return [
    {
      collection: 'history',
      cleartext: { id: newGuid(), histUri: 'https://example.org/ünïcödé?q=1&x=%20', title: 'Grüße — 東京 🚀', visits: [{ date: 1_700_000_000_123_456, type: 2 }] },
    },
    {
      collection: 'passwords',
      cleartext: {
        id: `{${randomUUID()}}`,
        hostname: 'https://accounts.example.com',
        formSubmitURL: 'https://accounts.example.com',
        httpRealm: null,
        username: 'zoë',
        password: 'p@ss "quoted" \\ back\nslash',
        usernameField: 'user',
        passwordField: 'pass',
        timeCreated: 1_700_000_000_000,
        timePasswordChanged: 1_700_000_000_000,
      },
    },
    {
      collection: 'bookmarks',
      cleartext: { id: newGuid(), type: 'folder', parentid: 'toolbar', parentName: 'Bookmarks Toolbar', title: 'Reading', children: [newGuid(), newGuid()], dateAdded: 1_700_000_000_000 },
    },
    { collection: 'forms', cleartext: { id: newGuid(), name: 'search', value: 'x'.repeat(3000) } },
  ];
}

async function uploadEncrypted(connection: SyncConnection, keys: CollectionKeys, samples: ReturnType<typeof sampleCleartexts>): Promise<void> {
  for (const { collection, cleartext } of samples) {
    const result = await connection.storage.uploadRecords(collection, [{ id: cleartext.id, payload: encryptRecord(collection, cleartext, keys) }]);
    assert.deepEqual(result.success, [cleartext.id]);
  }
}

describe('record crypto against the sandbox’s independent implementation', () => {
  let sandbox: ConformanceSandbox;
  before(async () => {
    sandbox = await ConformanceSandbox.start();
  });
  after(() => sandbox.close());
  afterEach(() => sandbox.reset());

  it('1.5: records the daemon encrypts with the account’s bulk keys decrypt on the sandbox to the same cleartext', async () => {
    const account = await sandbox.createAccount('fxa', { seed: { forms: 2 } });
    const { connection } = await connectFxa(sandbox, account);
    const keys = await collectionKeys(connection);
    const samples = sampleCleartexts();
    await uploadEncrypted(connection, keys, samples);
    for (const { collection, cleartext } of samples) {
      const readBack = (await sandbox.readBack(account.email, collection)).find((record) => record.id === cleartext.id);
      assert.deepEqual(readBack?.cleartext, cleartext, `${collection}/${cleartext.id}`);
    }
  });

  it('1.1: records the daemon encrypts with the Sync-Key-derived bulk keys decrypt on the sandbox to the same cleartext', async () => {
    const account = await sandbox.createAccount('legacy11', { seed: { forms: 2 } });
    const { connection } = connectLegacy(sandbox, account);
    const keys = await collectionKeys(connection);
    const samples = sampleCleartexts();
    await uploadEncrypted(connection, keys, samples);
    for (const { collection, cleartext } of samples) {
      const readBack = (await sandbox.readBack(account.email, collection)).find((record) => record.id === cleartext.id);
      assert.deepEqual(readBack?.cleartext, cleartext, `${collection}/${cleartext.id}`);
    }
  });

  for (const kind of ['fxa', 'legacy11'] as const) {
    it(`${kind}: records and tombstones another client writes decrypt with decryptBso to exactly what it wrote`, async () => {
      const account = await sandbox.createAccount(kind, { seed: { history: 3 } });
      const connection = kind === 'fxa' ? (await connectFxa(sandbox, account)).connection : connectLegacy(sandbox, account).connection;
      const samples = sampleCleartexts();
      for (const { collection, cleartext } of samples) await sandbox.writeRecords(account.email, { collection, upsert: [cleartext] });
      const gone = newGuid();
      await sandbox.writeRecords(account.email, { collection: 'passwords', tombstone: [gone] });

      const keys = await collectionKeys(connection);
      for (const { collection, cleartext } of samples) {
        const bso = await connection.storage.getRecord(collection, cleartext.id);
        assert.ok(bso, `${collection}/${cleartext.id} is stored`);
        assert.deepEqual(decryptBso(collection, bso, keys), cleartext);
      }
      const tombstone = await connection.storage.getRecord('passwords', gone);
      assert.ok(tombstone);
      assert.deepEqual(decryptBso('passwords', tombstone, keys), { id: gone, deleted: true });
    });
  }

  it('crypto/keys made by the daemon (with a passwords bundle) is what the sandbox then encrypts with: passwords under their own bundle, the rest under the default', async () => {
    const account = await sandbox.createAccount('fxa', { seed: { forms: 1 } });
    const { connection, storage } = await connectFxa(sandbox, account);
    const current = await storage.getRecord('crypto', 'keys');
    assert.ok(current);
    const ours = CollectionKeys.generate(['passwords']);
    await storage.putRecord('crypto', { id: 'keys', payload: ours.encrypt(connection.rootBundle) }, { ifUnmodifiedSince: current.modified });
    assert.equal((await collectionKeys(connection)).fingerprint(), ours.fingerprint());

    const login = { id: newGuid(), hostname: 'https://a.example', username: 'u', password: 'p' };
    const form = { id: newGuid(), name: 'n', value: 'v' };
    await sandbox.writeRecords(account.email, { collection: 'passwords', upsert: [login] });
    await sandbox.writeRecords(account.email, { collection: 'forms', upsert: [form] });
    const passwordBso = await storage.getRecord('passwords', login.id);
    const formBso = await storage.getRecord('forms', form.id);
    assert.ok(passwordBso && formBso);
    assert.deepEqual(decryptBso('passwords', passwordBso, ours), login);
    assert.throws(() => decryptBso('passwords', passwordBso, ours.defaultBundle), RecordHmacError);
    assert.deepEqual(decryptBso('forms', formBso, ours), form);

    // And the other way round: the sandbox opens what we seal with the per-collection bundle.
    const ourLogin = { id: newGuid(), hostname: 'https://b.example', username: 'w', password: 'q' };
    await storage.putRecord('passwords', { id: ourLogin.id, payload: encryptRecord('passwords', ourLogin, ours) });
    const readBack = (await sandbox.readBack(account.email, 'passwords')).find((record) => record.id === ourLogin.id);
    assert.deepEqual(readBack?.cleartext, ourLogin);
  });

  it('after another client rotates crypto/keys, the old records no longer open with the new keys (RecordHmacError) but still do with the old ones', async () => {
    const account = await sandbox.createAccount('fxa', { seed: { history: 4 } });
    const { connection, storage } = await connectFxa(sandbox, account);
    const oldKeys = await collectionKeys(connection);
    await sandbox.control('POST', `/accounts/${encodeURIComponent(account.email)}/rotate-keys`);
    const newKeys = await collectionKeys(connection);
    assert.notEqual(newKeys.fingerprint(), oldKeys.fingerprint());

    const records = await readAll(storage, 'history');
    assert.equal(records.length, 4);
    for (const bso of records) {
      assert.throws(() => decryptBso('history', bso, newKeys), RecordHmacError);
      assert.equal(decryptBso('history', bso, oldKeys).id, bso.id);
    }
    assert.ok((await sandbox.readBack(account.email, 'history')).every((record) => record.cleartext === null));
  });

  it('meta/global is cleartext JSON (the same object the sandbox reads) and the cipher refuses the meta collection', async () => {
    const account = await sandbox.createAccount('fxa', { seed: { forms: 1 } });
    const { storage } = await connectFxa(sandbox, account);
    const bso = await storage.getRecord('meta', 'global');
    assert.ok(bso);
    const [readBack] = await sandbox.readBack(account.email, 'meta');
    const global = JSON.parse(bso.payload) as Record<string, unknown>;
    assert.deepEqual(global, readBack?.cleartext);
    assert.equal(global['storageVersion'], 5);
    assert.throws(() => decryptBso('meta', bso, CollectionKeys.generate()), TypeError);
    assert.throws(() => encryptRecord('meta', { id: 'global' }, CollectionKeys.generate()), TypeError);
  });

  it('a payload altered after encryption fails its HMAC (RecordHmacError), and the sandbox cannot open it either', async () => {
    const account = await sandbox.createAccount('fxa', { seed: { forms: 1 } });
    const { connection, storage } = await connectFxa(sandbox, account);
    const keys = await collectionKeys(connection);
    const cleartext = { id: newGuid(), name: 'tampered', value: 'original' };
    const envelope = JSON.parse(encryptRecord('forms', cleartext, keys)) as { ciphertext: string; IV: string; hmac: string };
    const flipped = envelope.ciphertext.startsWith('A') ? `B${envelope.ciphertext.slice(1)}` : `A${envelope.ciphertext.slice(1)}`;
    await storage.putRecord('forms', { id: cleartext.id, payload: JSON.stringify({ ...envelope, ciphertext: flipped }) });

    const bso = await storage.getRecord('forms', cleartext.id);
    assert.ok(bso);
    assert.throws(() => decryptBso('forms', bso, keys), RecordHmacError);
    assert.equal((await sandbox.readBack(account.email, 'forms')).find((record) => record.id === cleartext.id)?.cleartext, null);
  });

  it('a record whose cleartext id differs from its BSO id decrypts on the sandbox but decryptBso rejects it (RecordIdMismatchError)', async () => {
    const account = await sandbox.createAccount('fxa', { seed: { forms: 1 } });
    const { connection, storage } = await connectFxa(sandbox, account);
    const keys = await collectionKeys(connection);
    const cleartext = { id: newGuid(), name: 'n', value: 'v' };
    const bsoId = newGuid();
    await storage.putRecord('forms', { id: bsoId, payload: encryptRecord('forms', cleartext, keys) });
    assert.deepEqual((await sandbox.readBack(account.email, 'forms')).find((record) => record.id === bsoId)?.cleartext, cleartext);
    const bso = await storage.getRecord('forms', bsoId);
    assert.ok(bso);
    assert.throws(() => decryptBso('forms', bso, keys), RecordIdMismatchError);
  });

  it('a never-synced account has no crypto/keys; keys uploaded create-only (ifUnmodifiedSince 0) are then used by other clients; a second create-only upload is refused', async () => {
    const account = await sandbox.createAccount('fxa');
    const { connection, storage } = await connectFxa(sandbox, account);
    assert.equal(await fetchCollectionKeys(connection), undefined);

    const keys = CollectionKeys.generate();
    await storage.putRecord('crypto', { id: 'keys', payload: keys.encrypt(connection.rootBundle) }, { ifUnmodifiedSince: 0 });
    assert.equal((await collectionKeys(connection)).fingerprint(), keys.fingerprint());
    await assert.rejects(
      storage.putRecord('crypto', { id: 'keys', payload: CollectionKeys.generate().encrypt(connection.rootBundle) }, { ifUnmodifiedSince: 0 }),
      PreconditionFailedError,
    );
    const form = { id: newGuid(), name: 'first', value: 'sync' };
    await sandbox.writeRecords(account.email, { collection: 'forms', upsert: [form] });
    const [bso] = await readAll(storage, 'forms');
    assert.ok(bso);
    assert.deepEqual(decryptBso('forms', bso, keys), form);
  });

  it('1.1 -> 1.5 migration (§9): bulk keys rewrapped under the FxA root bundle, payloads copied byte for byte, decrypt on the 1.5 side', async () => {
    const legacyAccount = await sandbox.createAccount('legacy11', { seed: { history: 120, passwords: 5 } });
    const fxaAccount = await sandbox.createAccount('fxa', { seed: { forms: 1 } });
    const legacy = connectLegacy(sandbox, legacyAccount).connection;
    const fxa = (await connectFxa(sandbox, fxaAccount)).connection;

    const bulkKeys = await collectionKeys(legacy);
    const currentKeys = await fxa.storage.getRecord('crypto', 'keys');
    assert.ok(currentKeys);
    assert.ok(fxaAccount.kB);
    await fxa.storage.putRecord('crypto', { id: 'keys', payload: bulkKeys.encrypt(rootBundleFromKb(Buffer.from(fxaAccount.kB, 'hex'))) }, { ifUnmodifiedSince: currentKeys.modified });
    assert.equal((await collectionKeys(fxa)).fingerprint(), bulkKeys.fingerprint());

    for (const collection of ['history', 'passwords']) {
      const records = await readAll(legacy.storage, collection, { limit: 50 });
      const result = await fxa.storage.uploadRecords(
        collection,
        records.map(({ id, payload, sortindex }) => ({ id, payload, ...(sortindex !== undefined && { sortindex }) })),
      );
      assert.equal(result.success.length, records.length);
      const legacyCleartexts = await sandbox.readBack(legacyAccount.email, collection);
      const migrated = await sandbox.readBack(fxaAccount.email, collection);
      assert.deepEqual(sortedIds(migrated), sortedIds(legacyCleartexts));
      const expected = new Map(legacyCleartexts.map((record) => [record.id, record.cleartext]));
      for (const record of migrated) {
        assert.ok(record.cleartext !== null, `${collection}/${record.id} opens on the 1.5 side`);
        assert.deepEqual(record.cleartext, expected.get(record.id));
      }
    }
  });

  describe('the all-zero IV in crypto (a known client bug syncstorage-rs refuses, §7.4)', () => {
    const ZERO_IV = new Uint8Array(16);

    it('a POST of crypto/keys encrypted with an all-zero IV is refused with WeaveError 400 / errno 8 and keys stay as they were', async () => {
      const account = await sandbox.createAccount('fxa', { seed: { forms: 1 } });
      const { connection, storage } = await connectFxa(sandbox, account);
      const before = await storage.getRecord('crypto', 'keys');
      await assert.rejects(
        storage.uploadRecords('crypto', [{ id: 'keys', payload: CollectionKeys.generate().encrypt(connection.rootBundle, ZERO_IV) }]),
        (error: unknown) => {
          assert.ok(error instanceof WeaveError, `got ${String(error)}`);
          assert.equal(error.status, 400);
          assert.equal(error.errno, 8);
          return true;
        },
      );
      assert.deepEqual(await storage.getRecord('crypto', 'keys'), before);
    });

    it('a PUT of crypto/keys encrypted with an all-zero IV is refused with WeaveError 400 / errno 8 (syncstorage-rs checks PUT too) and keys stay as they were', async () => {
      const account = await sandbox.createAccount('fxa', { seed: { forms: 1 } });
      const { connection, storage } = await connectFxa(sandbox, account);
      const before = await storage.getRecord('crypto', 'keys');
      await assert.rejects(
        storage.putRecord('crypto', { id: 'keys', payload: CollectionKeys.generate().encrypt(connection.rootBundle, ZERO_IV) }),
        (error: unknown) => {
          assert.ok(error instanceof WeaveError, `got ${String(error)}`);
          assert.equal(error.status, 400);
          assert.equal(error.errno, 8);
          return true;
        },
      );
      assert.deepEqual(await storage.getRecord('crypto', 'keys'), before);
    });
  });
});
