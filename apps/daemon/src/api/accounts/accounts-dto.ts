/**
 * The accounts API's bodies and answers. The DTOs check shapes (types, lengths, unknown fields);
 * what a value means (a valid schedule, URL, Sync Key, which fields a kind takes) the accounts
 * service checks, with one-line messages naming the field.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ACCOUNT_KINDS, type AccountKind, type AccountView, type AddAccountStep } from '../../accounts/index.js';
import { NO_STORAGE_USED, type StorageUsage } from '../../store/index.js';

/** Longest password, Sync Key or code accepted (the service says the same for secrets). */
const MAX_SECRET_LENGTH = 1024;
const MAX_URL_LENGTH = 2048;

export class RetentionPolicyDto {
  @ApiPropertyOptional({ minimum: 0, description: 'keep the n newest snapshots' })
  keepLast?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'keep the newest snapshot of each of the n newest hours that have one (UTC)' })
  keepHourly?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'the same per day (UTC)' })
  keepDaily?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'the same per ISO week' })
  keepWeekly?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'the same per month (UTC)' })
  keepMonthly?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'the same per year (UTC)' })
  keepYearly?: number;
}

export class AlertSettingsDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'alert when a collection loses more than this share of its records (default 0.2)' })
  shrinkThreshold?: number;

  @ApiPropertyOptional({ description: 'http(s) URL that receives each health alert as a JSON POST' })
  webhookUrl?: string;
}

export class StorageUsageDto {
  @ApiProperty({
    example: 1_482_113,
    description:
      "Bytes of the distinct record payloads this account's snapshots hold (encrypted, as the Sync server sent them). The store is content-addressed: a record unchanged across snapshots is stored once, so a backup with little change adds little. A payload two accounts both hold (the same Sync account added twice) counts in both. Not PostgreSQL's own overhead (indexes, pages).",
  })
  bytes!: number;

  @ApiProperty({ description: 'Of `bytes`, the payloads no other account holds: about what removing this account would free' })
  exclusiveBytes!: number;

  @ApiProperty({ description: 'Distinct payloads (blobs) behind `bytes`' })
  blobs!: number;

  @ApiProperty({ description: 'Record versions kept: one per record per change, however many snapshots see it' })
  versions!: number;

  @ApiProperty({ description: 'Complete snapshots' })
  snapshots!: number;
}

export class AccountDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'laptop' })
  name!: string;

  @ApiProperty({ enum: ACCOUNT_KINDS })
  kind!: AccountKind;

  @ApiProperty({ description: 'As the accounts server spells it; for a Sync 1.1 account added by username, that username' })
  email!: string;

  @ApiProperty({ type: String, nullable: true })
  fxaUrl!: string | null;

  @ApiProperty({ type: String, nullable: true })
  tokenServerUrl!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Sync 1.1 server' })
  serverUrl!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Sync 1.1 storage node, when its own URL does not work from here' })
  storageUrl!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Origin Hawk requests are signed for, behind a proxy that rewrites host or port' })
  signAsOrigin!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'every 6h', description: '`every <n><s|m|h|d>` or a cron pattern (UTC); null: backups on demand only' })
  schedule!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: "The next scheduled backup, as the job scheduler has it; null when on demand only, or when Redis does not answer" })
  nextRunAt!: string | null;

  @ApiProperty({ type: RetentionPolicyDto, description: 'No rule: every snapshot is kept' })
  retention!: RetentionPolicyDto;

  @ApiProperty({ type: AlertSettingsDto })
  alertSettings!: AlertSettingsDto;

  @ApiProperty({ type: StorageUsageDto, description: 'What the account takes in the store (zero in the answer to its removal)' })
  storage!: StorageUsageDto;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;
}

/** Settings as a JSON merge patch: an absent field stays, null clears it, a value replaces it. */
export class AccountSettingsUpdateDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'every 6h', description: '`every <n><s|m|h|d>` (at least 1 minute) or a 5/6-field cron pattern in UTC; null: on demand only' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  schedule?: string | null;

  @ApiPropertyOptional({ type: RetentionPolicyDto, nullable: true, description: 'Rules to set (a number) or drop (null); null for the whole object keeps every snapshot' })
  @IsOptional()
  @IsObject()
  retention?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: AlertSettingsDto, nullable: true, description: 'Fields to set or clear (null); null for the whole object restores the defaults' })
  @IsOptional()
  @IsObject()
  alertSettings?: Record<string, unknown> | null;
}

export class AddAccountDto {
  @ApiProperty({ example: 'laptop', description: "1-64 letters, digits, '.', '_' or '-'" })
  @IsString()
  @Length(1, 64)
  name!: string;

  @ApiProperty({
    enum: ACCOUNT_KINDS,
    description:
      "`mozilla`: email, password (Mozilla's servers). `selfhosted15`: email, password, fxaUrl and/or tokenServerUrl, optional signAsOrigin. `legacy11`: serverUrl, email or username, password, syncKey, optional storageUrl.",
  })
  @IsIn(ACCOUNT_KINDS)
  kind!: AccountKind;

