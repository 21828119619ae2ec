/** The statuses of the accounts, sign-in, backup and retention errors the API passes on. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toHttpError } from '../../src/api/errors.js';
import {
  AccountNameTakenError,
  AccountNotFoundError,
  InvalidAccountInputError,
  LegacyLoginError,
  LoginExpiredError,
  LoginInProgressError,
  WrongLoginStepError,
} from '../../src/accounts/errors.js';
import { SnapshotNotCompleteError, SnapshotNotFoundError } from '../../src/history/snapshot-reader.js';
import { InvalidRetentionPolicyError } from '../../src/retention/policy.js';
import { SnapshotRunningError } from '../../src/retention/forget-service.js';
import { AccountBusyError } from '../../src/store/locks.js';
import { WrongAccountKeyError } from '../../src/sync/connection.js';
import {
  FxaServiceUnavailableError,
  IncorrectPasswordError,
  InvalidUnblockCodeError,
  InvalidVerificationCodeError,
  ThrottledError,
  UnknownAccountError,
} from '../../src/sync/fxa/errors.js';
import { NetworkError } from '../../src/sync/http/errors.js';
import { TokenserverUnavailableError } from '../../src/sync/tokenserver/errors.js';

const fxa = { code: 400, errno: 103 };

describe('toHttpError for accounts, sign-ins, snapshots and retention', () => {
  it('bad input 400, unknown account or snapshot 404, conflicts 409, an ended sign-in 410', () => {
    assert.deepEqual(toHttpError(new InvalidAccountInputError('schedule', 'an interval is at least 1 minute')), {
      statusCode: 400,
      error: 'Bad Request',
      message: 'schedule: an interval is at least 1 minute',
    });
    assert.equal(toHttpError(new InvalidRetentionPolicyError('unknown retention rule "x"')).statusCode, 400);
    assert.equal(toHttpError(new AccountNotFoundError('laptop')).statusCode, 404);
    assert.equal(toHttpError(new SnapshotNotFoundError(3)).statusCode, 404);
    for (const error of [new AccountNameTakenError('laptop'), new LoginInProgressError(), new WrongLoginStepError('waits for a link'), new AccountBusyError('a'), new SnapshotRunningError(2), new SnapshotNotCompleteError(2, 'failed')]) {
      assert.equal(toHttpError(error).statusCode, 409, error.name);
    }
    assert.deepEqual(toHttpError(new LoginExpiredError(15)).statusCode, 410);
    assert.equal(toHttpError(new LoginExpiredError(15)).error, 'Gone');
  });

  it('credentials and codes a Sync server refused are 422, with its message', () => {
    const refused = [
      new IncorrectPasswordError('Incorrect password for this Firefox account (errno 103, HTTP 400)', fxa),
      new UnknownAccountError('Firefox Accounts knows no account with this email', fxa),
      new InvalidUnblockCodeError('The unblock code is wrong or expired', fxa),
      new InvalidVerificationCodeError('The confirmation code is wrong or expired', fxa),
      new LegacyLoginError('the Sync 1.1 server refused the password'),
      new WrongAccountKeyError('legacy11'),
    ];
    for (const error of refused) {
      const answer = toHttpError(error);
      assert.equal(answer.statusCode, 422, error.name);
      assert.equal(answer.error, 'Unprocessable Entity');
      assert.equal(answer.message, error.message);
    }
  });

  it('throttling is 429, a Sync server down for now 503, one that failed 502', () => {
    assert.equal(toHttpError(new ThrottledError('Firefox Accounts is throttling this client', { code: 429, errno: 114 }, 7)).statusCode, 429);
    assert.equal(toHttpError(new FxaServiceUnavailableError('Firefox Accounts is temporarily unavailable', { code: 503, errno: 201 }, 5)).statusCode, 503);
    assert.equal(toHttpError(new TokenserverUnavailableError('The tokenserver is temporarily unavailable', { httpStatus: 503 }, 5)).statusCode, 503);
    assert.equal(toHttpError(new NetworkError('sync.example.test:443', 'connection refused', 'ECONNREFUSED')).statusCode, 502);
  });
});
