/** Admin sign-in, sessions, API tokens and the rule that every route but login and health needs one. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ADMIN_PASSWORD, createTestWorld, json, login, startDaemon, type TestDaemon, type TestWorld } from './support/daemon.js';

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
}

const PUBLIC_OPERATIONS = new Set(['POST /api/auth/login', 'GET /health']);

describe('API authentication', () => {
  let world: TestWorld;
  let daemon: TestDaemon;

  before(async () => {
    world = createTestWorld('auth');
    daemon = await startDaemon(world, { env: { SYNCVAULT_WORKERS: 'false' } });
  });
  after(async () => {
    await daemon?.close();
    await world?.drop();
  });

  it('rejects unauthenticated calls with 401 on every route of the OpenAPI document except login and health', async () => {
    const cookie = await login(daemon.url);
    const document = await json<OpenApiDocument>(await fetch(`${daemon.url}/api/docs-json`, { headers: { cookie } }));
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
    assert.ok(operations.length >= 10, `the document lists the API (${operations.length} operations)`);
    const checked: string[] = [];
    for (const { method, path } of operations) {
      const key = `${method} ${path}`;
      if (PUBLIC_OPERATIONS.has(key)) continue;
      const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const response = await fetch(`${daemon.url}${concrete}`, {
        method,
        ...(method !== 'GET' && method !== 'DELETE' && { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
      assert.equal(response.status, 401, `${key} answers ${response.status} without a session or token`);
      const body = await json<{ message: string }>(response);
      assert.match(body.message, /sign in first/);
      checked.push(key);
    }
    assert.ok(checked.includes('GET /api/jobs/{id}/events'), 'the SSE route is covered too');
    assert.ok(checked.includes('POST /api/accounts/{id}/backups'));
    // The docs themselves are served outside Nest's router; the same rule applies.
    assert.equal((await fetch(`${daemon.url}/api/docs-json`)).status, 401);
    assert.equal((await fetch(`${daemon.url}/api/docs`)).status, 401);
  });

  it('answers health and login without a session', async () => {
    assert.equal((await fetch(`${daemon.url}/health`)).status !== 401, true);
    const wrong = await fetch(`${daemon.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'not it' }) });
    assert.equal(wrong.status, 401);
    assert.deepEqual(await wrong.json(), { statusCode: 401, error: 'Unauthorized', message: 'wrong username or password' });
    const nobody = await fetch(`${daemon.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: ADMIN_PASSWORD }) });
    assert.equal(nobody.status, 401);
  });

  it('login sets an HttpOnly SameSite=Strict session cookie that works until logout', async () => {
    const response = await fetch(`${daemon.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true, mustChangePassword: false });
    const setCookie = response.headers.getSetCookie().find((line) => line.startsWith('syncvault_session='));
    assert.ok(setCookie, 'a session cookie is set');
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Strict/i);
    assert.match(setCookie, /Path=\//);
    const expires = /Expires=([^;]+)/i.exec(setCookie)?.[1];
    assert.ok(expires !== undefined);
    const days = (Date.parse(expires) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `the session lasts 7 days (${days.toFixed(2)})`);
    const cookie = setCookie.split(';', 1)[0]!;

    const me = await fetch(`${daemon.url}/api/auth/me`, { headers: { cookie } });
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { username: 'admin', via: 'session', tokenName: null, mustChangePassword: false });

    // Only a hash of the secret is stored.
    const secret = cookie.slice('syncvault_session='.length);
    const sessions = await world.prisma.authToken.findMany({ where: { kind: 'session' } });
    assert.ok(sessions.some((row) => Buffer.from(row.tokenHash).equals(createHash('sha256').update(secret).digest())));

    const logout = await fetch(`${daemon.url}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    assert.equal(logout.status, 200);
    assert.match(logout.headers.getSetCookie().join('\n'), /syncvault_session=;/);
    assert.equal((await fetch(`${daemon.url}/api/auth/me`, { headers: { cookie } })).status, 401, 'the cookie no longer works');
  });

  it('API tokens: shown once, stored as a SHA-256 only, work as Bearer, listed without secret, revocable', async () => {
    const cookie = await login(daemon.url);
    const created = await fetch(`${daemon.url}/api/auth/tokens`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'nightly script' }) });
    assert.equal(created.status, 201);
    const token = await json<{ id: string; name: string; token: string }>(created);
    assert.equal(token.name, 'nightly script');
    assert.match(token.token, /^sva_[A-Za-z0-9_-]{43}$/);

    const me = await fetch(`${daemon.url}/api/auth/me`, { headers: { authorization: `Bearer ${token.token}` } });
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { username: 'admin', via: 'api', tokenName: 'nightly script', mustChangePassword: false });

    const rows = await world.prisma.authToken.findMany({ where: { kind: 'api' } });
    assert.equal(rows.length, 1);
    assert.deepEqual(Buffer.from(rows[0]!.tokenHash), createHash('sha256').update(token.token).digest());
    const dump = JSON.stringify(await world.prisma.$queryRawUnsafe('SELECT row_to_json(t)::text AS row FROM "AuthToken" t'));
    assert.ok(!dump.includes(token.token), 'the token secret is nowhere in the table');
    assert.ok(!dump.includes(token.token.slice(4)), 'not even without its prefix');

    const listed = await json<Array<Record<string, unknown>>>(await fetch(`${daemon.url}/api/auth/tokens`, { headers: { authorization: `Bearer ${token.token}` } }));
    assert.deepEqual(listed.map((entry) => Object.keys(entry).sort()), [['createdAt', 'id', 'lastUsedAt', 'name']]);
    assert.ok(!JSON.stringify(listed).includes(token.token));

    assert.equal((await fetch(`${daemon.url}/api/auth/me`, { headers: { authorization: `Bearer ${token.token}x` } })).status, 401, 'a wrong token is refused');
    assert.equal((await fetch(`${daemon.url}/api/auth/me`, { headers: { authorization: `Bearer ${cookie.split('=')[1]}` } })).status, 401, 'a session secret is not an API token');

    const revoked = await fetch(`${daemon.url}/api/auth/tokens/${token.id}`, { method: 'DELETE', headers: { cookie } });
    assert.equal(revoked.status, 200);
    assert.equal((await fetch(`${daemon.url}/api/auth/me`, { headers: { authorization: `Bearer ${token.token}` } })).status, 401);
    assert.equal((await fetch(`${daemon.url}/api/auth/tokens/${token.id}`, { method: 'DELETE', headers: { cookie } })).status, 404);
    assert.equal((await fetch(`${daemon.url}/api/auth/tokens/not-a-uuid`, { method: 'DELETE', headers: { cookie } })).status, 400);
  });

  it('validates bodies: unknown fields and missing ones are 400 with a one-line message', async () => {
    const cookie = await login(daemon.url);
    const extra = await fetch(`${daemon.url}/api/auth/tokens`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', admin: true }) });
    assert.equal(extra.status, 400);
    const body = await json<{ message: string }>(extra);
    assert.match(body.message, /property admin should not exist/);
    assert.ok(!body.message.includes('\n'));
    const missing = await fetch(`${daemon.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin' }) });
    assert.equal(missing.status, 400);
  });

  it('changing the password ends the other sessions and the old password stops working', async () => {
    const kept = await login(daemon.url);
    const other = await login(daemon.url);
    const wrong = await fetch(`${daemon.url}/api/auth/password`, { method: 'POST', headers: { cookie: kept, 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: 'nope', newPassword: 'a new long password' }) });
    assert.equal(wrong.status, 400);
    const short = await fetch(`${daemon.url}/api/auth/password`, { method: 'POST', headers: { cookie: kept, 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: ADMIN_PASSWORD, newPassword: 'short' }) });
    assert.equal(short.status, 400);
    const changed = await fetch(`${daemon.url}/api/auth/password`, { method: 'POST', headers: { cookie: kept, 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: ADMIN_PASSWORD, newPassword: 'a new long password' }) });
    assert.equal(changed.status, 200);
    assert.equal((await fetch(`${daemon.url}/api/auth/me`, { headers: { cookie: kept } })).status, 200, 'the session that changed it stays');
    assert.equal((await fetch(`${daemon.url}/api/auth/me`, { headers: { cookie: other } })).status, 401, 'other sessions end');
    await assert.rejects(login(daemon.url), /401/);
    await login(daemon.url, 'a new long password');
    const admin = await world.prisma.adminUser.findFirstOrThrow();
    assert.match(admin.passwordHash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    // Put it back for the other tests.
    const restore = await fetch(`${daemon.url}/api/auth/password`, { method: 'POST', headers: { cookie: kept, 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: 'a new long password', newPassword: ADMIN_PASSWORD }) });
    assert.equal(restore.status, 200);
  });

  it('slows down repeated failed sign-ins from one address (429 with Retry-After)', async () => {
    const attempt = (password: string) =>
      fetch(`${daemon.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' }, body: JSON.stringify({ username: 'admin', password }) });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt('guess')).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    const blocked = await attempt(ADMIN_PASSWORD);
    assert.equal(blocked.status, 429, 'even the right password waits');
    assert.match(blocked.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal((await fetch(`${daemon.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) })).status, 200, 'other addresses are not affected');
  });
});

describe('first start', () => {
  it('an admin made with SYNCVAULT_ADMIN_PASSWORD is not asked to change it', async () => {
    const world = createTestWorld('admin_env');
    try {
      const daemon = await startDaemon(world, { env: { SYNCVAULT_WORKERS: 'false' } });
      try {
        const answer = await fetch(`${daemon.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
        assert.deepEqual(await answer.json(), { ok: true, mustChangePassword: false });
      } finally {
        await daemon.close();
      }
    } finally {
      await world.drop();
    }
  });

  it('creates the admin with a generated password, shown once, and never again on restart', async () => {
    const world = createTestWorld('admin');
    const shown: Array<{ username: string; password: string; generated: boolean }> = [];
    try {
      const first = await startDaemon(world, { adminPassword: undefined, onAdminCreated: (admin) => shown.push(admin), env: { SYNCVAULT_WORKERS: 'false' } });
      try {
        assert.equal(shown.length, 1);
        assert.equal(shown[0]!.username, 'admin');
        assert.equal(shown[0]!.generated, true);
        assert.ok(shown[0]!.password.length >= 20);
        const generated = shown[0]!.password;
        const signIn = async (password: string) =>
          fetch(`${first.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
        const firstSignIn = await signIn(generated);
        assert.deepEqual(await firstSignIn.json(), { ok: true, mustChangePassword: true }, 'a generated password is a one-time password');
        const cookie = (firstSignIn.headers.get('set-cookie') ?? '').split(';')[0]!;
        const me = async () => json<{ mustChangePassword: boolean }>(await fetch(`${first.url}/api/auth/me`, { headers: { cookie } }));
        assert.equal((await me()).mustChangePassword, true);
        const admin = await world.prisma.adminUser.findFirstOrThrow();
        assert.ok(!admin.passwordHash.includes(generated));

        const change = (newPassword: string) =>
          fetch(`${first.url}/api/auth/password`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: generated, newPassword }) });
        const same = await change(generated);
        assert.equal(same.status, 400);
        assert.match((await json<{ message: string }>(same)).message, /must differ/);
        assert.equal((await me()).mustChangePassword, true, 'a refused change changes nothing');
        assert.equal((await change('my own admin password')).status, 200);
        assert.equal((await me()).mustChangePassword, false, 'this session goes on, no longer asked');
        assert.equal((await signIn(generated)).status, 401, 'the generated password is spent');
        assert.deepEqual(await (await signIn('my own admin password')).json(), { ok: true, mustChangePassword: false });
      } finally {
        await first.close();
      }
      const second = await startDaemon(world, { adminPassword: 'another password entirely', onAdminCreated: (admin) => shown.push(admin), env: { SYNCVAULT_WORKERS: 'false' } });
      try {
        assert.equal(shown.length, 1, 'an existing admin is left alone');
        await login(second.url, 'my own admin password');
      } finally {
        await second.close();
      }
    } finally {
      await world.drop();
    }
  });
});
