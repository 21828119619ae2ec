import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accountSecretsPurpose, toAccountView, type FxaAccountSecrets } from '../../src/accounts/index.js';
import type { Account } from '../../src/generated/prisma/client.js';
import { Vault } from '../../src/vault/index.js';

const SECRETS: FxaAccountSecrets = {
  kind: 'fxa',
  uid: '0123456789abcdef0123456789abcdef',
  kB: 'ab'.repeat(32),
  keysChangedAt: 1_700_000_000_000,
  refreshToken: 'cd'.repeat(32),
  sessionToken: 'ef'.repeat(32),
};

function row(overrides: Partial<Account> = {}): Account {
  const id = '3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
  return {
    id,
    name: 'laptop',
    kind: 'selfhosted15',
    email: 'me@example.com',
    fxaUrl: 'https://fxa.example.com',
    tokenServerUrl: 'https://sync.example.com/token/1.0/sync/1.5',
    serverUrl: null,
    storageUrl: null,
    signAsOrigin: null,
    sealedSecrets: new Uint8Array(new Vault(Buffer.alloc(32, 1)).sealJson(SECRETS, accountSecretsPurpose(id))),
    schedule: 'every 6h',
    retention: { keepDaily: 7 },
    alertSettings: { shrinkThreshold: 0.25 },
    createdAt: new Date('2026-01-02T03:04:05.000Z'),
    updatedAt: new Date('2026-01-03T03:04:05.000Z'),
    ...overrides,
  };
}

describe('toAccountView', () => {
  it('shows the public columns as plain JSON values', () => {
    assert.deepEqual(toAccountView(row()), {
      id: '3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      name: 'laptop',
      kind: 'selfhosted15',
      email: 'me@example.com',
      fxaUrl: 'https://fxa.example.com',
      tokenServerUrl: 'https://sync.example.com/token/1.0/sync/1.5',
      serverUrl: null,
      storageUrl: null,
      signAsOrigin: null,
      schedule: 'every 6h',
      retention: { keepDaily: 7 },
      alertSettings: { shrinkThreshold: 0.25 },
      createdAt: '2026-01-02T03:04:05.000Z',
      updatedAt: '2026-01-03T03:04:05.000Z',
    });
  });

  it('carries neither the sealed secrets nor anything from them, in any encoding', () => {
    const source = row();
    const json = JSON.stringify(toAccountView(source));
    assert.doesNotMatch(json, /sealed/i);
    const sealedHex = Buffer.from(source.sealedSecrets).toString('hex');
    const sealedBase64 = Buffer.from(source.sealedSecrets).toString('base64');
    assert.ok(!json.includes(sealedHex.slice(0, 32)) && !json.includes(sealedBase64.slice(0, 24)));
    for (const secret of [SECRETS.kB, SECRETS.refreshToken, SECRETS.sessionToken ?? '', SECRETS.uid]) assert.ok(!json.includes(secret));
  });

  it('drops malformed stored settings instead of passing them on', () => {
    const view = toAccountView(row({ retention: { keepDaily: -3, keepLast: 2 }, alertSettings: 'nonsense' }));
    assert.deepEqual(view.retention, { keepLast: 2 });
    assert.deepEqual(view.alertSettings, {});
  });
});
