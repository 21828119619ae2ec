import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginExpiredError, LoginInProgressError, PendingLogins } from '../../src/accounts/index.js';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('PendingLogins', () => {
  it('gives unguessable ids and hands the value to one caller at a time', async () => {
    const logins = new PendingLogins<string>({ ttlMs: 60_000 });
    const { loginId } = logins.add('step 1');
    assert.match(loginId, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(logins.add('other').loginId, loginId);

    let release: () => void = () => undefined;
    const first = logins.run(loginId, (value) => new Promise<string>((resolve) => (release = () => resolve(value))));
    await assert.rejects(logins.run(loginId, async (value) => value), LoginInProgressError);
    assert.throws(() => logins.remove(loginId), LoginInProgressError);
    release();
    assert.equal(await first, 'step 1');
    assert.equal(await logins.run(loginId, async (value) => value), 'step 1', 'free again once the first caller is done');
    logins.clear();
  });

  it('expires after its time: unknown from then on, and onExpire ends it once', async () => {
    const time = clock();
    const expired: string[] = [];
    const logins = new PendingLogins<string>({ ttlMs: 15 * 60_000, now: time.now, onExpire: (value) => expired.push(value) });
    const { loginId, expiresAt } = logins.add('waiting');
    assert.equal(expiresAt, time.now() + 15 * 60_000);
    time.advance(15 * 60_000 - 1);
    assert.equal(await logins.run(loginId, async (value, until) => `${value} until ${until}`), `waiting until ${expiresAt}`);
    time.advance(1);
    await assert.rejects(logins.run(loginId, async (value) => value), (error: unknown) => error instanceof LoginExpiredError && /15 minutes/.test(error.message));
    await assert.rejects(logins.run(loginId, async (value) => value), LoginExpiredError);
    assert.deepEqual(expired, ['waiting']);
    assert.equal(logins.size, 0);
  });

  it('an unknown id is LoginExpiredError; update keeps id and expiry; remove forgets without onExpire', async () => {
    const expired: string[] = [];
    const logins = new PendingLogins<string>({ ttlMs: 60_000, onExpire: (value) => expired.push(value) });
    await assert.rejects(logins.run('no-such-login', async () => 1), LoginExpiredError);
    const first = logins.add('step 1');
    assert.deepEqual(logins.update(first.loginId, 'step 2'), first);
    assert.equal(await logins.run(first.loginId, async (value) => value), 'step 2');
    assert.equal(logins.remove(first.loginId), 'step 2');
    assert.equal(logins.remove(first.loginId), undefined);
    assert.deepEqual(expired, []);
  });

  it('clear() ends every pending login', () => {
    const expired: string[] = [];
    const logins = new PendingLogins<string>({ ttlMs: 60_000, onExpire: (value) => expired.push(value) });
    logins.add('a');
    logins.add('b');
    logins.clear();
    assert.deepEqual(expired.sort(), ['a', 'b']);
    assert.equal(logins.size, 0);
  });
});
