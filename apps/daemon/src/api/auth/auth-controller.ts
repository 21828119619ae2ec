import '@fastify/cookie';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SyncvaultConfig } from '../../config/config.js';
import { SYNCVAULT_CONFIG } from '../../app/tokens.js';
import { ErrorDto, Private } from '../openapi-decorators.js';
import { CurrentPrincipal, Public, SESSION_COOKIE } from './auth-guard.js';
import { ApiTokenDto, ChangePasswordDto, CreateApiTokenDto, CreatedApiTokenDto, LoginDto, LoginResultDto, MeDto, OkDto } from './auth-dto.js';
import { AuthService, LoginFailedError, type ApiTokenInfo, type Principal } from './auth-service.js';
import { LoginThrottle } from './login-throttle.js';

function tokenDto(token: ApiTokenInfo): ApiTokenDto {
  return { id: token.id, name: token.name, createdAt: token.createdAt.toISOString(), lastUsedAt: token.lastUsedAt?.toISOString() ?? null };
}

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @Inject(SYNCVAULT_CONFIG) private readonly config: SyncvaultConfig,
  ) {}

  private get cookiePath(): string {
    return this.config.basePath === '' ? '/' : this.config.basePath;
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in as the admin: sets an HttpOnly session cookie valid for 7 days' })
  @ApiOkResponse({ type: LoginResultDto })
  @ApiUnauthorizedResponse({ type: ErrorDto, description: 'wrong username or password' })
  @ApiTooManyRequestsResponse({ type: ErrorDto, description: 'too many failed sign-ins from this address (see Retry-After)' })
  async login(@Body() body: LoginDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LoginResultDto> {
    this.throttle.check(request.ip);
    let session: { secret: string; expiresAt: Date; mustChangePassword: boolean };
    try {
      session = await this.auth.login(body.username, body.password);
    } catch (error) {
      if (error instanceof LoginFailedError) this.throttle.recordFailure(request.ip);
      throw error;
    }
    this.throttle.recordSuccess(request.ip);
    reply.setCookie(SESSION_COOKIE, session.secret, { path: this.cookiePath, httpOnly: true, sameSite: 'strict', secure: 'auto', expires: session.expiresAt });
    return { ok: true, mustChangePassword: session.mustChangePassword };
  }

  @Post('logout')
  @HttpCode(200)
  @Private()
  @ApiOperation({ summary: 'End this session (the cookie stops working at once)' })
  @ApiOkResponse({ type: OkDto })
  async logout(@CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<OkDto> {
    await this.auth.logout(principal);
    reply.clearCookie(SESSION_COOKIE, { path: this.cookiePath });
    return { ok: true };
  }

  @Get('me')
  @Private()
  @ApiOperation({ summary: 'Who is signed in, and how' })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentPrincipal() principal: Principal): MeDto {
    return { username: principal.username, via: principal.via, tokenName: principal.tokenName, mustChangePassword: principal.mustChangePassword };
  }

  @Post('tokens')
  @Private()
  @ApiOperation({ summary: 'Create an API token for scripts; its secret is in this answer only' })
  @ApiCreatedResponse({ type: CreatedApiTokenDto })
  async createToken(@Body() body: CreateApiTokenDto): Promise<CreatedApiTokenDto> {
    const created = await this.auth.createApiToken(body.name);
    return { ...tokenDto(created), token: created.token };
  }

  @Get('tokens')
  @Private()
  @ApiOperation({ summary: 'List API tokens (never their secrets)' })
  @ApiOkResponse({ type: ApiTokenDto, isArray: true })
  async listTokens(): Promise<ApiTokenDto[]> {
    return (await this.auth.listApiTokens()).map(tokenDto);
  }

  @Delete('tokens/:id')
  @Private()
  @ApiOperation({ summary: 'Revoke an API token' })
  @ApiOkResponse({ type: OkDto })
  async revokeToken(@Param('id', new ParseUUIDPipe()) id: string): Promise<OkDto> {
    await this.auth.revokeApiToken(id);
    return { ok: true };
  }

  @Post('password')
  @HttpCode(200)
  @Private()
  @ApiOperation({ summary: "Change the admin password; ends every other session (API tokens stay valid)" })
  @ApiOkResponse({ type: OkDto })
  async changePassword(@CurrentPrincipal() principal: Principal, @Body() body: ChangePasswordDto): Promise<OkDto> {
    await this.auth.changePassword(principal, body.currentPassword, body.newPassword);
    return { ok: true };
  }
}
