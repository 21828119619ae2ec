/**
 * Domain errors → HTTP. Modules below the API throw plain errors (no framework imports); this is
 * the one place that decides their status, by error name, so a new `...NotFoundError` or
 * `...InputError` is mapped without touching the API.
 */
import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter, type LoggerService } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

const BY_NAME: Record<string, number> = {
  AccountBusyError: HttpStatus.CONFLICT,
  AccountNameTakenError: HttpStatus.CONFLICT,
  LoginInProgressError: HttpStatus.CONFLICT,
  // A code for a sign-in that waits for an emailed link: the sign-in's state, not the request's shape.
  WrongLoginStepError: HttpStatus.CONFLICT,
  SnapshotRunningError: HttpStatus.CONFLICT,
  SnapshotNotCompleteError: HttpStatus.CONFLICT,
  // Another device kept writing while a restore re-planned: try again later.
  PreconditionFailedError: HttpStatus.CONFLICT,
  // Well-formed, but not something this snapshot and server can do (not in the snapshot, not a folder, no keys).
  RestoreError: HttpStatus.UNPROCESSABLE_ENTITY,
  // A migration the plan refuses (non-empty target without replace or merge, over quota, ...), or
  // one whose upload the target does not hold as sent: well-formed, but not done.
  MigrationRefusedError: HttpStatus.UNPROCESSABLE_ENTITY,
  MigrationVerificationError: HttpStatus.UNPROCESSABLE_ENTITY,
  // Retrying a job that did not fail, cancelling one that finished.
  JobStateConflictError: HttpStatus.CONFLICT,
  // The sign-in is over (expired, cancelled, finished, or the daemon restarted): start again.
  LoginExpiredError: HttpStatus.GONE,
  CollectionKeptChangingError: HttpStatus.SERVICE_UNAVAILABLE,
  LoginFailedError: HttpStatus.UNAUTHORIZED,
  TooManyLoginAttemptsError: HttpStatus.TOO_MANY_REQUESTS,
  WrongCurrentPasswordError: HttpStatus.BAD_REQUEST,
  UnchangedPasswordError: HttpStatus.BAD_REQUEST,
  MissingInputError: HttpStatus.BAD_REQUEST,
  ConfigError: HttpStatus.BAD_REQUEST,
  // A Sync account's own credentials or codes were refused: well-formed input the accounts server
  // (or Sync 1.1 server) turned down, not our own authentication.
  IncorrectPasswordError: HttpStatus.UNPROCESSABLE_ENTITY,
  UnknownAccountError: HttpStatus.UNPROCESSABLE_ENTITY,
  IncorrectEmailCaseError: HttpStatus.UNPROCESSABLE_ENTITY,
  LegacyLoginError: HttpStatus.UNPROCESSABLE_ENTITY,
  WrongAccountKeyError: HttpStatus.UNPROCESSABLE_ENTITY,
  InvalidUnblockCodeError: HttpStatus.UNPROCESSABLE_ENTITY,
  InvalidVerificationCodeError: HttpStatus.UNPROCESSABLE_ENTITY,
  // Keys and tokens are refused until the sign-in is confirmed (emailed link or code).
  UnverifiedSessionError: HttpStatus.CONFLICT,
  InvalidCredentialsError: HttpStatus.BAD_REQUEST,
  // The accounts server asks to slow down; the filter passes its Retry-After on.
  ThrottledError: HttpStatus.TOO_MANY_REQUESTS,
  // A Sync server is down for now (its Retry-After is passed on); other Sync server failures are 502.
  FxaServiceUnavailableError: HttpStatus.SERVICE_UNAVAILABLE,
  TokenserverUnavailableError: HttpStatus.SERVICE_UNAVAILABLE,
  ServiceUnavailableError: HttpStatus.SERVICE_UNAVAILABLE,
  QueueUnavailableError: HttpStatus.SERVICE_UNAVAILABLE,
  EngineUnavailableError: HttpStatus.NOT_IMPLEMENTED,
};

/** Errors about talking to a Sync server (accounts server, tokenserver, storage): 502, with their message. */
const REMOTE_ERRORS = /^(Network|Http|ServiceUnavailable|UnexpectedResponse|Fxa\w*|Tokenserver\w*|Weave|Quota\w*|NodeUnassigned|UnknownUser|Authentication|BatchProtocol|RequestBlocked|Throttled|BotChallenge)Error$/;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export interface HttpErrorAnswer {
  statusCode: number;
  error: string;
  message: string;
}

/** One line, bounded: error answers never carry stack traces or multi-line dumps. */
function oneLine(text: string): string {
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}

function statusOfDomainError(error: Error): number {
  const code = (error as { code?: unknown }).code;
  if (code === 'P2025') return HttpStatus.NOT_FOUND;
  if (code === 'P2002') return HttpStatus.CONFLICT;
  const name = error.name;
  const known = BY_NAME[name];
  if (known !== undefined) return known;
  if (name.endsWith('NotFoundError')) return HttpStatus.NOT_FOUND;
  if (name.endsWith('BusyError') || name.endsWith('ExistsError')) return HttpStatus.CONFLICT;
  if (name.endsWith('InputError') || (name.startsWith('Invalid') && name.endsWith('Error'))) return HttpStatus.BAD_REQUEST;
  if (REMOTE_ERRORS.test(name)) return HttpStatus.BAD_GATEWAY;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

export function toHttpError(exception: unknown): HttpErrorAnswer {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.map(String).join('; ') : typeof raw === 'string' ? raw : exception.message;
    return { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message: oneLine(message) };
  }
  if (exception instanceof Error) {
    const statusCode = statusOfDomainError(exception);
    const message = statusCode === 500 ? 'internal error (details are in the daemon log)' : oneLine(exception.message);
    return { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message };
  }
  return { statusCode: 500, error: STATUS_TEXT[500]!, message: 'internal error (details are in the daemon log)' };
}

@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: LoggerService | undefined) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const answer = toHttpError(exception);
    if (answer.statusCode >= 500 && answer.statusCode !== 501 && answer.statusCode !== 503) {
      // The path without its query string, and never headers or body: they may carry secrets.
      const path = (request.url ?? '').split('?', 1)[0];
      this.logger?.error(`${request.method} ${path} failed: ${exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception)}`, exception instanceof Error ? exception.stack : undefined, 'HTTP');
    }
    if (reply.sent || reply.raw.headersSent) return;
    const retryAfter = (exception as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
    if (typeof retryAfter === 'number') void reply.header('Retry-After', String(retryAfter));
    void reply.status(answer.statusCode).send(answer);
  }
}
