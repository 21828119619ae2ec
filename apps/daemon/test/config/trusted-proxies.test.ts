import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('SYNCVAULT_TRUSTED_PROXIES', () => {
  it('trusts only loopback proxies unless told otherwise', () => {
    assert.deepEqual(loadConfig({}).trustedProxies, ['loopback']);
  });

  it('takes addresses, CIDR ranges and keywords separated by commas', () => {
    const config = loadConfig({ SYNCVAULT_TRUSTED_PROXIES: ' loopback, 172.16.0.0/12 ,10.1.2.3, fd00::/8,uniquelocal' });
    assert.deepEqual(config.trustedProxies, ['loopback', '172.16.0.0/12', '10.1.2.3', 'fd00::/8', 'uniquelocal']);
  });

  for (const bad of ['dashboard', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129', '300.1.1.1']) {
    it(`refuses ${JSON.stringify(bad)}, naming the variable and the entry`, () => {
      assert.throws(
        () => loadConfig({ SYNCVAULT_TRUSTED_PROXIES: `loopback,${bad}` }),
        (error: unknown) => error instanceof ConfigError && error.message.includes('SYNCVAULT_TRUSTED_PROXIES') && error.message.includes(bad),
      );
    });
  }
});
