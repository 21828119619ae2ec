/**
 * Errors of the accounts service. Messages are one line and never carry a secret (password, Sync
 * Key, tokens, kB): only names, kinds, emails, URLs and fixed text.
 */
export class AccountError extends Error {
  override readonly name: string = 'AccountError';
}

/** Bad input; `field` names it as AddAccountInput / AccountSettingsUpdate do (e.g. `retention.keepDaily`). */
export class InvalidAccountInputError extends AccountError {
  override readonly name: string = 'InvalidAccountInputError';
  constructor(
    readonly field: string | undefined,
    /** The problem without the field name, so a CLI can put its flag name in front. */
    readonly reason: string,
  ) {
    super(field === undefined ? reason : `${field}: ${reason}`);
  }
}

export class AccountNotFoundError extends AccountError {
  override readonly name: string = 'AccountNotFoundError';
  constructor(readonly nameOrId: string) {
    super(`no account named ${JSON.stringify(nameOrId)}`);
  }
}

export class AccountNameTakenError extends AccountError {
  override readonly name: string = 'AccountNameTakenError';
  constructor(readonly accountName: string) {
    super(`an account named ${JSON.stringify(accountName)} already exists; pick another name or remove that one first`);
  }
}

/** The loginId is unknown: it expired, was cancelled, finished, or the daemon restarted since. */
export class LoginExpiredError extends AccountError {
  override readonly name: string = 'LoginExpiredError';
  constructor(ttlMinutes: number) {
    super(
      `this sign-in is unknown or has expired (a sign-in waits at most ${ttlMinutes} minutes and ends when the daemon restarts); ` +
        'start adding the account again',
    );
  }
}

/** Another request is continuing the same sign-in right now. */
export class LoginInProgressError extends AccountError {
  override readonly name: string = 'LoginInProgressError';
  constructor() {
    super('this sign-in is already being continued by another request; wait for it to finish');
  }
}

/** The step does not take what was sent (a code for a sign-in that waits for an emailed link). */
export class WrongLoginStepError extends AccountError {
  override readonly name: string = 'WrongLoginStepError';
}

/** A Sync 1.1 server refused the account: wrong username/email or password. */
export class LegacyLoginError extends AccountError {
  override readonly name: string = 'LegacyLoginError';
}
