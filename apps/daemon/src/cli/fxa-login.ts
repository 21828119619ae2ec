import { setTimeout as sleep } from 'node:timers/promises';
import type { FxaClient, FxaCredentials, LoginStep } from '../sync/index.js';
import { ask } from './prompt.js';

const EMAIL_CONFIRMATION_POLL_MS = 3_000;

/** Signs in to Firefox Accounts on a terminal, asking for whatever extra step the server wants. */
export async function loginOnTerminal(fxa: FxaClient, email: string, password: string): Promise<FxaCredentials> {
  let step: LoginStep = await fxa.beginLogin(email, password);
  while (step.kind !== 'done') {
    if (step.kind === 'unblock-code-required') {
      await fxa.sendUnblockCode(step.email);
      const code = await ask(
        `The accounts server blocked this sign-in for safety and emailed an unblock code to ${step.email}. Code:`,
        'the accounts server asks for an unblock code (emailed to the account); run this command on a terminal to enter it',
      );
      step = await fxa.submitUnblockCode(step, code);
    } else if (step.method === 'email') {
      process.stderr.write(`Confirm this sign-in with the link emailed to ${email}; waiting...\n`);
      await sleep(EMAIL_CONFIRMATION_POLL_MS);
      step = await fxa.checkVerification(step);
    } else {
      const what = step.method === 'totp-2fa' ? 'the code from your authenticator app' : `the code emailed to ${email}`;
      const code = await ask(
        `Enter ${what}:`,
        `the accounts server asks for ${what} to confirm this sign-in; run this command on a terminal to enter it`,
      );
      step = await fxa.submitVerificationCode(step, code);
    }
  }
  return step.session;
}
