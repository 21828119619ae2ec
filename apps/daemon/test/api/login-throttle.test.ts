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

describe('LoginThrottle across addresses', () => {
  it('makes everyone wait (at most a minute) once failures from all addresses together pass 100, and a success ends it', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 99; i++) {
      throttle.check(`10.0.${i >> 8}.${i & 255}`);
      throttle.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    }
    throttle.check('192.0.2.1');
    throttle.recordFailure('192.0.2.1');
    assert.throws(
      () => throttle.check('198.51.100.7'),
      (error: unknown) => error instanceof TooManyLoginAttemptsError && error.retryAfterSeconds === 1 && !error.message.includes('from this address'),
    );
    for (let i = 0; i < 30; i++) throttle.recordFailure('192.0.2.1');
    now += 16 * 60_000;
    throttle.check('198.51.100.7');
    throttle.recordFailure('198.51.100.8');
    assert.throws(() => throttle.check('198.51.100.9'), (error: unknown) => error instanceof TooManyLoginAttemptsError && error.retryAfterSeconds === 60);
    throttle.recordSuccess('198.51.100.9');
    throttle.check('198.51.100.9');
  });
});
