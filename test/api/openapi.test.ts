/** The OpenAPI document at /api/docs(-json), and serving under a base path. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestWorld, json, login, startDaemon, type TestDaemon, type TestWorld } from './support/daemon.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { security?: Array<Record<string, string[]>>; responses?: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }> };
}

describe('OpenAPI and the base path', () => {
  let world: TestWorld;
  let daemon: TestDaemon;

  before(async () => {
    world = createTestWorld('openapi');
    daemon = await startDaemon(world, { env: { SYNCVAULT_BASE_PATH: '/syncvault', SYNCVAULT_WORKERS: 'false' } });
  });
  after(async () => {
    await daemon?.close();
    await world?.drop();
  });

  it('serves everything under the base path', async () => {
    assert.match(daemon.url, /^http:\/\/127\.0\.0\.1:\d+\/syncvault$/);
    const origin = new URL(daemon.url).origin;
    assert.notEqual((await fetch(`${daemon.url}/health`)).status, 404);
    assert.equal((await fetch(`${origin}/health`)).status, 404);
    const cookie = await login(daemon.url);
    assert.equal((await fetch(`${daemon.url}/api/jobs`, { headers: { cookie } })).status, 200);
    assert.equal((await fetch(`${origin}/api/jobs`, { headers: { cookie } })).status, 404);
  });

  it('lists every route with its auth, and declares the bearer and cookie schemes', async () => {
    const cookie = await login(daemon.url);
    const response = await fetch(`${daemon.url}/api/docs-json`, { headers: { cookie } });
    assert.equal(response.status, 200);
    const document = await json<OpenApiDocument>(response);
    assert.match(document.openapi, /^3\./);
    const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    for (const route of [
      'POST /syncvault/api/auth/login',
      'POST /syncvault/api/auth/logout',
      'GET /syncvault/api/auth/me',
      'POST /syncvault/api/auth/tokens',
      'GET /syncvault/api/auth/tokens',
      'DELETE /syncvault/api/auth/tokens/{id}',
      'POST /syncvault/api/auth/password',
      'GET /syncvault/health',
      'GET /syncvault/api/jobs',
      'GET /syncvault/api/jobs/{id}',
      'GET /syncvault/api/jobs/{id}/events',
      'GET /syncvault/api/jobs/events',
      'POST /syncvault/api/jobs/{id}/retry',
      'POST /syncvault/api/jobs/{id}/cancel',
      'POST /syncvault/api/accounts/{id}/backups',
      'POST /syncvault/api/accounts/{id}/restore/plan',
      'POST /syncvault/api/accounts/{id}/restores',
      'POST /syncvault/api/migrations/plan',
      'POST /syncvault/api/migrations',
      'GET /syncvault/api/migrations',
      'GET /syncvault/api/migrations/{id}',
    ]) {
      assert.ok(routes.includes(route), `${route} is documented (have: ${routes.join(', ')})`);
    }
    assert.equal(document.components.securitySchemes['bearer']?.type, 'http');
    assert.equal(document.components.securitySchemes['bearer']?.scheme, 'bearer');
    assert.equal(document.components.securitySchemes['session']?.in, 'cookie');
    assert.equal(document.components.securitySchemes['session']?.name, 'syncvault_session');
    const jobs = document.paths['/syncvault/api/jobs']?.['get'];
    assert.deepEqual(jobs?.security, [{ bearer: [] }, { session: [] }]);
    assert.ok(jobs?.responses?.['200'] !== undefined && jobs.responses['401'] !== undefined);
    assert.equal(document.paths['/syncvault/api/auth/login']?.['post']?.security, undefined, 'login needs no auth');
  });

  it("documents a job's progress as a backup's, a restore's or a migration's, and the restore and migration routes' answers", async () => {
    const cookie = await login(daemon.url);
    const document = await json<OpenApiDocument & { components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> } }>(await fetch(`${daemon.url}/api/docs-json`, { headers: { cookie } }));
    const schemas = document.components.schemas;
    const progress = schemas['JobDto']?.properties?.['progress'];
    assert.deepEqual(progress?.['oneOf'], [{ $ref: '#/components/schemas/BackupProgressDto' }, { $ref: '#/components/schemas/RestoreProgressDto' }, { $ref: '#/components/schemas/MigrationProgressDto' }]);
    assert.equal(progress?.['nullable'], true);
    assert.deepEqual(schemas['JobDto']?.properties?.['queue']?.['enum'], ['backup', 'retention', 'restore', 'migrate']);
    assert.deepEqual(schemas['RestoreProgressDto']?.properties?.['phase']?.['enum'], ['pre-restore-snapshot', 'planning', 'writing', 'notifying-clients', 'verifying', 'done']);
    const restores = document.paths['/syncvault/api/accounts/{id}/restores']?.['post'];
    assert.deepEqual(Object.keys(restores?.responses ?? {}).sort(), ['202', '400', '401', '404', '409', '422', '503']);
    assert.deepEqual(schemas['MigrationProgressDto']?.properties?.['phase']?.['enum'], ['source-snapshot', 'planning', 'wiping-target', 'uploading', 'verifying', 'done']);
    const migrations = document.paths['/syncvault/api/migrations']?.['post'];
    assert.deepEqual(Object.keys(migrations?.responses ?? {}).sort(), ['202', '400', '401', '404', '422', '503']);
    assert.deepEqual(Object.keys(document.paths['/syncvault/api/migrations/{id}']?.['get']?.responses ?? {}).sort(), ['200', '401', '404']);
    assert.ok(schemas['MigrationPlanDto']?.properties?.['refusal'] !== undefined && schemas['MigrationResultDto']?.properties?.['clients'] !== undefined, 'the plan and result are documented');
  });

  it('serves the Swagger UI to a signed-in admin', async () => {
    const cookie = await login(daemon.url);
    const response = await fetch(`${daemon.url}/api/docs`, { headers: { cookie } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await response.text(), /swagger/i);
  });
});
