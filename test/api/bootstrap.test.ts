/** createSyncvaultApp's vault key handling: required, except for the demo's own key file. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSyncvaultApp } from '@syncvault/daemon/api';
import { loadConfig } from '@syncvault/daemon/config';
import { VaultKeyError } from '@syncvault/daemon/vault';
import { createTestWorld, type TestWorld } from './support/daemon.js';

describe('createSyncvaultApp and the vault key', () => {
  let world: TestWorld;
  let directory: string;

  before(() => {
    world = createTestWorld('bootstrap');
    directory = mkdtempSync(join(tmpdir(), 'syncvault-bootstrap-'));
  });
  after(async () => {
    rmSync(directory, { recursive: true, force: true });
    await world?.drop();
  });

  it('refuses to build the app without a key, saying how to make one', async () => {
    const { SYNCVAULT_MASTER_KEY: _key, ...env } = world.env;
    await assert.rejects(createSyncvaultApp(loadConfig(env), { logger: false }), (error: unknown) => error instanceof VaultKeyError && /openssl rand -hex 32/.test(error.message));
  });

  it('the demo asks for its key file: created once (mode 0600), reused on the next start', async () => {
    const { SYNCVAULT_MASTER_KEY: _key, ...env } = world.env;
    const config = loadConfig({ ...env, SYNCVAULT_WORKERS: 'false' });
    const keyFile = join(directory, 'demo', 'vault.key');
    const first = await createSyncvaultApp(config, { logger: false, demoKeyFile: keyFile, adminPassword: 'demo password' });
    await first.close();
    const key = readFileSync(keyFile, 'utf8');
    assert.match(key, /^[0-9a-f]{64}\n$/);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const second = await createSyncvaultApp(config, { logger: false, demoKeyFile: keyFile });
    await second.close();
    assert.equal(readFileSync(keyFile, 'utf8'), key);
  });
});
