/** What the demo prints once it is ready: for a person, or as one JSON line (`--json`). */
import type { AccountKind } from '../accounts/types.js';
import type { SnapshotDigest } from '../jobs/snapshot-digest.js';

export interface DemoAdmin {
  username: string;
  /** Only when this start created the admin with a generated password: it is shown this once. */
  password?: string;
  /** generated: made up at this start; environment: SYNCVAULT_ADMIN_PASSWORD; earlier: an admin already existed. */
  passwordSource: 'generated' | 'environment' | 'earlier';
}

/** A backed-up account with its first snapshot, or the empty migration target (no snapshot). */
export type DemoAccountSummary = { name: string; kind: AccountKind; email: string } & (
  | { role: 'backed-up'; snapshot: SnapshotDigest }
  | { role: 'migration-target' }
);

export interface DemoSummary {
  /** The API's base URL, with the real port and the base path. */
  url: string;
  /** The dashboard's URL, or why it does not run (not built). */
  dashboard: { url: string } | { missing: string };
  sandboxUrl: string;
  /** The self-hosted sandbox, with its path prefix: the migration target's servers. */
  selfhostedSandboxUrl: string;
  /** The demo key file in use, when the vault key comes from it. */
  vaultKeyFile?: string;
  admin: DemoAdmin;
  accounts: DemoAccountSummary[];
  /** The backed-up demo accounts' schedule. */
  schedule: { pattern: string; description: string };
}

const WRAP_AT = 96;

function recordCount(snapshot: SnapshotDigest): number {
  return Object.values(snapshot.collections).reduce((sum, collection) => sum + collection.count, 0);
}

/** `addons 5, bookmarks 120, ...` in lines of at most WRAP_AT characters, each starting with `indent`. */
function collectionLines(snapshot: SnapshotDigest, indent: string): string[] {
  const parts = Object.entries(snapshot.collections)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, collection]) => `${name} ${collection.count}`);
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const next = line === '' ? part : `${line}, ${part}`;
    if (indent.length + next.length > WRAP_AT && line !== '') {
      lines.push(`${indent}${line},`);
      line = part;
    } else {
      line = next;
    }
  }
  if (line !== '') lines.push(`${indent}${line}`);
  return lines;
}

function adminLine(admin: DemoAdmin): string {
  switch (admin.passwordSource) {
    case 'generated':
      return `${admin.username} / ${admin.password ?? ''}  (generated now and shown only this once: note it)`;
    case 'environment':
      return `${admin.username}  (password from SYNCVAULT_ADMIN_PASSWORD)`;
    case 'earlier':
      return `${admin.username}  (password from the first start; lost it? npx syncvault admin reset-password)`;
  }
}

/** `a`, `a and b`, `a, b and c`. */
export function listText(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

function accountLines(account: DemoAccountSummary, nameWidth: number): string[] {
  const head = `  ${account.name.padEnd(nameWidth)}  ${account.kind}, ${account.email}`;
  const indent = ' '.repeat(2 + nameWidth + 2);
  if (account.role === 'migration-target') {
    return [`${head}: empty, the migration target (not backed up)`, `${indent}its storage on the self-hosted sandbox`];
  }
  const { snapshot } = account;
  return [
    `${head}: snapshot ${snapshot.seq} ${snapshot.status}, ${Object.keys(snapshot.collections).length} collections, ${recordCount(snapshot)} records`,
    ...collectionLines(snapshot, indent),
  ];
}

function tryLines(summary: DemoSummary): string[] {
  const backedUp = summary.accounts.flatMap((account) => (account.role === 'backed-up' ? [account] : []));
  const first = backedUp[0];
  const target = summary.accounts.find((account) => account.role === 'migration-target');
  const lines = first === undefined ? [] : [`  npx syncvault snapshots ${first.name}`, `  npx syncvault show ${first.name} ${first.snapshot.seq} bookmarks --limit 5`];
  if (first !== undefined && target !== undefined) {
    lines.push(
      `  npx syncvault migrate ${first.name} ${target.name} --dry-run`,
      `  npx syncvault migrate ${first.name} ${target.name}`,
      'url' in summary.dashboard
        ? `  (or the dashboard's Migrate page: ${summary.dashboard.url}/migrate)`
        : "  (or the dashboard's Migrate page, once the dashboard is built)",
    );
  }
  return lines;
}

export function demoSummaryText(summary: DemoSummary): string {
  const { url, admin } = summary;
  const nameWidth = Math.max(...summary.accounts.map((account) => account.name.length), 12);
  const backedUp = summary.accounts.filter((account) => account.role === 'backed-up').map((account) => account.name);
  const password = admin.passwordSource === 'generated' && admin.password !== undefined ? admin.password : '<admin password>';
  return [
    '',
    'Syncvault demo is ready: the sandboxes, the API, the workers and the dashboard run, and each demo account but the migration target has its first backup.',
    '',
    `  dashboard  ${'url' in summary.dashboard ? `${summary.dashboard.url}  (sign in as the admin below)` : summary.dashboard.missing}`,
    `  API        ${url}  (OpenAPI at ${url}/api/docs once signed in)`,
    `  admin      ${adminLine(admin)}`,
    `  sandbox    ${summary.sandboxUrl}  (stands in for Mozilla's servers; in memory, new data at every start)`,
    `             ${summary.selfhostedSandboxUrl}  (stands in for your own syncstorage-rs behind a proxy; empty)`,
    ...(summary.vaultKeyFile === undefined ? [] : [`  vault key  ${summary.vaultKeyFile}`]),
    '',
    ...summary.accounts.flatMap((account) => accountLines(account, nameWidth)),
    ...(backedUp.length === 0 ? [] : [`  ${listText(backedUp)} ${backedUp.length === 1 ? 'is' : 'are'} backed up ${summary.schedule.description} while the demo runs.`]),
    '',
    'Try:',
    ...tryLines(summary),
    `  curl -c demo.cookies -H 'content-type: application/json' -d '{"username": "${admin.username}", "password": "${password}"}' ${url}/api/auth/login`,
    `  curl -b demo.cookies ${url}/api/jobs`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