  @ApiPropertyOptional({ example: 'me@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ description: 'legacy11: a plain username instead of the email' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  username?: string;

  @ApiProperty({ format: 'password', description: 'Used to sign in once; for a Firefox account it is never stored' })
  @IsString()
  @Length(1, MAX_SECRET_LENGTH)
  password!: string;

  @ApiPropertyOptional({ format: 'password', description: 'legacy11: the Sync Key (friendly base32, dashes optional)' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SECRET_LENGTH)
  syncKey?: string;

  @ApiPropertyOptional({ description: 'selfhosted15: the accounts server (default Mozilla’s)' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  fxaUrl?: string;

  @ApiPropertyOptional({ description: 'selfhosted15: the tokenserver, e.g. https://sync.example.com/1.0/sync/1.5 (default Mozilla’s)' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  tokenServerUrl?: string;

  @ApiPropertyOptional({ description: 'legacy11: the Sync 1.1 server' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  serverUrl?: string;

  @ApiPropertyOptional({ description: 'legacy11: the storage node, when the one the server names does not work from here' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  storageUrl?: string;

  @ApiPropertyOptional({ description: 'selfhosted15: the origin to sign storage requests for, behind a proxy that rewrites host or port' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  signAsOrigin?: string;

  @ApiPropertyOptional({ type: AccountSettingsUpdateDto, description: 'Settings to start with (default: on demand, keep everything, default alerts)' })
  @IsOptional()
  @IsObject()
  settings?: AccountSettingsUpdateDto;
}

export class ReconnectAccountDto {
  @ApiProperty({ format: 'password', description: 'The current account password' })
  @IsString()
  @Length(1, MAX_SECRET_LENGTH)
  password!: string;

  @ApiPropertyOptional({ format: 'password', description: 'legacy11: a new Sync Key (default: the stored one)' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SECRET_LENGTH)
  syncKey?: string;
}

export class LoginCodeDto {
  @ApiProperty({ example: 'ABCD1234', description: 'The unblock code or verification code the step asks for' })
  @IsString()
  @Length(1, 100)
  code!: string;
}

/**
 * Where adding (or reconnecting) an account stands: `done` with the account, or a step waiting for
 * the user, named by `loginId` (kept in memory only, for at most 15 minutes).
 */
export class AddAccountStepDto {
  @ApiProperty({ enum: ['done', 'unblock-code-required', 'verification-code-required', 'email-confirmation-required'] })
  status!: AddAccountStep['status'];

  @ApiPropertyOptional({ type: AccountDto, description: 'When done' })
  account?: AccountDto;

  @ApiPropertyOptional({ description: 'When waiting: send the code to POST /api/accounts/logins/{loginId}/code, or poll POST /api/accounts/logins/{loginId}/poll after an emailed link' })
  loginId?: string;

  @ApiPropertyOptional({ description: 'Where the accounts server sent the code or link' })
  email?: string;

  @ApiPropertyOptional({ example: 'totp-2fa', description: 'verification-code-required: `totp-2fa` (authenticator app), `email-otp` or `email-2fa` (emailed code)' })
  method?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'After this the sign-in is forgotten and adding starts over' })
  expiresAt?: string;
}

export class CancelledLoginDto {
  @ApiProperty({ description: 'False when there was no such sign-in (finished, expired or cancelled already)' })
  cancelled!: boolean;
}

/** The view as the API shows it: the same fields, picked so nothing else ever slips in. */
export function accountDto(view: AccountView, nextRunAt: string | null = null, storage: StorageUsage = NO_STORAGE_USED): AccountDto {
  return {
    id: view.id,
    name: view.name,
    kind: view.kind,
    email: view.email,
    fxaUrl: view.fxaUrl,
    tokenServerUrl: view.tokenServerUrl,
    serverUrl: view.serverUrl,
    storageUrl: view.storageUrl,
    signAsOrigin: view.signAsOrigin,
    schedule: view.schedule,
    nextRunAt,
    retention: view.retention,
    alertSettings: view.alertSettings,
    storage: { bytes: storage.bytes, exclusiveBytes: storage.exclusiveBytes, blobs: storage.blobs, versions: storage.versions, snapshots: storage.snapshots },
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

/** A sign-in step as the API shows it; `account` is the done step's account as the controller completed it. */
export function addAccountStepDto(step: AddAccountStep, account?: AccountDto): AddAccountStepDto {
  if (step.status === 'done') return { status: 'done', account: account ?? accountDto(step.account) };
  return {
    status: step.status,
    loginId: step.loginId,
    email: step.email,
    ...(step.status === 'verification-code-required' && { method: step.method }),
    expiresAt: step.expiresAt,
  };
}

/**
 * A validated body as a plain object of the fields the client sent: Nest's DTO instances carry
 * every declared field, undefined when absent, and for a merge patch absent and null differ.
 */
export function sentFields<T extends object>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as Partial<T>;
}
