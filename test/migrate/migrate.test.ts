/**
 * Migrations between two sandboxes over HTTP, as self-hosters run them: "mozilla" holds the
 * source (FxA accounts, tokenserver, storage, and a Sync 1.1 server), "selfhosted" is a
 * tokenserver trusting mozilla's accounts plus its own storage node. What arrives is read raw
 * from the self-hosted node and opened with the target's kB alone (test/migrate/support).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MigrationRefusedError, MigrationVerificationError, type MigrationProgress, type MigrationRequest } from '@syncvault/daemon/migrate';
import { ForgetService } from '@syncvault/daemon/retention';
import { startSandbox, type RunningSandbox } from '@syncvault/sandbox';
import { KeyOnlyReader, MigrateWorld, type RawRecord, type SandboxAccountSummary } from './support/migrate-world.js';
import type { MigrateWorkerInput, MigrateWorkerLine } from './support/migrate-worker.js';

const DAY_MS = 86_400_000;
const WORKER_SCRIPT = fileURLToPath(new URL('./support/migrate-worker.js', import.meta.url));
const DATA_COLLECTIONS = ['addons', 'addresses', 'bookmarks', 'clients', 'creditcards', 'forms', 'history', 'passwords', 'prefs', 'tabs'];

describe('migration between two sandboxes', () => {
  let world: MigrateWorld;

  before(async () => {
    world = await MigrateWorld.start();
  });
  after(async () => {
    await world?.close();
  });

  /** A source at mozilla and the same FxA account's (empty) storage on the self-hosted node. */
  async function sameAccountPair(seed: Parameters<MigrateWorld['createAccount']>[2], label: string) {
    const account = await world.createAccount('fxa', label, seed);
    const source = await world.addFxa(account);
    const target = await world.addFxa(account, world.selfhosted.urls.tokenServer);
    return { account, source, target };
  }

  async function rawCollections(sandbox: RunningSandbox, uid: string): Promise<Map<string, RawRecord[]>> {
    const counts = await world.control<Record<string, number>>(sandbox, 'GET', `/storage-users/${uid}/collections`);
    const collections = new Map<string, RawRecord[]>();
    for (const name of Object.keys(counts)) {
      collections.set(name, (await world.control<RawRecord[]>(sandbox, 'GET', `/storage-users/${uid}/records/${name}`)).sort((a, b) => (a.id < b.id ? -1 : 1)));
    }
    return collections;
  }

  function openAll(reader: KeyOnlyReader, collections: Map<string, RawRecord[]>): number {
    let opened = 0;
    for (const [name, records] of collections) {
      if (name === 'meta' || name === 'crypto') continue;
      for (const record of records) {
        const cleartext = reader.decrypt(name, record.payload);
        assert.equal(cleartext['id'], record.id, `${name}/${record.id} decrypts to its own id`);
        opened += 1;
      }
    }
    return opened;
  }

  it('1.5 → 1.5 with the same kB: 20k records, crypto/keys and meta/global copied byte for byte, ttl re-applied, verified', async () => {
    const { account, source, target } = await sameAccountPair({ history: 15_050, bookmarks: 3_000, passwords: 1_000, forms: 900, addons: 40, addresses: 10, creditcards: 5, clients: 3, tabs: 2, prefs: true }, 'big');
    await assert.rejects(world.service.plan({ source: source.id, target: target.id }), /no complete snapshot yet/);

    const progress: MigrationProgress[] = [];
    const result = await world.service.run({ source: source.id, target: target.id }, { onProgress: (report) => progress.push(report) });

    assert.equal(result.verification.ok, true, JSON.stringify(result.verification.mismatches.slice(0, 5)));
    assert.equal(result.plan.keys, 'copy');
    assert.equal(result.plan.metaGlobal, 'copy');
    assert.equal(result.resumed, false);
    const phases = [...new Set(progress.map((report) => report.phase))];
    assert.deepEqual(phases, ['source-snapshot', 'planning', 'uploading', 'verifying', 'done']);
    const last = progress.at(-1)!;
    assert.equal(last.done, last.total);
    assert.ok(last.total >= 20_000, `${last.total} records`);

    const uploadOrder = [...new Set(progress.filter((report) => report.phase === 'uploading' && report.collection !== undefined).map((report) => report.collection))];
    const plannedOrder = result.plan.collections.filter((collection) => collection.action !== 'skip').map((collection) => collection.collection);
    assert.deepEqual(['crypto', 'meta', ...uploadOrder], plannedOrder);
    assert.deepEqual(plannedOrder.slice(0, 3), ['crypto', 'meta', 'bookmarks']);

    const atMozilla = await rawCollections(world.mozilla, account.uid);
    const atSelfhosted = await rawCollections(world.selfhosted, account.uid);
    assert.deepEqual([...atSelfhosted.keys()].sort(), [...atMozilla.keys()].sort());
    // crypto/keys went up before meta/global, and both before any other record.
    const writtenAt = (name: string) => Math.min(...atSelfhosted.get(name)!.map((record) => record.modified));
    assert.ok(writtenAt('crypto') < writtenAt('meta'));
    for (const name of plannedOrder.slice(2)) assert.ok(writtenAt('meta') < writtenAt(name), `meta/global before ${name}`);
    let copied = 0;
    for (const [name, records] of atMozilla) {
      const arrived = atSelfhosted.get(name)!;
      assert.deepEqual(arrived.map((record) => [record.id, record.payload, record.sortindex]), records.map((record) => [record.id, record.payload, record.sortindex]), `${name} byte for byte`);
      copied += records.length;
    }
    assert.ok(copied >= 20_000, `${copied} records on both sides`);
    assert.equal(result.uploaded['history'], 15_050);

    // ttl: each history record expires when its original would have (60 days after it was written).
    const sourceHistory = new Map(atMozilla.get('history')!.map((record) => [record.id, record]));
    for (const record of atSelfhosted.get('history')!.slice(0, 200)) {
      const original = sourceHistory.get(record.id)!;
      assert.ok(record.expiresAt !== undefined, 'history gets a ttl');
      assert.ok(Math.abs(record.expiresAt - (original.modified + 60 * DAY_MS)) < 5_000, `${record.id} expires 60 days after its source write`);
    }
    assert.ok(atSelfhosted.get('clients')!.every((record) => record.expiresAt !== undefined), 'clients get a ttl');
    assert.ok(atSelfhosted.get('bookmarks')!.every((record) => record.expiresAt === undefined), 'bookmarks never expire');

    // A client that knows only kB opens everything on the target.
    const reader = KeyOnlyReader.fromCryptoKeys(atSelfhosted.get('crypto')![0]!.payload, KeyOnlyReader.rootFromKb(account.kB!));
    assert.equal(openAll(reader, atSelfhosted), copied - 2);

    const view = await world.service.get(result.migrationId);
    assert.equal(view.status, 'completed');
    assert.equal(view.done, view.total);
    assert.equal(view.result?.verification.ok, true);
    assert.ok(result.clients.tokenServerUri === world.selfhosted.urls.tokenServer);
    assert.ok(result.clients.desktop.some((step) => step.includes(`identity.sync.tokenserver.uri to ${world.selfhosted.urls.tokenServer}`)));

    // The target now holds data: running again is refused unless --replace or --merge.
    const again = await world.service.plan({ source: source.id, target: target.id });
    assert.match(again.refusal ?? '', /is not empty .*--replace.*--merge/);
    await assert.rejects(world.service.run({ source: source.id, target: target.id, fromSnapshot: result.plan.source.snapshot!.seq }), MigrationRefusedError);
  });

  it('1.1 → 1.5: crypto/keys re-wrapped with the target kB, records unchanged, a kB-only client reads every one', async () => {
    const legacy = await world.createAccount('legacy11', 'legacy', 'demo');
    const fresh = await world.createAccount('fxa', 'fresh', 'none');
    const source = await world.addLegacy(legacy);
    const target = await world.addFxa(fresh, world.selfhosted.urls.tokenServer);

    const result = await world.service.run({ source: source.id, target: target.id });
    assert.equal(result.verification.ok, true, JSON.stringify(result.verification.mismatches.slice(0, 5)));
    assert.equal(result.plan.keys, 'rewrap');
    assert.equal(result.plan.metaGlobal, 'convert');
    const skippedDevices = result.plan.collections.filter((collection) => collection.action === 'skip').map((collection) => collection.collection).sort();
    assert.deepEqual(skippedDevices, ['clients', 'tabs']);

    const arrived = await rawCollections(world.selfhosted, fresh.uid);
    assert.equal(arrived.has('clients'), false);
    assert.equal(arrived.has('tabs'), false);
    const reader = KeyOnlyReader.fromCryptoKeys(arrived.get('crypto')![0]!.payload, KeyOnlyReader.rootFromKb(fresh.kB!));
    // The bulk keys are the source's own: the 1.1 Sync Key opens the source's crypto/keys to the same pairs.
    const sourceKeys = (await world.sourceRecords(legacy.email, 'crypto'))[0]!.cleartext!;
    assert.deepEqual(reader.defaultPair(), sourceKeys['default']);
    for (const name of ['bookmarks', 'passwords', 'history', 'forms']) {
      const expected = new Map((await world.sourceRecords(legacy.email, name)).map((record) => [record.id, record.cleartext]));
      const records = arrived.get(name) ?? [];
      assert.equal(records.length, expected.size, `${name}: every record arrived`);
      for (const record of records) assert.deepEqual(reader.decrypt(name, record.payload), expected.get(record.id), `${name}/${record.id} reads the same with the target kB`);
    }

    const meta = JSON.parse(arrived.get('meta')![0]!.payload) as { syncID: string; declined: unknown; engines: Record<string, { version: number }> };
    const sourceMeta = (await world.sourceRecords(legacy.email, 'meta'))[0]!.cleartext as { syncID: string };
    assert.equal(meta.syncID, sourceMeta.syncID, 'syncIDs kept');
    assert.ok(Array.isArray(meta.declined));
    assert.equal(meta.engines['bookmarks']?.version, 2);
  });

  it('--rekey: new bulk keys and new syncIDs; every record re-encrypted and readable with the target kB', async () => {
    const { account, source, target } = await sameAccountPair('demo', 'rekey');
    await world.backup.run({ accountId: source.id, trigger: 'manual', connection: await world.accounts.openConnection(source.id) });
    const plan = await world.service.plan({ source: source.id, target: target.id, rekey: true });
    assert.equal(plan.keys, 'rekey');
    assert.equal(plan.metaGlobal, 'new-sync-ids');
    assert.ok(plan.collections.filter((collection) => !['crypto', 'meta'].includes(collection.collection)).every((collection) => collection.action === 're-encrypt'));

    const result = await world.service.run({ source: source.id, target: target.id, rekey: true, fromSnapshot: plan.source.snapshot!.seq });
    assert.equal(result.verification.ok, true, JSON.stringify(result.verification.mismatches.slice(0, 5)));

    const before = await rawCollections(world.mozilla, account.uid);
    const arrived = await rawCollections(world.selfhosted, account.uid);
    const root = KeyOnlyReader.rootFromKb(account.kB!);
    const oldReader = KeyOnlyReader.fromCryptoKeys(before.get('crypto')![0]!.payload, root);
    const newReader = KeyOnlyReader.fromCryptoKeys(arrived.get('crypto')![0]!.payload, root);
    for (const name of DATA_COLLECTIONS) {
      const original = before.get(name) ?? [];
      const moved = new Map((arrived.get(name) ?? []).map((record) => [record.id, record]));
      assert.equal(moved.size, original.length, `${name}: every record arrived`);
      for (const record of original) {
        const copy = moved.get(record.id)!;
        assert.notEqual(copy.payload, record.payload, `${name}/${record.id} re-encrypted`);
        assert.deepEqual(newReader.decrypt(name, copy.payload), oldReader.decrypt(name, record.payload));
        assert.throws(() => oldReader.decrypt(name, copy.payload), 'the old keys no longer open it');
      }
    }
    const oldMeta = JSON.parse(before.get('meta')![0]!.payload) as { syncID: string; engines: Record<string, { syncID: string; version: number }> };
    const newMeta = JSON.parse(arrived.get('meta')![0]!.payload) as typeof oldMeta;
    assert.notEqual(newMeta.syncID, oldMeta.syncID);
    for (const [engine, state] of Object.entries(oldMeta.engines)) {
      assert.notEqual(newMeta.engines[engine]?.syncID, state.syncID, `${engine} gets a new syncID`);
      assert.equal(newMeta.engines[engine]?.version, state.version, `${engine} keeps its version`);
    }
  });

  it('a migration killed mid-way (SIGKILL, tiny batches) resumes from its checkpoint and verifies', async () => {
    await world.control(world.selfhosted, 'PUT', '/configuration', { max_post_records: 10, max_total_records: 50 });
    try {
      const { account, source, target } = await sameAccountPair({ history: 1_500, bookmarks: 200, passwords: 50, prefs: true }, 'killed');
      const request: MigrationRequest = { source: source.id, target: target.id };
      const input: MigrateWorkerInput = { databaseUrl: world.database.url, vaultKeyHex: world.vaultKey.toString('hex'), request };
      const child = spawn(process.execPath, [WORKER_SCRIPT], { env: { ...process.env, MIGRATE_WORKER_INPUT: JSON.stringify(input) }, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      let killedAt: MigrationProgress | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        const parsed = JSON.parse(line) as MigrateWorkerLine;
        assert.ok(!('error' in parsed), `worker failed: ${'error' in parsed ? parsed.error : ''}`);
        if ('progress' in parsed && parsed.progress.phase === 'uploading' && parsed.progress.done >= 600) {
          killedAt = parsed.progress;
          child.kill('SIGKILL');
          break;
        }
      }
      assert.equal(await exited, 'SIGKILL');
      assert.ok(killedAt?.migrationId !== undefined);
      // What a device pointed at the target now would find: meta/global and crypto/keys (so nothing to make it wipe) and part of the data.
      const midway = await world.targetCollections(account.uid);
      assert.equal(midway['crypto'], 1);
      assert.equal(midway['meta'], 1);
      const stopped = await world.service.get(killedAt.migrationId);
      assert.equal(stopped.status, 'running', 'a killed run leaves its row as it was');
      assert.ok(stopped.done >= 600 && stopped.done < stopped.total, `checkpoint ${stopped.done}/${stopped.total}`);

      // Retention keeps the snapshot the unfinished migration copies, whatever the policy.
      await world.backup.run({ accountId: source.id, trigger: 'manual', connection: await world.accounts.openConnection(source.id) });
      const forgot = await new ForgetService({ prisma: world.prisma, databaseUrl: world.database.url }).forget(source.id, { keepLast: 1 });
      assert.deepEqual(forgot.kept.find((snapshot) => snapshot.seq === stopped.sourceSeq)?.reasons, ['migration']);

      const plan = await world.service.plan(request);
      assert.deepEqual(plan.resumes, { migrationId: killedAt.migrationId, done: stopped.done, total: stopped.total });
      assert.equal(plan.refusal, null, 'resuming into the partly written target is not refused');

      const result = await world.service.run(request);
      assert.equal(result.resumed, true);
      assert.equal(result.migrationId, killedAt.migrationId);
      assert.equal(result.verification.ok, true, JSON.stringify(result.verification.mismatches.slice(0, 5)));
      const uploadedNow = Object.values(result.uploaded).reduce((sum, count) => sum + count, 0);
      assert.ok(uploadedNow <= stopped.total - stopped.done + 50, `the resumed run sent only what was left (+ at most the batch in flight): ${uploadedNow}`);
      assert.ok(uploadedNow < stopped.total, 'not everything again');

      const atMozilla = await rawCollections(world.mozilla, account.uid);
      const atSelfhosted = await rawCollections(world.selfhosted, account.uid);
      for (const [name, records] of atMozilla) assert.deepEqual((atSelfhosted.get(name) ?? []).map((record) => record.id), records.map((record) => record.id), `${name}: nothing lost, nothing twice`);
      assert.equal(result.plan.target.limits['max_total_records'], 50);
      assert.ok(result.plan.totals.batches >= Math.ceil(1_750 / 50), `${result.plan.totals.batches} batches`);
      assert.equal((await world.service.get(result.migrationId)).status, 'completed');
    } finally {
      await world.control(world.selfhosted, 'PUT', '/configuration', { max_post_records: 100, max_total_records: 10_000 });
    }
  });

  it('a target over quota: refused by the plan, or failing clearly mid-way and resuming once there is room', async () => {
    const { source, target } = await sameAccountPair('demo', 'quota');
    await world.backup.run({ accountId: source.id, trigger: 'manual', connection: await world.accounts.openConnection(source.id) });
    try {
      await world.control(world.selfhosted, 'PUT', '/configuration', { max_quota_limit: 4_096 });
      const plan = await world.service.plan({ source: source.id, target: target.id });
      assert.match(plan.refusal ?? '', /quota is 4 KB/);
      await assert.rejects(world.service.run({ source: source.id, target: target.id, fromSnapshot: plan.source.snapshot!.seq }), (error: Error) => error instanceof MigrationRefusedError && /quota/.test(error.message));

      // Room for the plan, then the quota shrinks under the running upload.
      await world.control(world.selfhosted, 'PUT', '/configuration', { max_quota_limit: 50_000_000, max_post_records: 10, max_total_records: 20 });
      let shrunk: Promise<unknown> | undefined;
      await assert.rejects(
        world.service.run(
          { source: source.id, target: target.id, fromSnapshot: plan.source.snapshot!.seq },
          { onProgress: (report) => {
            if (report.phase === 'uploading' && report.done > 0) shrunk ??= world.control(world.selfhosted, 'PUT', '/configuration', { max_quota_limit: 1 });
          } },
        ),
        (error: Error) => error instanceof MigrationRefusedError && /over its storage quota.*resumes where it stopped/.test(error.message),
      );
      await shrunk;
      const [stopped] = await world.service.list({ accountId: target.id });
      assert.equal(stopped?.status, 'interrupted');
      assert.match(stopped?.error ?? '', /quota|14/);

      await world.control(world.selfhosted, 'PUT', '/configuration', { max_quota_limit: 0 });
      const result = await world.service.run({ source: source.id, target: target.id });
      assert.equal(result.resumed, true);
      assert.equal(result.verification.ok, true);
    } finally {
      await world.control(world.selfhosted, 'PUT', '/configuration', { max_quota_limit: 0, max_post_records: 100, max_total_records: 10_000 });
    }
  });

  it('--replace wipes what the target held; --merge keeps newer target records and adds the rest', async () => {
    const { source, target } = await sameAccountPair({ bookmarks: 30, passwords: 10, prefs: true }, 'modes');
    const first = await world.service.run({ source: source.id, target: target.id });
    assert.equal(first.verification.ok, true);
    const targetStorage = (await world.accounts.openConnection(target.id)).storage;

    // A record only the target has, and a newer version of one the source has.
    const sourcePasswords = await world.sourceRecords((await world.accounts.get(source.id)).email, 'passwords');
    const changedId = sourcePasswords[0]!.id;
    const extra = await targetStorage.getRecord('passwords', sourcePasswords[1]!.id);
    await targetStorage.uploadRecords('passwords', [{ id: 'only-on-target', payload: extra!.payload }]);
    await targetStorage.uploadRecords('passwords', [{ id: changedId, payload: extra!.payload }]);
    const seq = first.plan.source.snapshot!.seq;

    const merged = await world.service.run({ source: source.id, target: target.id, merge: true, fromSnapshot: seq });
    assert.equal(merged.verification.ok, true, JSON.stringify(merged.verification.mismatches));
    assert.equal(merged.plan.keys, 'keep-target');
    assert.equal(merged.plan.metaGlobal, 'merge-target');
    const passwordsPlan = merged.plan.collections.find((collection) => collection.collection === 'passwords')!;
    const skipped = Object.fromEntries(passwordsPlan.skipped.map(({ reason, count }) => [reason, count]));
    assert.deepEqual(skipped, { 'already on the target': sourcePasswords.length - 1, 'the target has a newer version': 1 });
    assert.equal(passwordsPlan.records, 0);
    assert.equal((await targetStorage.getRecord('passwords', changedId))?.payload, extra!.payload, 'the newer target record is kept');
    assert.notEqual(await targetStorage.getRecord('passwords', 'only-on-target'), null, 'merge keeps records only the target has');

    const replaced = await world.service.run({ source: source.id, target: target.id, replace: true, fromSnapshot: seq });
    assert.equal(replaced.verification.ok, true, JSON.stringify(replaced.verification.mismatches));
    assert.equal(await targetStorage.getRecord('passwords', 'only-on-target'), null, 'replace wiped it');
    assert.notEqual((await targetStorage.getRecord('passwords', changedId))?.payload, extra!.payload, 'the source version is back');

    await assert.rejects(world.service.run({ source: source.id, target: target.id, replace: true, merge: true }), /exclude each other/);
    await assert.rejects(world.service.run({ source: source.id, target: source.id }), /same account/);
  });

  it('X-Weave-Backoff, Retry-After and a 412 from the target are honoured, reported, and the copy still verifies', async () => {
    const { source, target } = await sameAccountPair('demo', 'faults');
    const storagePath = (collection: string) => `^/storage/1\\.5/\\d+/storage/${collection}$`;
    const rules = [
      await world.control<{ rule: { id: number } }>(world.selfhosted, 'POST', '/faults', { path: storagePath('history'), method: 'POST', count: 1, kind: '503', retryAfter: 1 }),
      await world.control<{ rule: { id: number } }>(world.selfhosted, 'POST', '/faults', { path: storagePath('bookmarks'), method: 'POST', count: 1, kind: 'backoff', backoff: 1 }),
      await world.control<{ rule: { id: number } }>(world.selfhosted, 'POST', '/faults', { path: storagePath('passwords'), method: 'POST', count: 1, kind: '412' }),
    ];
    try {
      const notices: string[] = [];
      const result = await world.service.run({ source: source.id, target: target.id }, { onProgress: (report) => report.notice !== undefined && notices.push(report.notice) });
      assert.equal(result.verification.ok, true, JSON.stringify(result.verification.mismatches));
      const { rules: fired } = await world.control<{ rules: Array<{ id: number; fired: number }> }>(world.selfhosted, 'GET', '/faults');
      for (const { rule } of rules) assert.equal(fired.find((candidate) => candidate.id === rule.id)?.fired, 1);
      assert.ok(result.notices.some((notice) => /answered 503 with Retry-After 1 s/.test(notice)), result.notices.join(' | '));
      assert.ok(result.notices.some((notice) => /back off for 1 s/.test(notice)), result.notices.join(' | '));
      assert.ok(result.notices.some((notice) => /passwords changed on the target meanwhile/.test(notice)), result.notices.join(' | '));
      assert.deepEqual(notices, result.notices, 'every notice also went out as progress');
    } finally {
      await world.control(world.selfhosted, 'DELETE', '/faults');
    }
  });

  it('a record the target holds but the source does not fails the verification, naming it', async () => {
    const { source, target } = await sameAccountPair({ bookmarks: 40, passwords: 10, history: 200 }, 'intruder');
    await world.control(world.selfhosted, 'PUT', '/configuration', { max_post_records: 10, max_total_records: 20 });
    try {
      let intruder: Promise<unknown> | undefined;
      const error = await world.service
        .run({ source: source.id, target: target.id }, {
          onProgress: (report) => {
            // Another device writes into a collection already copied while history is still going up.
            if (report.phase === 'uploading' && report.collection === 'history') {
              intruder ??= world.accounts.openConnection(target.id).then(async (connection) => {
                const existing = await connection.storage.getRecord('passwords', (await connection.storage.readIds('passwords'))[0]!);
                await connection.storage.uploadRecords('passwords', [{ id: 'intruder-01', payload: existing!.payload }]);
              });
            }
          },
        })
        .then(() => assert.fail('the migration should fail its verification'), (failure: unknown) => failure);
      await intruder;
      assert.ok(error instanceof MigrationVerificationError, String(error));
      assert.match(error.message, /passwords\/intruder-01 \(unexpected\)/);
      assert.deepEqual(error.result.verification.mismatches, [{ collection: 'passwords', id: 'intruder-01', problem: 'unexpected' }]);
      const [view] = await world.service.list({ accountId: target.id });
      assert.equal(view?.status, 'failed');
      assert.equal(view?.result?.verification.ok, false);
      assert.match(view?.error ?? '', /intruder-01/);
    } finally {
      await world.control(world.selfhosted, 'PUT', '/configuration', { max_post_records: 100, max_total_records: 10_000 });
    }
  });

  it('a target behind a reverse proxy at a path prefix', async () => {
    const prefixed = await startSandbox({ tokenSecret: 'migrate tests: prefixed', accountsServer: world.mozilla.urls.fxa, pathPrefix: '/ffsync' });
    try {
      assert.match(prefixed.urls.tokenServer, /\/ffsync\/token\/1\.0\/sync\/1\.5$/);
      const account: SandboxAccountSummary = await world.createAccount('fxa', 'prefix', 'demo');
      const source = await world.addFxa(account);
      const target = await world.addFxa(account, prefixed.urls.tokenServer);
      const result = await world.service.run({ source: source.id, target: target.id });
      assert.equal(result.verification.ok, true);
      assert.equal(result.clients.tokenServerUri, prefixed.urls.tokenServer);
      const counts = await world.control<Record<string, number>>(prefixed, 'GET', `/storage-users/${account.uid}/collections`);
      assert.ok((counts['bookmarks'] ?? 0) > 0);
    } finally {
      await prefixed.close();
    }
  });
});
