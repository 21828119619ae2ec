/**
 * The backup engine and the account's keys (a wrong Sync Key, a kB gone stale after a password
 * reset, rotated crypto/keys) and the health alerts it raises at the end of a backup, stored
 * with the snapshot and optionally posted to a webhook.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatSyncKey, rootBundleFromKb } from '@syncvault/sync-crypto';
import { SyncTraffic, type HealthAlertSummary } from '@syncvault/daemon/backup';
import { connectFxaAccount, fetchCollectionKeys, InvalidClientStateError, WrongAccountKeyError } from '@syncvault/daemon/sync';
import { connectLegacy, fxaLogin } from '../conformance/support/storage.js';
import { BackupWorld, newGuid, type BackedUpAccount } from './support/backup-world.js';

function kinds(alerts: readonly HealthAlertSummary[]): string[] {
  return alerts.map((alert) => `${alert.kind}${alert.collection === undefined ? '' : `:${alert.collection}`}`).sort();
}

/** A local webhook receiver that remembers every JSON body posted to it. */
async function webhookReceiver(): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      bodies.push(JSON.parse(text));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, server };
}

describe('backup engine: account keys and health alerts', () => {
  let world: BackupWorld;
  before(async () => {
    world = await BackupWorld.start();
  });
  after(() => world.close());

  describe('keys', () => {
    it('a wrong Sync Key (1.1) fails the snapshot with WrongAccountKeyError, which never shows the key', async () => {
      const account = await world.sandbox.createAccount('legacy11', { seed: 'demo' });
      const accountId = await world.accountRow(account);
      const wrongKey = formatSyncKey(randomBytes(16));
      const traffic = new SyncTraffic();
      const { connection } = connectLegacy(world.sandbox, account, { syncKey: wrongKey, ...traffic.connectionOptions() });

      await assert.rejects(world.engine().run({ accountId, trigger: 'manual', connection, traffic }), (error: unknown) => {
        assert.ok(error instanceof WrongAccountKeyError, `got ${String(error)}`);
        assert.match(error.message, /Sync Key/);
        return true;
      });
      const snapshot = await world.repository.get(accountId, 1);
      assert.equal(snapshot?.status, 'failed');
      assert.match(snapshot?.error ?? '', /^WrongAccountKeyError: crypto\/keys does not decrypt with this Sync Key/);
      for (const secret of [wrongKey, wrongKey.replace(/-/g, ''), account.password]) assert.ok(!(snapshot?.error ?? '').includes(secret));
      assert.equal(await world.versionCount(accountId), 0);
      assert.equal((await world.keyCustody.rootBundles(accountId)).length, 0, 'a key that opens nothing is not kept');
    });

    it('after a password reset a stale kB fails the snapshot with a clear error: the tokenserver’s, or WrongAccountKeyError past it', async () => {
      const subject = await world.seededAccount('fxa');
      const first = await world.backup(subject);
      const credentials = await fxaLogin(world.sandbox, subject.account);
      const password = `reset-${randomBytes(4).toString('hex')}`;
      await world.sandbox.control('POST', `/accounts/${encodeURIComponent(subject.account.email)}/reset-password`, { password });
      // The user's Firefox signs in with the new password and re-uploads its data under the new kB.
      await world.sandbox.control('POST', `/accounts/${encodeURIComponent(subject.account.email)}/reseed`, { seed: 'demo' });

      // What the daemon still holds: the old kB (and a still-valid access token for it).
      const stale = connectFxaAccount({ authServerUrl: world.sandbox.urls.fxa, tokenServerUrl: world.sandbox.urls.tokenServer, credentials });
      await assert.rejects(world.engine().run({ accountId: subject.accountId, trigger: 'manual', connection: stale }), (error: unknown) => {
        assert.ok(error instanceof InvalidClientStateError, `got ${String(error)}`);
        assert.match(error.message, /keys are stale; sign in/);
        return true;
      });
      assert.equal((await world.repository.get(subject.accountId, 2))?.status, 'failed');
      assert.match((await world.repository.get(subject.accountId, 2))?.error ?? '', /^InvalidClientStateError: /);

      // A tokenserver that does not check the client state lets the stale kB through to crypto/keys.
      const fresh = await fxaLogin(world.sandbox, { ...subject.account, password });
      const connected = connectFxaAccount({ authServerUrl: world.sandbox.urls.fxa, tokenServerUrl: world.sandbox.urls.tokenServer, credentials: fresh });
      const staleKb = { ...connected, rootBundle: rootBundleFromKb(credentials.kB) };
      await assert.rejects(world.engine().run({ accountId: subject.accountId, trigger: 'manual', connection: staleKb }), (error: unknown) => {
        assert.ok(error instanceof WrongAccountKeyError, `got ${String(error)}`);
        assert.match(error.message, /password was probably reset; sign in again/);
        return true;
      });
      const failed = await world.repository.get(subject.accountId, 3);
      assert.equal(failed?.status, 'failed');
      assert.ok(!(failed?.error ?? '').includes(credentials.kB.toString('hex')));
      assert.equal((await world.repository.latestComplete(subject.accountId))?.seq, first.seq, 'the last good snapshot is still the latest');

      const recovered = await world.engine().run({ accountId: subject.accountId, trigger: 'manual', connection: connected });
      assert.equal(recovered.status, 'complete');
      assert.notEqual(recovered.keyFingerprint, first.keyFingerprint);
      assert.equal((await world.keyCustody.rootBundles(subject.accountId)).length, 2, 'both root bundles are in custody');
      await world.assertSnapshotEqualsServer(subject.accountId, recovered.seq, connected);
    });
  });

  describe('health alerts', () => {
    it('a collection that shrank by more than the threshold raises collection-shrank; one under it does not', async () => {
      const subject = await world.seededAccount('fxa', 'demo', { shrinkThreshold: 0.25 });
      const first = await world.backup(subject);
      const email = subject.account.email;
      const history = (await world.sandbox.readBack(email, 'history')).map((record) => record.id);
      const bookmarks = (await world.sandbox.readBack(email, 'bookmarks')).filter((record) => !['menu', 'toolbar', 'unfiled', 'mobile'].includes(record.id));
      await world.sandbox.writeRecords(email, { collection: 'history', delete: history.slice(0, Math.ceil(history.length * 0.3)) });
      await world.sandbox.writeRecords(email, { collection: 'bookmarks', delete: bookmarks.slice(0, Math.floor(bookmarks.length * 0.2)).map((record) => record.id) });

      const second = await world.backup(subject);
      assert.deepEqual(kinds(second.alerts), ['collection-shrank:history']);
      const [alert] = second.alerts;
      assert.equal(alert?.details['previousCount'], first.collections['history']?.count);
      assert.equal(alert?.details['count'], second.collections['history']?.count);
      const stored = await world.repository.alerts(subject.accountId, second.seq);
      assert.deepEqual(stored.map((row) => [row.kind, row.collection, row.message]), second.alerts.map((row) => [row.kind, row.collection, row.message]));
    });

    it('rotated crypto/keys raise keys-rotated; the new keys go to custody and new records verify with them', async () => {
      const subject = await world.seededAccount('fxa');
      const first = await world.backup(subject);
      await world.sandbox.control('POST', `/accounts/${encodeURIComponent(subject.account.email)}/rotate-keys`, {});
      const written = newGuid();
      await world.sandbox.writeRecords(subject.account.email, { collection: 'forms', upsert: [{ id: written, name: 'q', value: 'after rotation' }] });

      const second = await world.backup(subject);
      assert.deepEqual(kinds(second.alerts), ['keys-rotated:crypto']);
      const keys = await fetchCollectionKeys(subject.connection);
      assert.equal(second.keyFingerprint, keys?.fingerprint());
      assert.notEqual(second.keyFingerprint, first.keyFingerprint);
      assert.ok(await world.keyCustody.collectionKeys(subject.accountId, first.keyFingerprint ?? ''), 'the old keys stay in custody');
      assert.ok(await world.keyCustody.collectionKeys(subject.accountId, second.keyFingerprint ?? ''));
      assert.equal((await world.snapshotRecords(subject.accountId, second.seq, 'forms')).get(written)?.hmacValid, true);

      const third = await world.backup(subject);
      assert.equal(third.keyFingerprint, second.keyFingerprint, 'unchanged keys come from custody');
      assert.deepEqual(third.alerts, []);
    });

    it('a new device in clients raises client-added naming it; meta/global changes raise sync-id-changed and engine-declined', async () => {
      const subject = await world.seededAccount('fxa');
      await world.backup(subject);
      const email = subject.account.email;
      const deviceId = newGuid();
      await world.sandbox.writeRecords(email, { collection: 'clients', upsert: [{ id: deviceId, name: 'Work laptop', type: 'desktop', commands: [], version: '140.0', protocols: ['1.5'] }] });
      const [meta] = await world.sandbox.readBack(email, 'meta');
      assert.ok(meta?.cleartext);
      const global = meta.cleartext as { syncID: string; engines: Record<string, { version: number; syncID: string }>; declined?: string[] };
      const bookmarksEngine = global.engines['bookmarks'];
      assert.ok(bookmarksEngine);
      await world.sandbox.writeRecords(email, {
        collection: 'meta',
        upsert: [
          {
            ...global,
            id: 'global',
            syncID: newGuid(),
            engines: { ...global.engines, bookmarks: { ...bookmarksEngine, syncID: newGuid() } },
            declined: [...(global.declined ?? []).filter((engine) => engine !== 'passwords'), 'passwords'],
          },
        ],
      });

      const second = await world.backup(subject);
      assert.deepEqual(kinds(second.alerts), ['client-added:clients', 'engine-declined:passwords', 'sync-id-changed:bookmarks', 'sync-id-changed:meta']);
      const added = second.alerts.find((alert) => alert.kind === 'client-added');
      assert.match(added?.message ?? '', /"Work laptop" \(desktop\)/);
      assert.equal(added?.details['id'], deviceId);
    });

    it('alerts are posted to the webhook (and marked delivered); a webhook that fails does not fail the backup', async () => {
      const receiver = await webhookReceiver();
      try {
        const subject = await world.seededAccount('fxa', 'demo', { webhookUrl: receiver.url });
        await world.backup(subject);
        assert.equal(receiver.bodies.length, 0, 'no alerts, no post');
        await world.sandbox.control('POST', `/accounts/${encodeURIComponent(subject.account.email)}/rotate-keys`, {});
        const second = await world.backup(subject);
        assert.equal(receiver.bodies.length, 1);
        assert.deepEqual(receiver.bodies[0], { source: 'syncvault', accountId: subject.accountId, snapshotSeq: second.seq, alerts: second.alerts });
        const [stored] = await world.repository.alerts(subject.accountId, second.seq);
        assert.ok(stored?.deliveredAt instanceof Date);
      } finally {
        receiver.server.close();
      }

      const closed = await webhookReceiver();
      closed.server.close();
      const unreachable: BackedUpAccount = await world.seededAccount('fxa', 'demo', { webhookUrl: closed.url });
      await world.backup(unreachable);
      await world.sandbox.control('POST', `/accounts/${encodeURIComponent(unreachable.account.email)}/rotate-keys`, {});
      const summary = await world.backup(unreachable, { webhookTimeoutMs: 2000 });
      assert.equal(summary.status, 'complete');
      const [undelivered] = await world.repository.alerts(unreachable.accountId, summary.seq);
      assert.equal(undelivered?.kind, 'keys-rotated');
      assert.equal(undelivered?.deliveredAt, null);
    });
  });
});
