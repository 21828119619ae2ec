import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle, TooManyLoginAttemptsError } from '../../src/api/auth/login-throttle.js';

describe('LoginThrottle', () => {
  it('lets five failures through, then makes each address wait twice as long after every failure', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 4; i++) {
      throttle.check('a');
      throttle.recordFailure('a');
    }
    throttle.check('a');
    throttle.recordFailure('a');
    assert.throws(() => throttle.check('a'), (error: unknown) => error instanceof TooManyLoginAttemptsError && error.retryAfterSeconds === 1);
    throttle.check('b');
    now += 1000;
    throttle.check('a');
    throttle.recordFailure('a');
    assert.throws(() => throttle.check('a'), (error: unknown) => error instanceof TooManyLoginAttemptsError && error.retryAfterSeconds === 2);
    now += 2000;
    throttle.recordFailure('a');
    assert.throws(() => throttle.check('a'), (error: unknown) => error instanceof TooManyLoginAttemptsError && error.retryAfterSeconds === 4);
  });

  it('never makes anyone wait more than 15 minutes, and forgets an address after an hour or a success', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 40; i++) throttle.recordFailure('a');
    assert.throws(() => throttle.check('a'), (error: unknown) => error instanceof TooManyLoginAttemptsError && error.retryAfterSeconds === 900);
    now += 61 * 60_000;
    throttle.check('a');
    for (let i = 0; i < 10; i++) throttle.recordFailure('b');
    throttle.recordSuccess('b');
    throttle.check('b');
  });
});
