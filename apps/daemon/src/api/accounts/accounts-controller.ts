import { applyDecorators, Body, Controller, Delete, Get, HttpStatus, Inject, Param, Patch, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccountService, type AccountView, type AddAccountInput, type AddAccountStep } from '../../accounts/index.js';
import { PRISMA } from '../../app/tokens.js';
import { storageUsage, type PrismaClient } from '../../store/index.js';
import { ACCOUNT_PARAM, ErrorDto, Private } from '../openapi-decorators.js';
import {
  AccountDto,
  accountDto,
  AccountSettingsUpdateDto,
  AddAccountDto,
  AddAccountStepDto,
  addAccountStepDto,
  CancelledLoginDto,
  LoginCodeDto,
  ReconnectAccountDto,
  sentFields,
} from './accounts-dto.js';
import { NextRuns } from './next-runs.js';

const LOGIN_PARAM = { name: 'loginId', description: 'The loginId of a step that waits for the user' } as const;

/** What a sign-in step can fail with, besides bad input. */
const SignInErrors = () =>
  applyDecorators(
    ApiUnprocessableEntityResponse({ type: ErrorDto, description: 'the Sync server refused the password, Sync Key or code' }),
    ApiTooManyRequestsResponse({ type: ErrorDto, description: 'the accounts server asks to slow down (see Retry-After)' }),
    ApiBadGatewayResponse({ type: ErrorDto, description: 'a Sync server failed or could not be reached' }),
    ApiServiceUnavailableResponse({ type: ErrorDto, description: 'a Sync server is temporarily unavailable (see Retry-After)' }),
  );

