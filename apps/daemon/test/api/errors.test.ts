import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { toHttpError } from '../../src/api/errors.js';
import { AccountBusyError } from '../../src/store/locks.js';
import { InvalidScheduleError } from '../../src/jobs/schedule.js';
import { JobNotFoundError, QueueUnavailableError } from '../../src/jobs/jobs-service.js';
import { NetworkError } from '../../src/sync/http/errors.js';
import { MigrationNotFoundError, MigrationRefusedError, MigrationVerificationError } from '../../src/migrate/errors.js';
import type { MigrationResult } from '../../src/migrate/types.js';

function named(name: string, message = 'something'): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('toHttpError', () => {
  it('maps domain errors by kind: not found 404, busy 409, bad input 400, auth 401', () => {
    assert.deepEqual(toHttpError(new JobNotFoundError('7')), { statusCode: 404, error: 'Not Found', message: 'no job 7 (finished jobs are kept for 30 days, failed ones for 90)' });
    assert.equal(toHttpError(named('SnapshotNotFoundError')).statusCode, 404);
    assert.equal(toHttpError(new AccountBusyError('a')).statusCode, 409);
    assert.equal(toHttpError(named('AccountNameTakenError')).statusCode, 409);
    assert.equal(toHttpError(named('SomethingOddError')).statusCode, 500, 'no rule guesses at names it does not know');
    assert.equal(toHttpError(named('AccountExistsError')).statusCode, 409);
    assert.equal(toHttpError(new InvalidScheduleError('bad')).statusCode, 400);
    assert.equal(toHttpError(named('InvalidAccountInputError')).statusCode, 400);
    assert.equal(toHttpError(named('LoginFailedError')).statusCode, 401);
    assert.equal(toHttpError(named('TooManyLoginAttemptsError')).statusCode, 429);
    assert.equal(toHttpError(new QueueUnavailableError()).statusCode, 503);
    assert.equal(toHttpError(new NetworkError('example.test:443', 'connection reset', 'ECONNRESET')).statusCode, 502);
    assert.equal(toHttpError(Object.assign(new Error('x'), { code: 'P2025' })).statusCode, 404);
    assert.equal(toHttpError(Object.assign(new Error('x'), { code: 'P2002' })).statusCode, 409);
  });

  it('maps migration errors: refused and failed verification 422 with their message, an unknown migration 404', () => {
    assert.deepEqual(toHttpError(new MigrationRefusedError('the target is not empty')), { statusCode: 422, error: 'Unprocessable Entity', message: 'the target is not empty' });
    const verification = { ok: false, collections: [{ collection: 'bookmarks', expected: 2, found: 1, mismatches: 1 }], mismatches: [{ collection: 'bookmarks', id: 'b1', problem: 'missing' }] };
    const failed = toHttpError(new MigrationVerificationError({ verification } as unknown as MigrationResult));
    assert.equal(failed.statusCode, 422);
    assert.match(failed.message, /bookmarks\/b1 \(missing\)/);
    assert.equal(toHttpError(new MigrationNotFoundError('m')).statusCode, 404);
  });

  it('keeps messages to one line and hides the text of unexpected errors', () => {
    assert.equal(toHttpError(new InvalidScheduleError('first line\nsecond line with details')).message, 'first line');
    const internal = toHttpError(new Error('connection string postgresql://user:secret@db/x failed'));
    assert.deepEqual(internal, { statusCode: 500, error: 'Internal Server Error', message: 'internal error (details are in the daemon log)' });
    assert.deepEqual(toHttpError('not even an error'), internal);
    assert.equal(toHttpError(named('Error', 'x'.repeat(2000))).message, 'internal error (details are in the daemon log)', 'a 500 never echoes');
    assert.equal(toHttpError(new InvalidScheduleError('x'.repeat(2000))).message.length, 500);
  });

  it('passes Nest HTTP exceptions through, joining validation messages', () => {
    assert.deepEqual(toHttpError(new BadRequestException(['name must be a string', 'property admin should not exist'])), {
      statusCode: 400,
      error: 'Bad Request',
      message: 'name must be a string; property admin should not exist',
    });
    assert.deepEqual(toHttpError(new NotFoundException('Cannot GET /nope')), { statusCode: 404, error: 'Not Found', message: 'Cannot GET /nope' });
  });
});
