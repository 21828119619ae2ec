import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningSandbox } from '@syncvault/sandbox';
import { DEMO_FIREFOX_ACCOUNT, DEMO_LEGACY_ACCOUNT, DEMO_SELFHOSTED_ACCOUNT, demoAccountInputs, isDemoAccount } from '../../src/demo/demo-accounts.js';
import { demoSummaryText, listText, type DemoSummary } from '../../src/demo/summary.js';

const SANDBOX = {
  urls: {
    fxa: 'http://127.0.0.1:4000/fxa',
    tokenServer: 'http://127.0.0.1:4000/token/1.0/sync/1.5',
    storage15: 'http://127.0.0.1:4000/storage',
    storage11: 'http://127.0.0.1:4000/weave',
    control: 'http://127.0.0.1:4000/__sandbox__',
  },
  accounts: [
    { kind: 'legacy11', email: 'legacy@syncvault.test', password: 'demo-legacy-pw', syncKey: 'a-bcdef-ghijk-mnpqr-stuvw-xyz23' },
    { kind: 'fxa', email: 'demo@syncvault.test', password: 'demo-fxa-pw' },
  ],
} as unknown as RunningSandbox;

/** The self-hosted sandbox: a tokenserver trusting SANDBOX's accounts server, behind /ffsync. */
const SELFHOSTED = {
  urls: {
    fxa: 'http://127.0.0.1:4001/ffsync/fxa',
    tokenServer: 'http://127.0.0.1:4001/ffsync/token/1.0/sync/1.5',
    storage15: 'http://127.0.0.1:4001/ffsync/storage',
    storage11: 'http://127.0.0.1:4001/ffsync/weave',
    control: 'http://127.0.0.1:4001/ffsync/__sandbox__',
  },
} as unknown as RunningSandbox;

describe('demo accounts', () => {
  it("point the 1.5 account at the sandbox accounts server and tokenserver, the 1.1 one at its Weave server, the migration target at the sandbox's accounts and the self-hosted tokenserver", () => {
    assert.deepEqual(demoAccountInputs(SANDBOX, SELFHOSTED), [
      {
        name: DEMO_FIREFOX_ACCOUNT,
        kind: 'selfhosted15',
        email: 'demo@syncvault.test',
        password: 'demo-fxa-pw',
        fxaUrl: 'http://127.0.0.1:4000/fxa',
        tokenServerUrl: 'http://127.0.0.1:4000/token/1.0/sync/1.5',
      },
      {
        name: DEMO_LEGACY_ACCOUNT,
        kind: 'legacy11',
        email: 'legacy@syncvault.test',
        password: 'demo-legacy-pw',
        syncKey: 'a-bcdef-ghijk-mnpqr-stuvw-xyz23',
        serverUrl: 'http://127.0.0.1:4000/weave',
      },
      {
        name: DEMO_SELFHOSTED_ACCOUNT,
        kind: 'selfhosted15',
        email: 'demo@syncvault.test',
        password: 'demo-fxa-pw',
        fxaUrl: 'http://127.0.0.1:4000/fxa',
        tokenServerUrl: 'http://127.0.0.1:4001/ffsync/token/1.0/sync/1.5',
      },
    ]);
  });

  it('refuses a sandbox without the demo accounts', () => {
    assert.throws(() => demoAccountInputs({ ...SANDBOX, accounts: [] } as unknown as RunningSandbox, SELFHOSTED), /no demo fxa account/);
  });

  const demoFirefox = { name: DEMO_FIREFOX_ACCOUNT, kind: 'selfhosted15' as const, email: 'demo@syncvault.test', fxaUrl: 'http://127.0.0.1:39001/fxa', serverUrl: null };
  const demoSelfhosted = { ...demoFirefox, name: DEMO_SELFHOSTED_ACCOUNT };
  const demoLegacy = { name: DEMO_LEGACY_ACCOUNT, kind: 'legacy11' as const, email: 'legacy@syncvault.test', fxaUrl: null, serverUrl: 'http://localhost:39001/weave' };

  it("recognises an earlier demo's accounts, whatever port its sandbox had", () => {
    assert.equal(isDemoAccount(demoFirefox), true);
    assert.equal(isDemoAccount({ ...demoFirefox, email: 'Demo@Syncvault.test', fxaUrl: 'http://[::1]:1/fxa' }), true);
    assert.equal(isDemoAccount(demoLegacy), true);
    assert.equal(isDemoAccount(demoSelfhosted), true);
  });

  it('leaves alone anything else that has a demo name', () => {
    assert.equal(isDemoAccount({ ...demoFirefox, fxaUrl: 'https://accounts.example.com/fxa' }), false, 'a real server');
    assert.equal(isDemoAccount({ ...demoFirefox, email: 'me@example.com' }), false, 'another email');
    assert.equal(isDemoAccount({ ...demoFirefox, kind: 'mozilla' }), false, 'another kind');
    assert.equal(isDemoAccount({ ...demoLegacy, name: DEMO_FIREFOX_ACCOUNT }), false, 'the other demo account under this name');
    assert.equal(isDemoAccount({ ...demoFirefox, name: 'firefox' }), false, 'not a demo name');
    assert.equal(isDemoAccount({ ...demoSelfhosted, fxaUrl: 'https://accounts.firefox.com' }), false, "a self-hosted server with Mozilla's real accounts");
    assert.equal(isDemoAccount({ ...demoSelfhosted, email: 'me@example.com' }), false, 'the migration target name, another email');
    assert.equal(isDemoAccount({ ...demoLegacy, name: DEMO_SELFHOSTED_ACCOUNT }), false, 'a 1.1 account under the migration target name');
  });
});

