/**
 * Restores against the sandbox over HTTP: every kind, read back with the sandbox's own decryption
 * (not the daemon's), with a concurrent writer between plan and write, after a key rotation, and
 * the bookmark validator before and after on a deliberately broken tree.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotReader } from '@syncvault/daemon/history';
import { RestoreService, type RestorePlan, type RestoreRequest } from '@syncvault/daemon/restore';
import { BackupWorld, type BackedUpAccount } from '../backup/support/backup-world.js';

type Json = Record<string, unknown>;

const folder = (id: string, parentid: string, title: string, children: string[]): Json => ({ id, type: 'folder', parentid, parentName: '', title, children, dateAdded: 1_600_000_000_000 });
const bookmark = (id: string, parentid: string, title: string): Json => ({ id, type: 'bookmark', parentid, parentName: '', title, bmkUri: `https://${id}.example/`, dateAdded: 1_600_000_000_000 });

/** menu > [work > [a, b, c, deep > [d, e]], f]; toolbar > [t]; unfiled, mobile empty. */
function seedTree(): Json[] {
  return [
    folder('menu', 'places', '', ['workfolder1', 'bookmarkF01']),
    folder('toolbar', 'places', '', ['bookmarkT01']),
    folder('unfiled', 'places', '', []),
    folder('mobile', 'places', '', []),
    folder('workfolder1', 'menu', 'Work', ['bookmarkA01', 'bookmarkB01', 'bookmarkC01', 'deepfolder1']),
    bookmark('bookmarkA01', 'workfolder1', 'Alpha'),
    bookmark('bookmarkB01', 'workfolder1', 'Bravo'),
    bookmark('bookmarkC01', 'workfolder1', 'Charlie'),
    folder('deepfolder1', 'workfolder1', 'Deep', ['bookmarkD01', 'bookmarkE01']),
    bookmark('bookmarkD01', 'deepfolder1', 'Delta'),
    bookmark('bookmarkE01', 'deepfolder1', 'Echo'),
    bookmark('bookmarkF01', 'menu', 'Foxtrot'),
    bookmark('bookmarkT01', 'toolbar', 'Tango'),
  ];
}

