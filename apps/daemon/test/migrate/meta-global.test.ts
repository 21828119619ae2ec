import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientInstructions } from '../../src/migrate/client-instructions.js';
import { MigrationRefusedError } from '../../src/migrate/errors.js';
import { convertLegacyMetaGlobal, mergeIntoTargetMeta, newSyncId, parseMetaGlobal, withNewSyncIds } from '../../src/migrate/meta-global.js';

const legacyMeta = {
  syncID: 'legacySyncId',
  storageVersion: 5,
  engines: { bookmarks: { version: 1, syncID: 'bookmarksOld' }, history: { version: 1, syncID: 'historyAbcde' }, clients: { version: 1, syncID: 'clientsAbcde' } },
};

describe('meta/global for a migration', () => {
  it('refuses a meta/global current clients cannot read, or one that would make them wipe', () => {
    assert.throws(() => parseMetaGlobal('not json'), MigrationRefusedError);
    assert.throws(() => parseMetaGlobal(JSON.stringify({ ...legacyMeta, storageVersion: 4 })), /storage version 4/);
    assert.throws(() => parseMetaGlobal(JSON.stringify({ storageVersion: 5, engines: {} })), /no syncID/);
    assert.equal(parseMetaGlobal(JSON.stringify(legacyMeta)).syncID, 'legacySyncId');
  });

  it('a 1.1 meta/global gets a declined list and a fresh v2 bookmarks engine when its own is v1; other syncIDs stay', () => {
    const converted = convertLegacyMetaGlobal(legacyMeta);
    assert.deepEqual(converted.meta.declined, []);
    assert.equal(converted.dropBookmarks, true);
    assert.equal(converted.meta.engines?.['bookmarks']?.version, 2);
    assert.notEqual(converted.meta.engines?.['bookmarks']?.syncID, 'bookmarksOld');
    assert.equal(converted.meta.engines?.['history']?.syncID, 'historyAbcde');
    assert.equal(converted.meta.syncID, 'legacySyncId');
    assert.equal(converted.notes.length, 2);

    const current = convertLegacyMetaGlobal({ ...legacyMeta, engines: { bookmarks: { version: 2, syncID: 'bookmarksNew' } }, declined: ['tabs'] });
    assert.equal(current.dropBookmarks, false);
    assert.deepEqual(current.meta.declined, ['tabs']);
    assert.deepEqual(current.notes, []);
  });

  it('--rekey: every syncID new, versions and declined kept', () => {
    const renewed = withNewSyncIds({ ...legacyMeta, declined: ['tabs'] });
    assert.notEqual(renewed.syncID, legacyMeta.syncID);
    for (const [name, state] of Object.entries(legacyMeta.engines)) {
      assert.notEqual(renewed.engines?.[name]?.syncID, state.syncID);
      assert.equal(renewed.engines?.[name]?.version, state.version);
    }
    assert.deepEqual(renewed.declined, ['tabs']);
    assert.match(newSyncId(), /^[A-Za-z0-9_-]{12}$/);
  });

  it('--merge keeps the target meta/global and adds only the engines it lacks (taking them off declined)', () => {
    const target = { syncID: 'targetSyncId', storageVersion: 5, engines: { history: { version: 1, syncID: 'targetHistor' } }, declined: ['bookmarks', 'tabs'] };
    const { meta, changed } = mergeIntoTargetMeta(target, { syncID: 'x', storageVersion: 5, engines: { history: { version: 1, syncID: 'sourceHistor' }, bookmarks: { version: 2, syncID: 'sourceBookma' } } });
    assert.equal(changed, true);
    assert.equal(meta.syncID, 'targetSyncId');
    assert.equal(meta.engines?.['history']?.syncID, 'targetHistor');
    assert.equal(meta.engines?.['bookmarks']?.syncID, 'sourceBookma');
    assert.deepEqual(meta.declined, ['tabs']);
    assert.equal(mergeIntoTargetMeta(target, { engines: { history: { version: 1, syncID: 'other' } } }).changed, false);
  });
});

describe('client instructions', () => {
  it('are built from the target URL; the accounts server step appears only for a non-Mozilla one', () => {
    const url = 'https://sync.example.org/ffsync/token/1.0/sync/1.5';
    const mozilla = clientInstructions({ tokenServerUrl: url, fxaUrl: 'https://api.accounts.firefox.com' });
    assert.equal(mozilla.tokenServerUri, url);
    assert.equal(mozilla.accountsServerUri, null);
    assert.ok(mozilla.desktop.includes(`Set identity.sync.tokenserver.uri to ${url}`));
    for (const steps of [mozilla.android, mozilla.ios]) assert.ok(steps.some((step) => step.includes(url)));
    assert.ok(!mozilla.desktop.some((step) => step.includes('autoconfig')));

    const own = clientInstructions({ tokenServerUrl: url, fxaUrl: 'https://accounts.example.org/auth' });
    assert.equal(own.accountsServerUri, 'https://accounts.example.org/auth');
    assert.ok(own.desktop.some((step) => step.includes('identity.fxaccounts.autoconfig.uri')));
    assert.equal(own.android.length, mozilla.android.length + 1);
  });
});