describe('listText', () => {
  it('joins names as a sentence does', () => {
    assert.equal(listText([]), '');
    assert.equal(listText(['a']), 'a');
    assert.equal(listText(['a', 'b']), 'a and b');
    assert.equal(listText(['a', 'b', 'c']), 'a, b and c');
  });
});

describe('demo summary text', () => {
  const collections = Object.fromEntries(
    ['addons', 'addresses', 'bookmarks', 'clients', 'creditcards', 'crypto', 'forms', 'history', 'meta', 'passwords', 'prefs', 'tabs'].map((name, index) => [name, { count: index + 1 }]),
  );
  const summary: DemoSummary = {
    url: 'http://127.0.0.1:8787',
    dashboard: { url: 'http://127.0.0.1:3000' },
    sandboxUrl: 'http://127.0.0.1:40000',
    selfhostedSandboxUrl: 'http://127.0.0.1:40001/ffsync',
    vaultKeyFile: '/home/me/.local/share/syncvault/demo/vault.key',
    admin: { username: 'admin', password: 'Gen3rated-Pa55word', passwordSource: 'generated' },
    accounts: [
      { name: 'demo-firefox', kind: 'selfhosted15', email: 'demo@syncvault.test', role: 'backed-up', snapshot: { seq: 1, status: 'complete', collections, versionsAdded: 78 } },
      { name: 'demo-legacy', kind: 'legacy11', email: 'legacy@syncvault.test', role: 'backed-up', snapshot: { seq: 1, status: 'complete', collections, versionsAdded: 78 } },
      { name: 'demo-selfhosted', kind: 'selfhosted15', email: 'demo@syncvault.test', role: 'migration-target' },
    ],
    schedule: { pattern: '0 * * * *', description: 'every hour on the hour (UTC)' },
  };

  it('shows the URL, a generated password with the copy-paste login, and each snapshot with its record counts', () => {
    const text = demoSummaryText(summary);
    assert.match(text, /^ {2}dashboard {2}http:\/\/127\.0\.0\.1:3000 {2}\(sign in as the admin below\)$/m);
    assert.match(text, /^ {2}API {8}http:\/\/127\.0\.0\.1:8787 {2}\(OpenAPI at http:\/\/127\.0\.0\.1:8787\/api\/docs once signed in\)$/m);
    assert.match(text, /^ {2}admin {6}admin \/ Gen3rated-Pa55word {2}\(generated now and shown only this once: note it\)$/m);
    assert.match(text, /^ {2}demo-firefox {5}selfhosted15, demo@syncvault\.test: snapshot 1 complete, 12 collections, 78 records$/m);
    assert.match(text, /"password": "Gen3rated-Pa55word"\}' http:\/\/127\.0\.0\.1:8787\/api\/auth\/login$/m);
    assert.match(text, /^ {2}npx syncvault snapshots demo-firefox$/m);
    const countLines = text.split('\n').filter((line) => /^ {19}[a-z]+ \d/.test(line));
    assert.equal(countLines.join(' ').match(/\b(addons 1|tabs 12)\b/g)?.length, 4, 'every count, under both accounts');
    for (const line of countLines) assert.ok(line.length <= 96, `wrapped: ${line}`);
    assert.match(text, /^ {2}demo-firefox and demo-legacy are backed up every hour on the hour \(UTC\) while the demo runs\.$/m);
  });

  it('shows the migration target without a snapshot, both sandboxes, and how to migrate into it', () => {
    const text = demoSummaryText(summary);
    assert.match(text, /^ {2}demo-selfhosted {2}selfhosted15, demo@syncvault\.test: empty, the migration target \(not backed up\)\n {19}its storage on the self-hosted sandbox$/m);
    assert.match(text, /^ {2}sandbox {4}http:\/\/127\.0\.0\.1:40000 {2}\(stands in for Mozilla's servers;/m);
    assert.match(text, /^ {2}sandbox {4}.*\n {13}http:\/\/127\.0\.0\.1:40001\/ffsync {2}\(stands in for your own syncstorage-rs behind a proxy; empty\)$/m);
    assert.match(text, /^ {2}npx syncvault migrate demo-firefox demo-selfhosted --dry-run$/m);
    assert.match(text, /^ {2}npx syncvault migrate demo-firefox demo-selfhosted$/m);
    assert.match(text, /^ {2}\(or the dashboard's Migrate page: http:\/\/127\.0\.0\.1:3000\/migrate\)$/m);
    const missing = demoSummaryText({ ...summary, dashboard: { missing: 'not built' } });
    assert.match(missing, /^ {2}\(or the dashboard's Migrate page, once the dashboard is built\)$/m);
  });

  it('offers no migration without a migration target', () => {
    const text = demoSummaryText({ ...summary, accounts: summary.accounts.filter((account) => account.role === 'backed-up') });
    assert.doesNotMatch(text, /syncvault migrate|Migrate page/);
    assert.match(text, /^ {2}npx syncvault snapshots demo-firefox$/m);
  });

  it('says how to get the dashboard when it is not built', () => {
    const text = demoSummaryText({ ...summary, dashboard: { missing: 'not built: run `npm run build:dashboard`, then `npm start` again' } });
    assert.match(text, /^ {2}dashboard {2}not built: run `npm run build:dashboard`/m);
  });

  it('never shows a password it did not just generate', () => {
    for (const passwordSource of ['earlier', 'environment'] as const) {
      const text = demoSummaryText({ ...summary, admin: { username: 'admin', passwordSource } });
      assert.ok(!text.includes('Gen3rated-Pa55word'));
      assert.match(text, /"password": "<admin password>"/);
    }
    assert.match(demoSummaryText({ ...summary, admin: { username: 'admin', passwordSource: 'earlier' } }), /lost it\? npx syncvault admin reset-password/);
  });
});