describe('restore', () => {
  let world: BackupWorld;

  before(async () => {
    world = await BackupWorld.start();
  });
  after(async () => {
    await world?.close();
  });

  function restorer(subject: BackedUpAccount): RestoreService {
    return new RestoreService({
      prisma: world.prisma,
      databaseUrl: world.database.url,
      accounts: {
        get: async () => ({ id: subject.accountId, name: 'restore-test' }) as never,
        openConnection: async () => (await world.connect(subject.account)).connection,
      },
      reader: new SnapshotReader({ prisma: world.prisma, keyCustody: world.keyCustody }),
      backup: world.engine(),
    });
  }

  /** A Sync 1.5 account holding the tree above (plus two logins and a client), backed up once. */
  async function treeAccount(): Promise<BackedUpAccount> {
    const subject = await world.seededAccount('fxa', { bookmarks: 0 });
    await world.sandbox.writeRecords(subject.account.email, { collection: 'bookmarks', upsert: seedTree() });
    await world.sandbox.writeRecords(subject.account.email, {
      collection: 'passwords',
      upsert: [
        { id: '{login-1}', hostname: 'https://mail.example', formSubmitURL: 'https://mail.example', httpRealm: null, username: 'ann', password: 'first secret', usernameField: 'u', passwordField: 'p' },
        { id: '{login-2}', hostname: 'https://bank.example', formSubmitURL: 'https://bank.example', httpRealm: null, username: 'ann', password: 'bank secret', usernameField: 'u', passwordField: 'p' },
      ],
    });
    await world.sandbox.writeRecords(subject.account.email, { collection: 'clients', upsert: [{ id: 'laptopclient', name: 'Ann’s laptop', type: 'desktop', commands: [] }] });
    const first = await world.backup(subject);
    assert.equal(first.seq, 1);
    return subject;
  }

  async function live(subject: BackedUpAccount, collection: string): Promise<Map<string, Json>> {
    const records = await world.sandbox.readBack(subject.account.email, collection);
    return new Map(records.map((record) => [record.id, (record.cleartext ?? { undecryptable: true }) as Json]));
  }

  const children = (records: Map<string, Json>, id: string) => records.get(id)?.['children'];
  const changedIds = (plan: RestorePlan) => plan.collections.flatMap((collection) => collection.records.map((record) => `${record.reason}:${record.id}`)).sort();

  it('one deleted bookmark comes back at its old position in its folder; the plan first, writing nothing', async () => {
    const subject = await treeAccount();
    await world.sandbox.writeRecords(subject.account.email, { collection: 'bookmarks', tombstone: ['bookmarkB01'], upsert: [folder('workfolder1', 'menu', 'Work', ['bookmarkA01', 'bookmarkC01', 'deepfolder1'])] });
    const service = restorer(subject);
    const request: RestoreRequest = { account: subject.accountId, from: 1, target: { kind: 'bookmark', id: 'bookmarkB01' } };

    const before = await live(subject, 'bookmarks');
    const plan = await service.plan(request);
    assert.deepEqual(changedIds(plan), ['parent-children-updated:workfolder1', 'restored:bookmarkB01']);
    assert.equal(plan.collections[0]!.records.find((record) => record.id === 'bookmarkB01')!.label, 'Bravo — https://bookmarkB01.example/');
    assert.equal(plan.clientCommand, null, 'one bookmark is not a whole-tree restore');
    assert.deepEqual(await live(subject, 'bookmarks'), before, 'planning wrote nothing');

    const result = await service.apply(request);
    const after = await live(subject, 'bookmarks');
    assert.equal(after.get('bookmarkB01')?.['title'], 'Bravo');
    assert.equal(after.get('bookmarkB01')?.['deleted'], undefined);
    assert.deepEqual(children(after, 'workfolder1'), ['bookmarkA01', 'bookmarkB01', 'bookmarkC01', 'deepfolder1'], 'back between its old neighbours');
    assert.equal(result.verification.ok, true);
    assert.equal(result.replans, 0);
    assert.deepEqual(result.bookmarkValidation?.after, result.bookmarkValidation?.before, 'no validator category grew');
    assert.equal(Object.values(result.bookmarkValidation!.after).reduce((sum, count) => sum + count, 0), 0);
    const preRestore = await world.prisma.snapshot.findUniqueOrThrow({ where: { accountId_seq: { accountId: subject.accountId, seq: result.preRestoreSnapshot.seq } } });
    assert.deepEqual(preRestore.tags, ['pre-restore']);
    assert.equal(preRestore.status, 'complete');
  });

  it('a bookmark whose folder was deleted too: the folder is recreated in its place, holding what is restored', async () => {
    const subject = await treeAccount();
    // Another client deletes the Deep folder with its contents.
    await world.sandbox.writeRecords(subject.account.email, {
      collection: 'bookmarks',
      tombstone: ['deepfolder1', 'bookmarkD01', 'bookmarkE01'],
      upsert: [folder('workfolder1', 'menu', 'Work', ['bookmarkA01', 'bookmarkB01', 'bookmarkC01'])],
    });
    const result = await restorer(subject).apply({ account: subject.accountId, from: 1, target: { kind: 'bookmark', id: 'bookmarkE01' } });
    assert.deepEqual(changedIds(result.plan), ['ancestor-recreated:deepfolder1', 'parent-children-updated:workfolder1', 'restored:bookmarkE01']);
    const after = await live(subject, 'bookmarks');
    assert.deepEqual(children(after, 'deepfolder1'), ['bookmarkE01'], 'only what is restored: Delta stays deleted');
    assert.equal(after.get('deepfolder1')?.['title'], 'Deep');
    assert.deepEqual(children(after, 'workfolder1'), ['bookmarkA01', 'bookmarkB01', 'bookmarkC01', 'deepfolder1']);
    assert.equal(after.get('bookmarkD01')?.['deleted'], true);
    assert.equal(Object.values(result.bookmarkValidation!.after).reduce((sum, count) => sum + count, 0), 0, 'the tree is valid');
  });

  it('a folder with its subtree, and every bookmark deleted between two snapshots, and into a new folder', async () => {
    const subject = await treeAccount();
    await world.sandbox.writeRecords(subject.account.email, {
      collection: 'bookmarks',
      tombstone: ['workfolder1', 'bookmarkA01', 'bookmarkB01', 'bookmarkC01', 'deepfolder1', 'bookmarkD01', 'bookmarkE01', 'bookmarkT01'],
      upsert: [folder('menu', 'places', '', ['bookmarkF01']), folder('toolbar', 'places', '', [])],
    });
    const second = await world.backup(subject);
    const service = restorer(subject);

    const folderPlan = await service.plan({ account: subject.accountId, from: 1, target: { kind: 'folder', id: 'workfolder1' } });
    assert.deepEqual(changedIds(folderPlan), [
      'parent-children-updated:menu',
      'restored:bookmarkA01',
      'restored:bookmarkB01',
      'restored:bookmarkC01',
      'restored:bookmarkD01',
      'restored:bookmarkE01',
      'restored:deepfolder1',
      'restored:workfolder1',
    ]);

    const between = await service.plan({ account: subject.accountId, from: second.seq, target: { kind: 'deleted-bookmarks', since: 1 } });
    assert.ok(changedIds(between).includes('restored:bookmarkT01') && changedIds(between).includes('parent-children-updated:toolbar'), changedIds(between).join(' '));
    assert.equal(between.collections[0]!.records.filter((record) => record.reason === 'restored').length, 8);
    const sinceNow = await service.plan({ account: subject.accountId, from: 1, target: { kind: 'deleted-bookmarks', since: 1 } });
    assert.deepEqual(changedIds(sinceNow), changedIds(between), 'the same snapshot twice: what the server lacks now');
    await assert.rejects(service.plan({ account: subject.accountId, from: 1, target: { kind: 'deleted-bookmarks', since: second.seq } }), /must name a snapshot before/);

    const result = await service.apply({ account: subject.accountId, from: 1, target: { kind: 'folder', id: 'workfolder1' }, intoNewFolder: true });
    const after = await live(subject, 'bookmarks');
    const created = result.plan.collections[0]!.records.find((record) => record.reason === 'new-folder');
    assert.ok(created !== undefined);
    assert.match(after.get(created.id)?.['title'] as string, /^Restored \d{4}-\d{2}-\d{2}$/);
    assert.equal(after.get(created.id)?.['parentid'], 'unfiled');
    assert.deepEqual(children(after, created.id), ['workfolder1']);
    assert.deepEqual(children(after, 'unfiled'), [created.id]);
    assert.equal(after.get('workfolder1')?.['parentid'], created.id);
    assert.deepEqual(children(after, 'workfolder1'), ['bookmarkA01', 'bookmarkB01', 'bookmarkC01', 'deepfolder1']);
    assert.deepEqual(children(after, 'menu'), ['bookmarkF01'], 'not back in the menu: into the new folder instead');
    assert.equal(result.verification.ok, true);
  });

  it('one password back to its old value; the plan never shows a password', async () => {
    const subject = await treeAccount();
    const current = await live(subject, 'passwords');
    await world.sandbox.writeRecords(subject.account.email, { collection: 'passwords', upsert: [{ ...current.get('{login-1}')!, password: 'changed by mistake' }] });
    const result = await restorer(subject).apply({ account: subject.accountId, from: 1, target: { kind: 'password', id: '{login-1}' } });
    assert.ok(!JSON.stringify(result).includes('first secret') && !JSON.stringify(result).includes('changed by mistake'), 'no password in the plan or result');
    assert.equal(result.plan.collections[0]!.records[0]!.label, 'https://mail.example · ann');
    const after = await live(subject, 'passwords');
    assert.equal(after.get('{login-1}')?.['password'], 'first secret');
    assert.equal(after.get('{login-2}')?.['password'], 'bank secret', 'the other login untouched');
  });

  it('the whole bookmark tree back to a snapshot: newer items deleted, other devices told to wipe their bookmarks', async () => {
    const subject = await treeAccount();
    await world.sandbox.writeRecords(subject.account.email, {
      collection: 'bookmarks',
      tombstone: ['bookmarkA01'],
      upsert: [folder('workfolder1', 'menu', 'Work', ['bookmarkB01', 'bookmarkC01', 'deepfolder1', 'bookmarkNEW1']), bookmark('bookmarkNEW1', 'workfolder1', 'Added later'), bookmark('bookmarkC01', 'workfolder1', 'Charlie renamed')],
    });
    const result = await restorer(subject).apply({ account: subject.accountId, from: 1, target: { kind: 'collection', collection: 'bookmarks' } });
    assert.deepEqual(result.plan.clientCommand?.clients, [{ id: 'laptopclient', name: 'Ann’s laptop' }]);
    assert.deepEqual(changedIds(result.plan), ['deleted:bookmarkNEW1', 'restored:bookmarkA01', 'restored:bookmarkC01', 'restored:workfolder1']);
    const after = await live(subject, 'bookmarks');
    assert.equal(after.get('bookmarkNEW1')?.['deleted'], true);
    assert.equal(after.get('bookmarkC01')?.['title'], 'Charlie');
    assert.deepEqual(children(after, 'workfolder1'), ['bookmarkA01', 'bookmarkB01', 'bookmarkC01', 'deepfolder1']);
    assert.deepEqual(result.clientsNotified, ['Ann’s laptop']);
    const client = (await live(subject, 'clients')).get('laptopclient')!;
    const commands = client['commands'] as Array<{ command: string; args: string[]; flowID?: string }>;
    assert.equal(commands.length, 1);
    assert.deepEqual({ command: commands[0]!.command, args: commands[0]!.args }, { command: 'wipeEngine', args: ['bookmarks'] });
    assert.equal(client['name'], 'Ann’s laptop', 'the rest of the client record is kept');
  });

  it('everything back to a snapshot: every restorable collection, meta/global and crypto/keys untouched, devices told', async () => {
    const subject = await treeAccount();
    await world.sandbox.writeRecords(subject.account.email, { collection: 'forms', upsert: [{ id: 'formentry01', name: 'email', value: 'ann@example.org' }] });
    const first = await world.backup(subject);
    const metaBefore = await world.sandbox.readBack(subject.account.email, 'meta');
    const passwords = await live(subject, 'passwords');
    await world.sandbox.writeRecords(subject.account.email, { collection: 'passwords', upsert: [{ ...passwords.get('{login-2}')!, password: 'changed' }], tombstone: ['{login-1}'] });
    await world.sandbox.writeRecords(subject.account.email, { collection: 'forms', tombstone: ['formentry01'], upsert: [{ id: 'formentry02', name: 'q', value: 'later' }] });
    await world.sandbox.writeRecords(subject.account.email, { collection: 'bookmarks', tombstone: ['bookmarkT01'], upsert: [folder('toolbar', 'places', '', [])] });

    const result = await restorer(subject).apply({ account: subject.accountId, from: first.seq, target: { kind: 'all' } });
    assert.deepEqual(
      result.plan.collections.filter((collection) => collection.records.length > 0).map((collection) => collection.collection),
      ['bookmarks', 'passwords', 'forms'],
    );
    assert.equal(result.verification.ok, true);
    assert.deepEqual(result.clientsNotified, ['Ann’s laptop'], 'a whole-tree bookmark restore tells the devices');
    const after = { passwords: await live(subject, 'passwords'), forms: await live(subject, 'forms'), bookmarks: await live(subject, 'bookmarks') };
    assert.equal(after.passwords.get('{login-1}')?.['password'], 'first secret');
    assert.equal(after.passwords.get('{login-2}')?.['password'], 'bank secret');
    assert.equal(after.forms.get('formentry01')?.['value'], 'ann@example.org');
    assert.equal(after.forms.get('formentry02')?.['deleted'], true, 'what the snapshot lacks is deleted');
    assert.deepEqual(children(after.bookmarks, 'toolbar'), ['bookmarkT01']);
    assert.deepEqual(await world.sandbox.readBack(subject.account.email, 'meta'), metaBefore, 'meta/global untouched');
  });

  it('a concurrent writer between plan and write: 412, the plan is made again against the new state, nothing of theirs is lost', async () => {
    const subject = await treeAccount();
    await world.sandbox.writeRecords(subject.account.email, { collection: 'bookmarks', tombstone: ['bookmarkB01'], upsert: [folder('workfolder1', 'menu', 'Work', ['bookmarkA01', 'bookmarkC01', 'deepfolder1'])] });
    const plans: RestorePlan[] = [];
    const result = await restorer(subject).apply(
      { account: subject.accountId, from: 1, target: { kind: 'bookmark', id: 'bookmarkB01' } },
      {
        beforeWrite: async (plan) => {
          plans.push(plan);
          // Another device syncs a new bookmark into the same folder while the first plan waits.
          if (plans.length === 1) {
            await world.sandbox.writeRecords(subject.account.email, {
              collection: 'bookmarks',
              upsert: [folder('workfolder1', 'menu', 'Work', ['bookmarkA01', 'bookmarkC01', 'deepfolder1', 'bookmarkZ01']), bookmark('bookmarkZ01', 'workfolder1', 'Zulu')],
            });
          }
        },
      },
    );
    assert.equal(result.replans, 1);
    assert.equal(plans.length, 2);
    assert.ok(plans[1]!.collections[0]!.ifUnmodifiedSince > plans[0]!.collections[0]!.ifUnmodifiedSince, 'the second plan is against the newer state');
    const after = await live(subject, 'bookmarks');
    assert.deepEqual(children(after, 'workfolder1'), ['bookmarkA01', 'bookmarkB01', 'bookmarkC01', 'deepfolder1', 'bookmarkZ01'], 'both the restored and the concurrent bookmark');
    assert.equal(after.get('bookmarkZ01')?.['title'], 'Zulu');
    assert.equal(result.verification.ok, true);
  });

  it('after the account’s keys changed, restored records are encrypted with the current keys', async () => {
    const subject = await treeAccount();
    await world.sandbox.control('POST', `/accounts/${encodeURIComponent(subject.account.email)}/rotate-keys`);
    // A client that sees new keys re-uploads everything with them; this one re-uploads the tree without Bravo.
    const tree = seedTree()
      .filter((record) => record['id'] !== 'bookmarkB01')
      .map((record) => (record['id'] === 'workfolder1' ? folder('workfolder1', 'menu', 'Work', ['bookmarkA01', 'bookmarkC01', 'deepfolder1']) : record));
    await world.sandbox.writeRecords(subject.account.email, { collection: 'bookmarks', upsert: tree, tombstone: ['bookmarkB01'] });
    const result = await restorer(subject).apply({ account: subject.accountId, from: 1, target: { kind: 'bookmark', id: 'bookmarkB01' } });
    assert.equal(result.plan.keysChanged, true);
    const after = await live(subject, 'bookmarks');
    assert.equal(after.get('bookmarkB01')?.['title'], 'Bravo', 'the sandbox decrypts it with the keys in force now');
    assert.equal(result.verification.ok, true);
  });

  it('the validator reports a deliberately broken live tree before, and the whole-tree restore repairs it', async () => {
    const subject = await treeAccount();
    // A buggy client: a folder lists a child that does not exist, and an item names a parent that does not list it.
    await world.sandbox.writeRecords(subject.account.email, {
      collection: 'bookmarks',
      upsert: [folder('workfolder1', 'menu', 'Work', ['bookmarkA01', 'bookmarkGONE', 'bookmarkC01', 'deepfolder1']), bookmark('bookmarkB01', 'toolbar', 'Bravo')],
    });
    const result = await restorer(subject).apply({ account: subject.accountId, from: 1, target: { kind: 'collection', collection: 'bookmarks' } });
    const before = result.bookmarkValidation!.before;
    assert.ok(before.missingChildren >= 1, `missing children seen before (${JSON.stringify(before)})`);
    assert.ok(before.parentChildDisagreements + before.orphans + before.multipleParents >= 1, `the misparented item seen before (${JSON.stringify(before)})`);
    assert.equal(Object.values(result.plan.bookmarkValidation!.predicted).reduce((sum, count) => sum + count, 0), 0, 'the plan predicts a valid tree');
    assert.equal(Object.values(result.bookmarkValidation!.after).reduce((sum, count) => sum + count, 0), 0, 'and the server has one');
  });

  it('refuses what cannot be restored, in one line', async () => {
    const subject = await treeAccount();
    const service = restorer(subject);
    await assert.rejects(service.plan({ account: subject.accountId, from: 1, target: { kind: 'bookmark', id: 'nosuchthing1' } }), /snapshot has no bookmark item nosuchthing1/);
    await assert.rejects(service.plan({ account: subject.accountId, from: 1, target: { kind: 'folder', id: 'bookmarkA01' } }), /not a folder/);
    await assert.rejects(service.plan({ account: subject.accountId, from: 1, target: { kind: 'collection', collection: 'crypto' } }), /cannot be restored/);
    await assert.rejects(service.plan({ account: subject.accountId, from: 1, target: { kind: 'password', id: '{nobody}' } }), /no login \{nobody\}/);
  });
});