@ApiTags('accounts')
@Private()
@Controller('api/accounts')
export class AccountsController {
  constructor(
    @Inject(AccountService) private readonly accounts: AccountService,
    @Inject(NextRuns) private readonly nextRuns: NextRuns,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every account, by name (never a secret)' })
  @ApiOkResponse({ type: AccountDto, isArray: true })
  async list(): Promise<AccountDto[]> {
    return this.dtos(await this.accounts.list());
  }

  @Post()
  @ApiOperation({
    summary: 'Add an account: signs in once and checks that its data decrypts before keeping it',
    description:
      'Answers 201 with the account when the accounts server asks nothing more, or 202 with the step it waits for (an unblock code, a verification code, or a click on an emailed link) and a loginId to continue with. The password is used for the sign-in only; what is kept is sealed in the vault and never shown.',
  })
  @ApiCreatedResponse({ type: AddAccountStepDto, description: '`{status: "done", account}`' })
  @ApiAcceptedResponse({ type: AddAccountStepDto, description: '`{status: "...-required", loginId, email, method?, expiresAt}`' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'bad input, naming the field' })
  @ApiConflictResponse({ type: ErrorDto, description: 'an account with this name exists' })
  @SignInErrors()
  async add(@Body() body: AddAccountDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<AddAccountStepDto> {
    const { settings, ...fields } = sentFields(body);
    const input = { ...fields, ...(settings !== undefined && { settings: sentFields(settings) }) } as AddAccountInput;
    return this.answerStep(reply, await this.accounts.beginAdd(input), HttpStatus.CREATED);
  }

  @Post('logins/:loginId/code')
  @ApiOperation({ summary: 'Continue a sign-in with the unblock or verification code it waits for; a wrong code can be tried again' })
  @ApiParam(LOGIN_PARAM)
  @ApiOkResponse({ type: AddAccountStepDto, description: 'done: the account is saved' })
  @ApiAcceptedResponse({ type: AddAccountStepDto, description: 'the next step (e.g. a verification code after the unblock code)' })
  @ApiConflictResponse({ type: ErrorDto, description: 'the sign-in waits for an emailed link, not a code, or another request is continuing it' })
  @ApiGoneResponse({ type: ErrorDto, description: 'no such sign-in (expired, finished, cancelled, or the daemon restarted): start again' })
  @SignInErrors()
  async submitCode(@Param('loginId') loginId: string, @Body() body: LoginCodeDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<AddAccountStepDto> {
    return this.answerStep(reply, await this.accounts.continueAdd(loginId, { code: body.code }), HttpStatus.OK);
  }

  @Post('logins/:loginId/poll')
  @ApiOperation({ summary: 'Check whether the emailed link of a sign-in was clicked: done, or the same step while not yet' })
  @ApiParam(LOGIN_PARAM)
  @ApiOkResponse({ type: AddAccountStepDto, description: 'done: the account is saved' })
  @ApiAcceptedResponse({ type: AddAccountStepDto, description: 'still waiting' })
  @ApiGoneResponse({ type: ErrorDto, description: 'no such sign-in: start again' })
  @SignInErrors()
  async poll(@Param('loginId') loginId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<AddAccountStepDto> {
    return this.answerStep(reply, await this.accounts.pollAdd(loginId), HttpStatus.OK);
  }

  @Delete('logins/:loginId')
  @ApiOperation({ summary: 'Abandon a sign-in that waits for the user (its session at the accounts server ends)' })
  @ApiParam(LOGIN_PARAM)
  @ApiOkResponse({ type: CancelledLoginDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'another request is continuing it right now' })
  async cancel(@Param('loginId') loginId: string): Promise<CancelledLoginDto> {
    return { cancelled: await this.accounts.cancelAdd(loginId) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One account' })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: AccountDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async get(@Param('id') id: string): Promise<AccountDto> {
    return this.dto(await this.accounts.get(id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change the schedule, retention policy or alert settings (JSON merge patch)',
    description: 'An absent field stays as it is, null clears it, a value replaces it. A changed schedule takes effect in the job schedulers at once.',
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: AccountDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'bad setting, naming the field' })
  @ApiNotFoundResponse({ type: ErrorDto })
  async update(@Param('id') id: string, @Body() body: AccountSettingsUpdateDto): Promise<AccountDto> {
    return this.dto(await this.accounts.updateSettings(id, sentFields(body)));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Remove an account with all its snapshots and its schedule; signs Syncvault out of a Firefox account' })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: AccountDto, description: 'the removed account' })
  @ApiNotFoundResponse({ type: ErrorDto })
  async remove(@Param('id') id: string): Promise<AccountDto> {
    return accountDto(await this.accounts.remove(id));
  }

  @Post(':id/reconnect')
  @ApiOperation({
    summary: 'Sign an account in again, e.g. after its password changed; it keeps its snapshots and settings',
    description: 'The same steps as adding: 200 with the account when done, 202 with a step to continue at /api/accounts/logins/{loginId}.',
  })
  @ApiParam(ACCOUNT_PARAM)
  @ApiOkResponse({ type: AddAccountStepDto, description: 'done' })
  @ApiAcceptedResponse({ type: AddAccountStepDto, description: 'waits for the user' })
  @ApiNotFoundResponse({ type: ErrorDto })
  @SignInErrors()
  async reconnect(@Param('id') id: string, @Body() body: ReconnectAccountDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<AddAccountStepDto> {
    return this.answerStep(reply, await this.accounts.beginReconnect(id, sentFields(body) as ReconnectAccountDto), HttpStatus.OK);
  }

  /** Accounts as the API shows them, with their next runs and storage looked up for all at once. */
  private async dtos(views: AccountView[]): Promise<AccountDto[]> {
    const ids = views.map((view) => view.id);
    const [nextRuns, storage] = await Promise.all([this.nextRuns.of(ids), storageUsage(this.prisma, ids)]);
    return views.map((view) => accountDto(view, nextRuns.get(view.id) ?? null, storage.get(view.id)));
  }

  private async dto(view: AccountView): Promise<AccountDto> {
    const [dto] = await this.dtos([view]);
    return dto ?? accountDto(view);
  }

  /**
   * Answers a sign-in step: 202 while it waits for the user, else `doneStatus` (201 when an account
   * was created, 200 when one was updated or the status is all that changed).
   */
  private async answerStep(reply: FastifyReply, step: AddAccountStep, doneStatus: number): Promise<AddAccountStepDto> {
    void reply.status(step.status === 'done' ? doneStatus : HttpStatus.ACCEPTED);
    return addAccountStepDto(step, step.status === 'done' ? await this.dto(step.account) : undefined);
  }
}
