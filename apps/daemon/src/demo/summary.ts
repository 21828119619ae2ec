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

export interface DemoAccountSummary {
  name: string;
  kind: AccountKind;
  email: string;
  snapshot: SnapshotDigest;
}

export interface DemoSummary {
  /** The API's base URL, with the real port and the base path. */
  url: string;
  /** The dashboard's URL, or why it does not run (not built). */
  dashboard: { url: string } | { missing: string };
  sandboxUrl: string;
  /** The demo key file in use, when the vault key comes from it. */
  vaultKeyFile?: string;
  admin: DemoAdmin;
  accounts: DemoAccountSummary[];
  /** The demo accounts' backup schedule. */
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

export function demoSummaryText(summary: DemoSummary): string {
  const { url, admin } = summary;
  const nameWidth = Math.max(...summary.accounts.map((account) => account.name.length), 12);
  const indent = ' '.repeat(2 + nameWidth + 2);
  const accountLines = summary.accounts.flatMap(({ name, kind, email, snapshot }) => [
    `  ${name.padEnd(nameWidth)}  ${kind}, ${email}: snapshot ${snapshot.seq} ${snapshot.status}, ${Object.keys(snapshot.collections).length} collections, ${recordCount(snapshot)} records`,
    ...collectionLines(snapshot, indent),
  ]);
  const password = admin.passwordSource === 'generated' && admin.password !== undefined ? admin.password : '<admin password>';
  const first = summary.accounts[0];
  return [
    '',
    'Syncvault demo is ready: the sandbox, the API, the workers and the dashboard run, and each demo account has its first backup.',
    '',
    `  dashboard  ${'url' in summary.dashboard ? `${summary.dashboard.url}  (sign in as the admin below)` : summary.dashboard.missing}`,
    `  API        ${url}  (OpenAPI at ${url}/api/docs once signed in)`,
    `  admin      ${adminLine(admin)}`,
    `  sandbox    ${summary.sandboxUrl}  (stands in for Mozilla's servers; in memory, new data at every start)`,
    ...(summary.vaultKeyFile === undefined ? [] : [`  vault key  ${summary.vaultKeyFile}`]),
    '',
    ...accountLines,
    `  Both are backed up ${summary.schedule.description} while the demo runs.`,
    '',
    'Try:',
    ...(first === undefined
      ? []
      : [`  npx syncvault snapshots ${first.name}`, `  npx syncvault show ${first.name} ${first.snapshot.seq} bookmarks --limit 5`]),
    `  curl -c demo.cookies -H 'content-type: application/json' -d '{"username": "${admin.username}", "password": "${password}"}' ${url}/api/auth/login`,
    `  curl -b demo.cookies ${url}/api/jobs`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
