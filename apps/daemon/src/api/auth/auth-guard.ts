import { createParamDecorator, Inject, Injectable, SetMetadata, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuthService, type Principal } from './auth-service.js';

export const SESSION_COOKIE = 'syncvault_session';

const PUBLIC_ROUTE = 'syncvault:public';
/** Marks a route that answers without signing in (login, health). Everything else needs a session or token. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

const principals = new WeakMap<object, Principal>();

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Who made the request: a session cookie (dashboard) or an `Authorization: Bearer` API token (scripts). */
export async function authenticateRequest(auth: AuthService, request: FastifyRequest): Promise<Principal | null> {
  const bearer = bearerToken(request.headers.authorization);
  if (bearer !== undefined) return auth.authenticate(bearer, 'api');
  const session = request.cookies?.[SESSION_COOKIE];
  if (session !== undefined) return auth.authenticate(session, 'session');
  return null;
}

export const SIGN_IN_FIRST = 'sign in first: POST /api/auth/login for a session cookie, or send Authorization: Bearer <API token>';

/** Global guard: every route is private unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]) === true) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await authenticateRequest(this.auth, request);
    if (principal === null) throw new UnauthorizedException(SIGN_IN_FIRST);
    principals.set(request, principal);
    return true;
  }
}

/** The authenticated caller of a private route. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = principals.get(context.switchToHttp().getRequest<object>());
  if (principal === undefined) throw new UnauthorizedException(SIGN_IN_FIRST);
  return principal;
});
