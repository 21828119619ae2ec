/**
 * The accounts routes against the sandbox over HTTP: adding an account through every sign-in gate,
 * the errors a person can run into, settings as a merge patch mirrored into the BullMQ job
 * schedulers, removal, and no secret in any answer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Queue } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { AccountsSandbox, type SandboxAccount } from '../accounts/support.js';
import { ApiClient, backupQueue, schedulerOf, storedSecrets } from './support/api-client.js';
import { createTestWorld, json, login, startDaemon, type TestDaemon, type TestWorld } from './support/daemon.js';

interface Account {
  id: string;
  name: string;
  kind: string;
  email: string;
  fxaUrl: string | null;
  tokenServerUrl: string | null;
  serverUrl: string | null;
  schedule: string | null;
  nextRunAt: string | null;
  retention: Record<string, number>;
  alertSettings: Record<string, unknown>;
}

interface Step {
  status: string;
  account?: Account;
  loginId?: string;
  email?: string;
  method?: string;
  expiresAt?: string;
}

interface ErrorAnswer {
  statusCode: number;
  error: string;
  message: string;
}

describe('accounts API', () => {
  let world: TestWorld;
  let daemon: TestDaemon;
  let sandbox: AccountsSandbox;
  let api: ApiClient;
  let queue: Queue;
  /** Every secret a test handed to or got from a Sync server; none may appear in an answer. */
  const secrets: string[] = [];
  const added: string[] = [];

  const selfhosted = (account: SandboxAccount, name: string) => ({
    name,
    kind: 'selfhosted15',
    email: account.email,
    password: account.password,
    fxaUrl: sandbox.urls.fxa,
    tokenServerUrl: sandbox.urls.tokenServer,
  });
  const remember = (account: SandboxAccount) => secrets.push(account.password, ...(account.kB !== undefined ? [account.kB] : []), ...(account.syncKey !== undefined ? [account.syncKey] : []));

  before(async () => {
    world = createTestWorld('accounts_api');
    sandbox = await AccountsSandbox.start();
    // These tests are about accounts and schedulers, not about running the jobs they make.
    daemon = await startDaemon(world, { env: { SYNCVAULT_WORKERS: 'false' } });
    api = new ApiClient(daemon.url, await login(daemon.url));
    queue = backupQueue(world);
  });
  after(async () => {
    await queue?.close();
    await daemon?.close();
    await sandbox?.close();
    await world?.drop();
  });

  it('adds an account with no gate in one call (201 done) and lists it', async () => {
    const account = await sandbox.createFxa();
    remember(account);
    const step = await api.expect<Step>(201, 'POST', '/api/accounts', selfhosted(account, 'laptop'));
    assert.equal(step.status, 'done');
    assert.equal(step.loginId, undefined);
    const view = step.account!;
    added.push(view.id);
    assert.equal(view.name, 'laptop');
    assert.equal(view.kind, 'selfhosted15');
    assert.equal(view.email, account.email);
    assert.equal(view.fxaUrl, sandbox.urls.fxa);
    assert.equal(view.schedule, null);
    assert.deepEqual(view.retention, {});

    const listed = await api.expect<Account[]>(200, 'GET', '/api/accounts');
    assert.deepEqual(listed.map((entry) => entry.name), ['laptop']);
    assert.deepEqual(await api.expect<Account>(200, 'GET', '/api/accounts/laptop'), view);
    assert.deepEqual(await api.expect<Account>(200, 'GET', `/api/accounts/${view.id}`), view);
    const missing = await api.expect<ErrorAnswer>(404, 'GET', '/api/accounts/nobody');
    assert.deepEqual(missing, { statusCode: 404, error: 'Not Found', message: 'no account named "nobody"' });
  });

  it('with an unblock gate: 202 with a loginId, a wrong code is 422 and keeps the sign-in, the mailed code finishes it', async () => {
    const account = await sandbox.createFxa({ gates: { unblock: true } });
    remember(account);
    const step = await api.expect<Step>(202, 'POST', '/api/accounts', selfhosted(account, 'blocked'));
    assert.equal(step.status, 'unblock-code-required');
    assert.equal(step.email, account.email);
    assert.match(step.loginId ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.ok(Date.parse(step.expiresAt ?? '') > Date.now());

    const { unblockCode } = await sandbox.codes(account.email);
    assert.match(unblockCode ?? '', /^[0-9A-Z]{8}$/);
    const wrong = await api.call<ErrorAnswer>('POST', `/api/accounts/logins/${step.loginId}/code`, { code: unblockCode === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA' });
    assert.equal(wrong.status, 422);
    assert.match(wrong.body.message, /unblock code is wrong or expired/);

    const done = await api.expect<Step>(200, 'POST', `/api/accounts/logins/${step.loginId}/code`, { code: unblockCode });
    assert.equal(done.status, 'done');
    assert.equal(done.account?.name, 'blocked');
    added.push(done.account!.id);
    const again = await api.call<ErrorAnswer>('POST', `/api/accounts/logins/${step.loginId}/code`, { code: unblockCode });
    assert.equal(again.status, 410, 'a finished sign-in is gone');
  });

  it('with a TOTP gate: 202 verification-code-required (totp-2fa), the authenticator code finishes it, with the settings asked for', async () => {
    const account = await sandbox.createFxa({ gates: { verification: 'totp-2fa' } });
    remember(account);
    const step = await api.expect<Step>(202, 'POST', '/api/accounts', { ...selfhosted(account, 'totp'), settings: { schedule: 'every 12h', retention: { keepLast: 3 } } });
    assert.equal(step.status, 'verification-code-required');
    assert.equal(step.method, 'totp-2fa');
    // Polling a sign-in that waits for a code only says where it stands.
    const polled = await api.expect<Step>(202, 'POST', `/api/accounts/logins/${step.loginId}/poll`);
    assert.deepEqual(polled, step);
    const { totpCode } = await sandbox.codes(account.email);
    const done = await api.expect<Step>(200, 'POST', `/api/accounts/logins/${step.loginId}/code`, { code: totpCode });
    assert.equal(done.account?.name, 'totp');
    assert.equal(done.account?.schedule, 'every 12h');
    assert.deepEqual(done.account?.retention, { keepLast: 3 });
    added.push(done.account!.id);
    assert.deepEqual(await schedulerOf(queue, done.account!.id), { every: 12 * 3600_000 }, 'a new account’s schedule is mirrored as it is saved');
    const badSettings = await api.call<ErrorAnswer>('POST', '/api/accounts', { ...selfhosted(account, 'other'), settings: { when: 'often' } });
    assert.equal(badSettings.status, 400);
    assert.match(badSettings.body.message, /^settings\.when: unknown setting/);
  });

  it('a cancelled sign-in is gone; unknown loginIds are 410', async () => {
    const account = await sandbox.createFxa({ gates: { verification: 'email-otp' } });
    remember(account);
    const step = await api.expect<Step>(202, 'POST', '/api/accounts', selfhosted(account, 'cancelled'));
    assert.deepEqual(await api.expect(200, 'DELETE', `/api/accounts/logins/${step.loginId}`), { cancelled: true });
    assert.deepEqual(await api.expect(200, 'DELETE', `/api/accounts/logins/${step.loginId}`), { cancelled: false });
    const code = await api.call<ErrorAnswer>('POST', `/api/accounts/logins/${step.loginId}/code`, { code: '123456' });
    assert.equal(code.status, 410);
    assert.match(code.body.message, /unknown or has expired/);
    assert.equal((await api.call('POST', '/api/accounts/logins/no-such-login/poll')).status, 410);
    assert.equal((await api.call('GET', '/api/accounts/cancelled')).status, 404, 'nothing was saved');
  });

  it('refuses a wrong password (422), a taken name (409) and bad input (400), one line each, saving nothing', async () => {
    const account = await sandbox.createFxa();
    remember(account);
    const wrongPassword = `${account.password}-not`;
    secrets.push(wrongPassword);
    const refused = await api.call<ErrorAnswer>('POST', '/api/accounts', { ...selfhosted(account, 'wrong'), password: wrongPassword });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error, 'Unprocessable Entity');
    assert.match(refused.body.message, /Incorrect password/);

    const taken = await api.call<ErrorAnswer>('POST', '/api/accounts', selfhosted(account, 'laptop'));
    assert.equal(taken.status, 409);
    assert.match(taken.body.message, /an account named "laptop" already exists/);

    const cases: Array<[unknown, RegExp]> = [
      [{ ...selfhosted(account, 'x'), kind: 'firefox' }, /kind must be one of the following values/],
      [{ ...selfhosted(account, 'x'), admin: true }, /property admin should not exist/],
      [{ ...selfhosted(account, 'has space') }, /^name: use 1-64 characters/],
      [{ ...selfhosted(account, 'x'), fxaUrl: 'ftp://example.test' }, /^fxaUrl: must be an http/],
      [{ ...selfhosted(account, 'x'), syncKey: 'abc' }, /^syncKey: does not apply to a selfhosted15 account/],
      [{ name: 'x', kind: 'legacy11', serverUrl: sandbox.urls.storage11, email: account.email, password: 'pw' }, /^syncKey: a legacy11 account needs its Sync Key/],
      [{ name: 'x', kind: 'mozilla', email: account.email }, /password must be a string/],
    ];
    for (const [body, message] of cases) {
      const answer = await api.call<ErrorAnswer>('POST', '/api/accounts', body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)} → ${answer.text}`);
      assert.match(answer.body.message, message);
      assert.ok(!answer.body.message.includes('\n'));
    }
    assert.deepEqual((await api.expect<Account[]>(200, 'GET', '/api/accounts')).map((entry) => entry.name).sort(), ['blocked', 'laptop', 'totp']);
  });

  it('a throttled sign-in is 429 with the accounts server’s Retry-After; the next attempt goes through', async () => {
    const account = await sandbox.createFxa();
    remember(account);
    await sandbox.control('POST', '/throttle', { path: '/v1/account/login', count: 1, retryAfter: 7 });
    const throttled = await api.call<ErrorAnswer>('POST', '/api/accounts', selfhosted(account, 'throttled'));
    assert.equal(throttled.status, 429, throttled.text);
    assert.equal(throttled.headers.get('retry-after'), '7');
    assert.match(throttled.body.message, /throttling/);
    const done = await api.expect<Step>(201, 'POST', '/api/accounts', selfhosted(account, 'throttled'));
    added.push(done.account!.id);
    await api.expect(200, 'DELETE', '/api/accounts/throttled');
  });

  it('PATCH changes settings as a merge patch and mirrors the schedule into a BullMQ job scheduler at once', async () => {
    const laptop = await api.expect<Account>(200, 'GET', '/api/accounts/laptop');
    assert.equal(await schedulerOf(queue, laptop.id), undefined);

    const scheduled = await api.expect<Account>(200, 'PATCH', '/api/accounts/laptop', { schedule: 'every 6h', retention: { keepDaily: 7, keepWeekly: 4 } });
    assert.equal(scheduled.schedule, 'every 6h');
    assert.deepEqual(scheduled.retention, { keepDaily: 7, keepWeekly: 4 });
    assert.deepEqual(await schedulerOf(queue, laptop.id), { every: 6 * 3600_000 });
    const everyNext = (await queue.getJobScheduler(`backup:${laptop.id}`))?.next;
    assert.equal(scheduled.nextRunAt, new Date(everyNext ?? Number.NaN).toISOString(), 'the next run is the job scheduler’s');
    assert.ok(Date.parse(scheduled.nextRunAt ?? '') - Date.now() <= 6 * 3600_000, 'within one interval');
    const listed = await api.expect<Account[]>(200, 'GET', '/api/accounts');
    assert.equal(listed.find((account) => account.id === laptop.id)?.nextRunAt, scheduled.nextRunAt);
    assert.equal(laptop.nextRunAt, null, 'no schedule, no next run');

    const asked = new Date();
    const cron = await api.expect<Account>(200, 'PATCH', `/api/accounts/${laptop.id}`, { schedule: '0 3 * * *', retention: { keepWeekly: null }, alertSettings: { shrinkThreshold: 0.5 } });
    const next3am = (from: Date) => CronExpressionParser.parse('0 3 * * *', { tz: 'UTC', currentDate: from }).next().toISOString();
    assert.ok([next3am(asked), next3am(new Date())].includes(cron.nextRunAt ?? ''), `the next 03:00 UTC, not ${cron.nextRunAt}`);
    assert.equal((await api.expect<Account>(200, 'GET', '/api/accounts/laptop')).nextRunAt, cron.nextRunAt);
    assert.equal(cron.schedule, '0 3 * * *');
    assert.deepEqual(cron.retention, { keepDaily: 7 }, 'null drops one rule, the others stay');
    assert.deepEqual(cron.alertSettings, { shrinkThreshold: 0.5 });
    assert.deepEqual(await schedulerOf(queue, laptop.id), { pattern: '0 3 * * *' });

    const bad = await api.call<ErrorAnswer>('PATCH', '/api/accounts/laptop', { schedule: 'every 10s' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, 'schedule: an interval is at least 1 minute, e.g. every 15m');
    assert.equal((await api.call<ErrorAnswer>('PATCH', '/api/accounts/laptop', { retention: { keepForever: 1 } })).status, 400);
    assert.equal((await api.call<ErrorAnswer>('PATCH', '/api/accounts/laptop', { schedule: 5 })).status, 400);
    assert.deepEqual(await schedulerOf(queue, laptop.id), { pattern: '0 3 * * *' }, 'a refused change leaves the scheduler alone');

    const unscheduled = await api.expect<Account>(200, 'PATCH', '/api/accounts/laptop', { schedule: null });
    assert.equal(unscheduled.schedule, null);
    assert.equal(unscheduled.nextRunAt, null);
    assert.deepEqual(unscheduled.retention, { keepDaily: 7 }, 'absent fields stay');
    assert.equal(await schedulerOf(queue, laptop.id), undefined);
    assert.equal((await api.call('PATCH', '/api/accounts/nobody', { schedule: null })).status, 404);
  });

  it('reconnect signs an account in again: 200 done, or 422 with a wrong password', async () => {
    const account = await sandbox.createFxa();
    remember(account);
    const first = await api.expect<Step>(201, 'POST', '/api/accounts', selfhosted(account, 'phone'));
    added.push(first.account!.id);
    const refused = await api.call<ErrorAnswer>('POST', '/api/accounts/phone/reconnect', { password: `${account.password}x` });
    assert.equal(refused.status, 422);
    const done = await api.expect<Step>(200, 'POST', '/api/accounts/phone/reconnect', { password: account.password });
    assert.equal(done.status, 'done');
    assert.equal(done.account?.id, first.account!.id);
    assert.equal((await api.call('POST', '/api/accounts/phone/reconnect', {})).status, 400);
  });

  it('DELETE removes the account and its job scheduler', async () => {
    const phone = await api.expect<Account>(200, 'PATCH', '/api/accounts/phone', { schedule: 'every 1h' });
    assert.deepEqual(await schedulerOf(queue, phone.id), { every: 3600_000 });
    const removed = await api.expect<Account>(200, 'DELETE', '/api/accounts/phone');
    assert.equal(removed.id, phone.id);
    assert.equal(await schedulerOf(queue, phone.id), undefined);
    assert.equal((await api.call('GET', `/api/accounts/${phone.id}`)).status, 404);
    assert.equal(await world.prisma.account.count({ where: { id: phone.id } }), 0);
    assert.equal((await api.call('DELETE', '/api/accounts/phone')).status, 404);
  });

  it('no answer ever carried a password, kB, token or Sync Key', async () => {
    for (const id of added) {
      if ((await world.prisma.account.count({ where: { id } })) === 0) continue;
      secrets.push(...(await storedSecrets(world, id)));
    }
    assert.ok(secrets.length >= 10, `${secrets.length} secrets checked`);
    assert.ok(api.transcript.length >= 30, `${api.transcript.length} answers checked`);
    api.assertNoSecretIn(secrets);
  });

  it('documents every accounts route in OpenAPI (so the 401 sweep of auth.test covers them)', async () => {
    const document = await json<{ paths: Record<string, Record<string, unknown>> }>(await fetch(`${daemon.url}/api/docs-json`, { headers: { cookie: await login(daemon.url) } }));
    const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    for (const route of [
      'GET /api/accounts',
      'POST /api/accounts',
      'GET /api/accounts/{id}',
      'PATCH /api/accounts/{id}',
      'DELETE /api/accounts/{id}',
      'POST /api/accounts/{id}/reconnect',
      'POST /api/accounts/logins/{loginId}/code',
      'POST /api/accounts/logins/{loginId}/poll',
      'DELETE /api/accounts/logins/{loginId}',
    ]) {
      assert.ok(routes.includes(route), `${route} is documented`);
    }
  });
});
