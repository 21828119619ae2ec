/**
 * Exports end to end: a seeded sandbox account (plus records with every awkward character)
 * backed up by the daemon's worker, then exported through the HTTP API and the CLI, and every
 * file read back with readers that share no code with the writers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { AccountsSandbox, uniqueEmail, type SandboxAccount } from '../accounts/support.js';
import { ApiClient } from '../api/support/api-client.js';
import { cliEnv, runCli, SYNCVAULT_BIN } from '../api/support/cli.js';
import { createTestWorld, login, startDaemon, type TestDaemon, type TestWorld } from '../api/support/daemon.js';
import { backUpThroughApi } from './support/backup.js';
import { readCsv, readMozLz4, readNetscapeBookmarks, type ReadBookmarks, type ReadItem } from './support/readers.js';

interface TreeNode {
  id: string;
  type: string;
  title: string;
  url?: string;
  children?: TreeNode[];
}

interface TreeAnswer {
  tree: TreeNode;
  problems: Record<string, unknown[]>;
  unreadable: unknown[];
}

interface PlacesNode {
  guid?: string;
  title: string;
  index: number;
  typeCode: number;
  type: string;
  root?: string;
  uri?: string;
  tags?: string;
  keyword?: string;
  dateAdded?: number;
  lastModified?: number;
  children?: PlacesNode[];
}

interface SandboxRecord {
  id: string;
  cleartext: Record<string, unknown> | null;
}

const TRICKY_TITLE = 'Tom & Jerry\'s "best" <b>bits</b>\nsecond line';
const TRICKY_URL = 'https://tricky.example/search?q=a&b="c"&d=<e>#frag';
const TRICKY_FOLDER = 'Folder "<&>" ünïcödé 料理';
const TRICKY_LOGIN = {
  id: '{0e6f4a1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b}',
  hostname: 'https://tricky.example',
  formSubmitURL: 'https://tricky.example',
  httpRealm: null,
  username: 'ann, "the admin"',
  password: '=1+2,"x"\nsecond line, ünïcödé',
  usernameField: 'user',
  passwordField: 'pass',
  timeCreated: 1_600_000_000_000,
  timePasswordChanged: 1_600_000_000_000,
  timeLastUsed: 1_650_000_000_000,
  timesUsed: 3,
};

/** Keeps every line the daemon logs. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown): void {
    this.lines.push(String(message));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
}

/** The snapshot's tree (as the API shows it) in the shape the file readers give. */
function expectedItems(nodes: TreeNode[] | undefined): ReadItem[] {
  return (nodes ?? []).map((node): ReadItem => {
    if (node.type === 'separator') return { type: 'separator' };
    if (node.type === 'folder' || node.type === 'livemark') return { type: 'folder', title: node.title, children: expectedItems(node.children) };
    return { type: 'bookmark', title: node.title, url: node.url! };
  });
}

function expectedBookmarks(tree: TreeNode): ReadBookmarks {
  const root = (id: string) => expectedItems(tree.children?.find((node) => node.id === id)?.children);
  return { menu: root('menu'), toolbar: root('toolbar'), unfiled: root('unfiled'), mobile: root('mobile') };
}

function placesItems(nodes: PlacesNode[] | undefined): ReadItem[] {
  return (nodes ?? []).map((node): ReadItem => {
    if (node.typeCode === 3) return { type: 'separator' };
    if (node.typeCode === 2) return { type: 'folder', title: node.title, children: placesItems(node.children) };
    return { type: 'bookmark', title: node.title, url: node.uri! };
  });
}

function* walkTree(node: TreeNode): Generator<TreeNode> {
  yield node;
  for (const child of node.children ?? []) yield* walkTree(child);
}

function* walkPlaces(node: PlacesNode): Generator<PlacesNode> {
  yield node;
  for (const child of node.children ?? []) yield* walkPlaces(child);
}

function live(records: SandboxRecord[]): Array<Record<string, unknown>> {
  return records.flatMap((record) => (record.cleartext !== null && record.cleartext['deleted'] !== true ? [record.cleartext] : []));
}

