import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadVaultKey, Vault, VaultKeyError, VaultOpenError } from '../../src/vault/index.js';

const KEY = Buffer.alloc(32, 7);

describe('Vault', () => {
  it('seals and opens a value for the same purpose; the sealed bytes do not contain it', () => {
    const vault = new Vault(KEY);
    const sealed = vault.sealJson({ kB: 'secret-kb-value' }, 'account:1:secrets');
    assert.ok(!sealed.toString('latin1').includes('secret-kb-value'));
    assert.deepEqual(vault.openJson(sealed, 'account:1:secrets'), { kB: 'secret-kb-value' });
  });

  it('uses a fresh nonce each time: the same value seals differently', () => {
    const vault = new Vault(KEY);
    assert.notDeepEqual(vault.seal(Buffer.from('x'), 'p'), vault.seal(Buffer.from('x'), 'p'));
  });

  it('refuses another purpose, another key, and any altered byte', () => {
    const vault = new Vault(KEY);
    const sealed = vault.seal(Buffer.from('value'), 'account:1:secrets');
    assert.throws(() => vault.open(sealed, 'account:2:secrets'), VaultOpenError);
    assert.throws(() => new Vault(Buffer.alloc(32, 8)).open(sealed, 'account:1:secrets'), VaultOpenError);
    for (const index of [0, 5, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[index] = (altered[index] ?? 0) ^ 1;
      assert.throws(() => vault.open(altered, 'account:1:secrets'), VaultOpenError);
    }
  });

  it('never shows its key when logged', () => {
    const vault = new Vault(KEY);
    assert.equal(inspect(vault), '[Vault]');
    assert.equal(JSON.stringify({ vault }), '{"vault":"[Vault]"}');
  });
});

describe('loadVaultKey', () => {
  it('reads hex or base64 from the environment value', () => {
    assert.deepEqual(loadVaultKey({ masterKey: KEY.toString('hex') }).key, KEY);
    assert.deepEqual(loadVaultKey({ masterKey: KEY.toString('base64') }).key, KEY);
  });

  it('rejects a short or malformed key and says how to make one, without echoing it', () => {
    for (const bad of ['abc', 'zz'.repeat(32), Buffer.alloc(16).toString('base64')]) {
      assert.throws(() => loadVaultKey({ masterKey: bad }), (error: unknown) => error instanceof VaultKeyError && /openssl rand/.test(error.message) && !error.message.includes(bad));
    }
  });

  it('with no key and no demo file, refuses to start', () => {
    assert.throws(() => loadVaultKey({}), (error: unknown) => error instanceof VaultKeyError && /SYNCVAULT_MASTER_KEY/.test(error.message));
  });

  it('reads a key file, and a missing one is an error naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-'));
    const file = join(dir, 'key');
    assert.throws(() => loadVaultKey({ keyFile: file }), new RegExp(file.replace(/[/\\]/g, '.')));
    writeFileSync(file, `${KEY.toString('hex')}\n`);
    assert.deepEqual(loadVaultKey({ keyFile: file }), { key: KEY, source: 'key-file', path: file, created: false });
  });

  it('the demo creates a private key file once and reuses it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vault-')), 'demo', 'vault.key');
    const first = loadVaultKey({ demoKeyFile: file });
    assert.equal(first.created, true);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8').trim(), first.key.toString('hex'));
    const second = loadVaultKey({ demoKeyFile: file });
    assert.equal(second.created, false);
    assert.deepEqual(second.key, first.key);
  });
});
