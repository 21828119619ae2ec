import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiProperty, ApiUnauthorizedResponse } from '@nestjs/swagger';

export const BEARER_SCHEME = 'bearer';
export const COOKIE_SCHEME = 'session';

/** The `:id` of every `/api/accounts/:id/...` route. */
export const ACCOUNT_PARAM = { name: 'id', description: 'Account id or name' } as const;

/** Every error answer: one line, no secrets. */
export class ErrorDto {
  @ApiProperty({ example: 404 })
  statusCode!: number;

  @ApiProperty({ example: 'Not Found' })
  error!: string;

  @ApiProperty({ example: 'no job 1234' })
  message!: string;
}

/**
 * Documents that a route needs the session cookie or an API token. The AuthGuard enforces it for
 * every route not marked @Public(), whether or not this is there.
 */
export const Private = () => applyDecorators(ApiBearerAuth(BEARER_SCHEME), ApiCookieAuth(COOKIE_SCHEME), ApiUnauthorizedResponse({ type: ErrorDto, description: 'not signed in' }));