describe('export', () => {
  let world: TestWorld;
  let sandbox: AccountsSandbox;
  let daemon: TestDaemon;
  let cookie: string;
  let account: SandboxAccount;
  let seq: number;
  const logger = new CapturingLogger();
  const outDir = mkdtempSync(join(tmpdir(), 'syncvault-export-'));

  async function download(path: string, withCookie = true): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const response = await fetch(`${daemon.url}${path}`, withCookie ? { headers: { cookie } } : {});
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  async function exported(collection: string, format: string): Promise<Buffer> {
    const answer = await download(`/api/accounts/desktop/snapshots/${seq}/export/${collection}?format=${format}`);
    assert.equal(answer.status, 200, answer.bytes.toString('utf8'));
    return answer.bytes;
  }

  const sandboxRecords = (collection: string) => sandbox.control<SandboxRecord[]>('GET', `/accounts/${encodeURIComponent(account.email)}/records/${collection}`);

  before(async () => {
    world = createTestWorld('export');
    sandbox = await AccountsSandbox.start();
    daemon = await startDaemon(world, { logger });
    cookie = await login(daemon.url);
    const api = new ApiClient(daemon.url, cookie);
    account = await sandbox.control<SandboxAccount>('POST', '/accounts', {
      kind: 'fxa',
      email: uniqueEmail('export'),
      password: `pw-${randomBytes(8).toString('hex')}`,
      seed: { bookmarks: 80, history: 150, passwords: 20, forms: 6 },
    });
    const email = encodeURIComponent(account.email);
    const toolbar = (await sandboxRecords('bookmarks')).find((record) => record.id === 'toolbar')?.cleartext;
    assert.ok(toolbar !== undefined && toolbar !== null);
    await sandbox.control('POST', `/accounts/${email}/records`, {
      collection: 'bookmarks',
      upsert: [
        { ...toolbar, children: [...(toolbar['children'] as string[]), 'trickyBmk001', 'trickyFold01'] },
        { id: 'trickyBmk001', type: 'bookmark', parentid: 'toolbar', parentName: 'toolbar', title: TRICKY_TITLE, bmkUri: TRICKY_URL, tags: ['tricky', 'à lire'], keyword: 'tk', dateAdded: 1_600_000_000_000 },
        { id: 'trickyFold01', type: 'folder', parentid: 'toolbar', parentName: 'toolbar', title: TRICKY_FOLDER, description: 'notes <i>here</i>', children: ['nestedBmk001'] },
        { id: 'nestedBmk001', type: 'bookmark', parentid: 'trickyFold01', parentName: TRICKY_FOLDER, title: 'Nested', bmkUri: 'https://nested.example/' },
      ],
    });
    await sandbox.control('POST', `/accounts/${email}/records`, { collection: 'passwords', upsert: [TRICKY_LOGIN] });

    await api.expect(201, 'POST', '/api/accounts', {
      name: 'desktop',
      kind: 'selfhosted15',
      email: account.email,
      password: account.password,
      fxaUrl: sandbox.urls.fxa,
      tokenServerUrl: sandbox.urls.tokenServer,
    });
    seq = await backUpThroughApi(api, 'desktop');
  });
  after(async () => {
    await daemon?.close();
    await sandbox?.close();
    await world?.drop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it("bookmarks HTML, parsed back as Firefox's import reads it, is the snapshot's bookmark tree", async () => {
    const answer = await download(`/api/accounts/desktop/snapshots/${seq}/export/bookmarks?format=html`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(answer.headers.get('content-disposition'), `attachment; filename="desktop-snapshot-${seq}-bookmarks.html"`);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const { tree, problems } = await (await fetch(`${daemon.url}/api/accounts/desktop/snapshots/${seq}/bookmarks/tree`, { headers: { cookie } })).json() as TreeAnswer;
    assert.deepEqual(problems['orphans'], [], 'nothing to move, so the file is the tree as it is');

    const read = readNetscapeBookmarks(answer.bytes.toString('utf8'));
    assert.deepEqual(read, expectedBookmarks(tree));
    assert.ok([...walkTree(tree)].length > 80, 'the seeded tree is all there');
    const tricky = read.toolbar.find((item) => item.url === TRICKY_URL);
    assert.deepEqual(tricky, { type: 'bookmark', title: TRICKY_TITLE, url: TRICKY_URL });
    assert.deepEqual(read.toolbar.find((item) => item.title === TRICKY_FOLDER)?.children, [{ type: 'bookmark', title: 'Nested', url: 'https://nested.example/' }]);
    assert.ok(read.menu.some((item) => item.type === 'separator'), 'separators come back');
  });

  it("bookmarks JSON is Firefox's backup of the same tree, and the .jsonlz4 decompresses to exactly that JSON", async () => {
    const json = (await exported('bookmarks', 'json')).toString('utf8');
    const backup = JSON.parse(json) as PlacesNode;
    const { tree } = await (await fetch(`${daemon.url}/api/accounts/desktop/snapshots/${seq}/bookmarks/tree`, { headers: { cookie } })).json() as TreeAnswer;
    assert.equal(backup.guid, 'root________');
    assert.deepEqual(backup.children?.map((root) => root.root), ['bookmarksMenuFolder', 'toolbarFolder', 'unfiledBookmarksFolder', 'mobileFolder']);
    const [menu, toolbar, unfiled, mobile] = backup.children ?? [];
    assert.deepEqual(
      { menu: placesItems(menu?.children), toolbar: placesItems(toolbar?.children), unfiled: placesItems(unfiled?.children), mobile: placesItems(mobile?.children) },
      expectedBookmarks(tree),
    );
    const places = [...walkPlaces(backup)];
    const treeIds = new Set([...walkTree(tree)].map((node) => node.id));
    for (const node of places) if (node.guid !== undefined && node.root === undefined) assert.ok(treeIds.has(node.guid), `${node.guid} is a record of the snapshot`);
    const tricky = places.find((node) => node.guid === 'trickyBmk001');
    assert.deepEqual([tricky?.uri, tricky?.tags, tricky?.keyword, tricky?.dateAdded], [TRICKY_URL, 'tricky,à lire', 'tk', 1_600_000_000_000_000]);

    const lz4 = await download(`/api/accounts/desktop/snapshots/${seq}/export/bookmarks?format=jsonlz4`);
    assert.equal(lz4.headers.get('content-type'), 'application/octet-stream');
    assert.equal(lz4.headers.get('content-disposition'), `attachment; filename="desktop-snapshot-${seq}-bookmarks.jsonlz4"`);
    assert.equal(readMozLz4(lz4.bytes), json);
    assert.ok(lz4.bytes.length < Buffer.byteLength(json));
  });

  it('the logins CSVs (Firefox and Bitwarden) hold every login with its username and password', async () => {
    const logins = live(await sandboxRecords('passwords'));
    assert.ok(logins.length >= 21);
    const firefox = readCsv((await exported('passwords', 'csv')).toString('utf8'));
    assert.equal(firefox.length, logins.length);
    for (const login of logins) {
      const row = firefox.find((candidate) => candidate['guid'] === login['id']);
      assert.ok(row !== undefined, `login ${String(login['id'])} is in the file`);
      assert.deepEqual([row['url'], row['username'], row['password'], row['httpRealm']], [login['hostname'], login['username'], login['password'], login['httpRealm'] ?? '']);
    }
    const bitwarden = readCsv((await exported('passwords', 'bitwarden-csv')).toString('utf8'));
    assert.equal(bitwarden.length, logins.length);
    for (const login of logins) {
      const row = bitwarden.find((candidate) => candidate['login_uri'] === login['hostname'] && candidate['login_username'] === login['username']);
      assert.equal(row?.['login_password'], login['password'], `${String(login['hostname'])} keeps its password`);
      assert.equal(row?.['type'], 'login');
    }
    assert.equal(bitwarden.find((row) => row['login_username'] === TRICKY_LOGIN.username)?.['login_password'], TRICKY_LOGIN.password);
  });

  it('history exports one CSV row per visit and one JSON page per record; any collection exports as its records', async () => {
    const pages = live(await sandboxRecords('history'));
    const visits = pages.reduce((sum, page) => sum + Math.max(1, (page['visits'] as unknown[]).length), 0);
    const csv = readCsv((await exported('history', 'csv')).toString('utf8'));
    assert.equal(csv.length, visits);
    assert.ok(csv.every((row) => row['visit_date'] === '' || !Number.isNaN(Date.parse(row['visit_date']!))));
    const json = JSON.parse((await exported('history', 'json')).toString('utf8')) as Array<{ id: string; url: string; visits: unknown[] }>;
    assert.equal(json.length, pages.length);
    for (const page of pages) assert.equal(json.find((candidate) => candidate.id === page['id'])?.visits.length, (page['visits'] as unknown[]).length);

    const forms = await sandboxRecords('forms');
    const records = JSON.parse((await exported('forms', 'json')).toString('utf8')) as Array<{ id: string; cleartext: unknown }>;
    assert.deepEqual(records.map((record) => record.id).sort(), forms.map((record) => record.id).sort());
    assert.deepEqual(records.find((record) => record.id === forms[0]!.id)?.cleartext, forms[0]!.cleartext);
  });

  it('needs a signed-in caller, refuses formats that do not fit, is documented, and logs who exported what but never the contents', async () => {
    const anonymous = await download(`/api/accounts/desktop/snapshots/${seq}/export/passwords?format=csv`, false);
    assert.equal(anonymous.status, 401);
    assert.ok(!anonymous.bytes.toString('utf8').includes(TRICKY_LOGIN.username));
    const wrong = await download(`/api/accounts/desktop/snapshots/${seq}/export/bookmarks?format=csv`);
    assert.equal(wrong.status, 400);
    assert.match(JSON.parse(wrong.bytes.toString('utf8')).message, /bookmarks cannot be exported as csv; it exports as html, json, jsonlz4, records/);
    assert.equal((await download(`/api/accounts/desktop/snapshots/${seq}/export/passwords?format=pdf`)).status, 400);
    assert.equal((await download(`/api/accounts/desktop/snapshots/${seq}/export/creditcards`)).status, 404);
    assert.equal((await download(`/api/accounts/desktop/snapshots/${seq + 40}/export/passwords`)).status, 404);

    const docs = (await (await fetch(`${daemon.url}/api/docs-json`, { headers: { cookie } })).json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema?: { enum?: string[] } }>; responses: Record<string, { content?: Record<string, unknown> }>; security?: unknown[] }>>;
    };
    const route = docs.paths['/api/accounts/{id}/snapshots/{seq}/export/{collection}']?.['get'];
    assert.ok(route !== undefined, 'the export route is in the OpenAPI document');
    assert.deepEqual(route.parameters?.find((parameter) => parameter.name === 'format')?.schema?.enum, ['html', 'json', 'jsonlz4', 'csv', 'bitwarden-csv', 'records']);
    assert.deepEqual(Object.keys(route.responses['200']?.content ?? {}).sort(), ['application/json', 'application/octet-stream', 'text/csv', 'text/html']);
    assert.ok(route.responses['401'] !== undefined && route.security !== undefined);

    await exported('passwords', 'csv');
    assert.ok(logger.lines.some((line) => /^admin \(\w+\) exports passwords of account desktop \(.+\) snapshot \d+ as csv$/.test(line)), logger.lines.join('\n'));
    const everything = logger.lines.join('\n');
    assert.ok(!everything.includes('second line') && !everything.includes(TRICKY_LOGIN.username), 'no exported value is logged');
  });

  it('syncvault export writes the same files, 0600 when written to a file, and says in one line when a format does not fit', async () => {
    const env = cliEnv(world.env);
    const file = join(outDir, 'logins.csv');
    const written = await runCli(['export', 'desktop', String(seq), 'passwords', '--format', 'bitwarden-csv', '--out', file], env);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /^Wrote \d+ item\(s\) of passwords from snapshot \d+ to .*logins\.csv \(Bitwarden CSV import\)\.\n$/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(file).equals(await exported('passwords', 'bitwarden-csv')));

    const lz4File = join(outDir, 'bookmarks.jsonlz4');
    assert.equal((await runCli(['export', 'desktop', String(seq), 'bookmarks', '--format', 'jsonlz4', '--out', lz4File], env)).code, 0);
    assert.ok(readFileSync(lz4File).equals(await exported('bookmarks', 'jsonlz4')));

    // On a terminal (util-linux's script gives the command one), binary output needs --out.
    const terminal = spawnSync('script', ['-qec', `${SYNCVAULT_BIN} export desktop ${seq} bookmarks --format jsonlz4`, '/dev/null'], { env, encoding: 'utf8' });
    assert.equal(terminal.status, 1);
    assert.equal(terminal.stdout.trim(), 'syncvault: jsonlz4 is binary: give --out FILE or redirect standard output to a file');

    const html = await runCli(['export', 'desktop', String(seq), 'bookmarks'], env);
    assert.equal(html.code, 0, html.stderr);
    assert.equal(html.stdout, (await exported('bookmarks', 'html')).toString('utf8'));

    const wrong = await runCli(['export', 'desktop', String(seq), 'bookmarks', '--format', 'csv'], env);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr, 'syncvault: bookmarks cannot be exported as csv; it exports as html, json, jsonlz4, records\n');
    const missing = await runCli(['export', 'desktop', String(seq + 40), 'history'], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `syncvault: the account has no snapshot ${seq + 40}\n`);
  });
});
