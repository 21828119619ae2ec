import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { toHttpError } from './errors.js';
import { authenticateRequest, SESSION_COOKIE, SIGN_IN_FIRST } from './auth/auth-guard.js';
import type { AuthService } from './auth/auth-service.js';
import { BEARER_SCHEME, COOKIE_SCHEME } from './openapi-decorators.js';
import { UnauthorizedException } from '@nestjs/common';

/** Where the docs are, under the base path: the UI here, the JSON document at `${OPENAPI_PATH}-json`. */
export const OPENAPI_PATH = 'api/docs';

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const description = [
    'The Syncvault daemon: backups of Firefox Sync accounts.',
    '',
    `Sign in with POST /api/auth/login (sets the \`${SESSION_COOKIE}\` cookie) or send an API token (POST /api/auth/tokens) as \`Authorization: Bearer <token>\`.`,
    'Every route except login and /health needs one of them. Errors are `{statusCode, error, message}` with a one-line message.',
  ].join('\n');
  const config = new DocumentBuilder()
    .setTitle('Syncvault')
    .setDescription(description)
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque (sva_...)', description: 'An API token from POST /api/auth/tokens' }, BEARER_SCHEME)
    .addCookieAuth(SESSION_COOKIE, { type: 'apiKey', in: 'cookie', description: 'The session cookie POST /api/auth/login sets' }, COOKIE_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Serves the docs at `<base>/api/docs` and `<base>/api/docs-json`. They are plain Fastify routes
 * (the global guard does not see them), so a hook applies the same rule: signed-in callers only.
 */
export function setupOpenApi(app: NestFastifyApplication, auth: AuthService, basePath: string): void {
  const docsPrefix = `${basePath}/${OPENAPI_PATH}`;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?', 1)[0] ?? '';
      if (path !== docsPrefix && !path.startsWith(`${docsPrefix}/`) && !path.startsWith(`${docsPrefix}-`)) return;
      if ((await authenticateRequest(auth, request)) !== null) return;
      await reply.status(401).send(toHttpError(new UnauthorizedException(SIGN_IN_FIRST)));
    });
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(OPENAPI_PATH, app, () => (document ??= buildOpenApiDocument(app)), { useGlobalPrefix: true });
}
