/**
 * The sandbox control API, under `/__sandbox__/` (after the sandbox's path prefix, if it has one),
 * unauthenticated: it is how tests, benchmarks and the demo arrange the world and look behind the
 * servers' backs. Bodies and answers are JSON; failures are `{"error": "<message>"}` with 400
 * (bad input), 404 (unknown account) or 409 (not possible in this state). Times are integer
 * milliseconds.
 *
 *   POST /__sandbox__/accounts
 *        {kind: "fxa"|"legacy11", email, password, kB?: hex, syncKey?: friendly base32,
 *         gates?: {unblock?: boolean, verification?: "email-otp"|"totp-2fa"},
 *         seed?: "demo"|"none"|{<seed size fields>}, seedName?: string}
 *        -> 201 {kind, email, password, uid, kB?, syncKey?, username?, storageUid?, ...}
 *        Creates the account; unless seed is "none" (the default) its storage gets meta/global,
 *        fresh crypto/keys and the seed's records. Size fields left out of an object seed are 0.
 *   GET  /__sandbox__/accounts                           -> [summary, ...]
 *   GET  /__sandbox__/accounts/:email                    -> summary
 *   GET  /__sandbox__/accounts/:email/codes
 *        -> {unblockCode?, verificationCode?, totpSecret? (base32), totpCode? (current)}: the user's inbox and phone.
 *   POST /__sandbox__/accounts/:email/reset-password {password} -> summary
 *        FxA: new kB, keysChangedAt and generation move, sessions and refresh tokens end, and the
 *        tokenserver moves the user to a fresh, empty storage uid. Legacy: the password only.
 *   POST /__sandbox__/accounts/:email/reseed {seed, seedName?} -> summary   (wipe, then fill)
 *   POST /__sandbox__/accounts/:email/records
 *        {collection, upsert?: [cleartext with id], tombstone?: [id], delete?: [id], ttl?: seconds}
 *        -> {modified}. Writes as another Firefox client would, with the account's current keys;
 *        tombstones are encrypted {id, deleted: true}; delete removes records outright.
 *   GET  /__sandbox__/accounts/:email/records/:collection
 *        -> [{id, modified, sortindex?, cleartext}], cleartext null when it does not decrypt.
 *   POST /__sandbox__/accounts/:email/rotate-keys -> {}   (new crypto/keys; old records keep old keys)
 *   GET  /__sandbox__/storage-users/:fxaUid/records/:collection
 *        -> [{id, modified, sortindex?, payload, expiresAt?}]: the live records the storage node
 *        holds for the user the tokenserver knows by that FxA uid, raw (payload as stored, expiresAt
 *        absolute ms), as a server operator reads them. Works for users of another accounts
 *        server (`accountsServer`); 404 when the tokenserver has never seen the uid, 409 when
 *        tokens point at an external storage node.
 *   GET  /__sandbox__/storage-users/:fxaUid/collections -> {collection: live record count}
 *   POST /__sandbox__/throttle {path, count, retryAfter?: seconds (default 1)} -> {}
 *        The next `count` auth-server requests to `path` (e.g. "/v1/account/login") get 429 errno 114.
 *   GET|PUT /__sandbox__/configuration   storage limits (info/configuration); PUT takes a partial.
 *   GET|PUT /__sandbox__/quirks          {storage15?: {...}, storage11?: {...}}; PUT takes partials.
 *
 * Fault injection (`/__sandbox__/faults`) shares the prefix; faults.ts defines it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { fromHex, parseSyncKey, toBase32 } from '@syncvault/sync-crypto';
import type { StorageLimits } from './contracts.js';
import { totpCode } from './accounts/codes.js';
import type { AccountGates } from './accounts/registry.js';
import { AccountExistsError } from './accounts/registry.js';
import type { Throttle } from './accounts/throttle.js';
import { ProvisioningError, type AccountProvisioner, type SeedChoice } from './provisioning.js';

/** A settings object the control API may read and patch. */
export interface AdjustableSettings<T> {
  current(): T;
  /** Applies a validated partial and returns the result; throws a ControlInputError for bad fields. */
  merge(patch: Record<string, unknown>): T;
}

export interface ControlOptions<Size extends object> {
  prefix: string;
  provisioner: AccountProvisioner<Size>;
  throttle: Throttle;
  limits: AdjustableSettings<StorageLimits>;
  quirks: AdjustableSettings<object>;
}

/** A request the control API cannot act on; answered 400. */
export class ControlInputError extends Error {
  override readonly name = 'ControlInputError';
}

type Body = Record<string, unknown>;

function objectBody(value: unknown): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlInputError('the body must be a JSON object');
  return value as Body;
}

function requiredString(body: Body, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new ControlInputError(`${name} must be a non-empty string`);
  return value;
}

function optionalString(body: Body, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ControlInputError(`${name} must be a string`);
  return value;
}

function stringList(body: Body, name: string): string[] | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ControlInputError(`${name} must be an array of strings`);
  }
  return value as string[];
}

function parseGates(value: unknown): AccountGates | undefined {
  if (value === undefined) return undefined;
  const gates = objectBody(value);
  const unblock = gates['unblock'];
  const verification = gates['verification'];
  if (unblock !== undefined && typeof unblock !== 'boolean') throw new ControlInputError('gates.unblock must be a boolean');
  if (verification !== undefined && verification !== 'email-otp' && verification !== 'totp-2fa') {
    throw new ControlInputError('gates.verification must be "email-otp" or "totp-2fa"');
  }
  return { ...(unblock ? { unblock } : {}), ...(verification ? { verification } : {}) };
}

/** "demo", "none", or an object of seed size fields (missing ones are 0, or false for switches). */
export function parseSeedChoice<Size extends object>(value: unknown, seeds: { demoSize: Size; emptySize: Size }): SeedChoice<Size> {
  if (value === undefined || value === 'none') return 'none';
  if (value === 'demo') return seeds.demoSize;
  return { ...seeds.emptySize, ...validSeedSizeFields(value, seeds.emptySize) };
}

/** Checks a partial seed size against the fields (and their types) of a complete one. */
export function validSeedSizeFields<Size extends object>(value: unknown, template: Size): Partial<Size> {
  const fields = objectBody(value);
  for (const [name, setting] of Object.entries(fields)) {
    if (!(name in template)) throw new ControlInputError(`unknown seed size field ${name}`);
    const expected = typeof (template as Record<string, unknown>)[name];
    const valid =
      expected === 'boolean' ? typeof setting === 'boolean' : typeof setting === 'number' && Number.isInteger(setting) && setting >= 0;
    if (!valid) throw new ControlInputError(`seed size ${name} must be ${expected === 'boolean' ? 'a boolean' : 'a non-negative integer'}`);
  }
  return fields as Partial<Size>;
}

/** The seed generator reports impossible sizes (say, more tabs than clients) as RangeError: bad input, not a crash. */
function sendFailure(reply: FastifyReply, error: Error & { statusCode?: number }): FastifyReply {
  const status =
    error instanceof ProvisioningError
      ? error.httpStatus
      : error instanceof AccountExistsError
        ? 409
        : error instanceof ControlInputError || error instanceof RangeError
          ? 400
          : (error.statusCode ?? 500);
  return reply.code(status).send({ error: error.message });
}

export async function registerControl<Size extends object>(app: FastifyInstance, options: ControlOptions<Size>): Promise<void> {
  const { provisioner, throttle } = options;
  const seeds = provisioner.seedSource;

  await app.register(
    async (control) => {
      control.removeAllContentTypeParsers();
      control.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
        const text = typeof body === 'string' ? body : body.toString('utf8');
        if (text.trim() === '') return done(null, {});
        try {
          done(null, JSON.parse(text));
        } catch {
          done(new ControlInputError('the body is not JSON'), undefined);
        }
      });
      control.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => sendFailure(reply, error));

      control.post('/accounts', async (request, reply) => {
        const body = objectBody(request.body);
        const kind = body['kind'] ?? 'fxa';
        if (kind !== 'fxa' && kind !== 'legacy11') throw new ControlInputError('kind must be "fxa" or "legacy11"');
        const kB = optionalString(body, 'kB');
        const syncKey = optionalString(body, 'syncKey');
        if (kB !== undefined && !/^[0-9a-fA-F]{64}$/.test(kB)) throw new ControlInputError('kB must be 64 hex digits');
        const gates = parseGates(body['gates']);
        if (kind === 'fxa' && syncKey !== undefined) throw new ControlInputError('syncKey is for legacy11 accounts; FxA accounts take kB');
        if (kind === 'legacy11' && (kB !== undefined || gates !== undefined)) {
          throw new ControlInputError('kB and gates are for FxA accounts; legacy11 accounts take syncKey');
        }
        const seedName = optionalString(body, 'seedName');
        let syncKeyBytes: Buffer | undefined;
        try {
          syncKeyBytes = syncKey === undefined ? undefined : parseSyncKey(syncKey);
        } catch (error) {
          throw new ControlInputError((error as Error).message);
        }
        const summary = provisioner.create({
          kind,
          email: requiredString(body, 'email'),
          password: requiredString(body, 'password'),
          ...(kB !== undefined ? { kB: fromHex(kB) } : {}),
          ...(syncKeyBytes ? { syncKey: syncKeyBytes } : {}),
          ...(gates ? { gates } : {}),
          seed: parseSeedChoice(body['seed'], seeds),
          ...(seedName !== undefined ? { seedName } : {}),
        });
        return reply.code(201).send(summary);
      });

      control.get('/accounts', async () => provisioner.accounts().map((account) => provisioner.summary(account)));

      control.get<{ Params: { email: string } }>('/accounts/:email', async (request) =>
        provisioner.summary(provisioner.account(request.params.email)),
      );

      control.get<{ Params: { email: string } }>('/accounts/:email/codes', async (request) => {
        const account = provisioner.account(request.params.email);
        if (account.kind !== 'fxa') return {};
        return {
          ...(account.lastUnblockCode !== undefined ? { unblockCode: account.lastUnblockCode } : {}),
          ...(account.emailOtpCode !== undefined ? { verificationCode: account.emailOtpCode } : {}),
          ...(account.totpSecret
            ? { totpSecret: toBase32(account.totpSecret), totpCode: totpCode(account.totpSecret, Date.now()) }
            : {}),
        };
      });

      control.post<{ Params: { email: string } }>('/accounts/:email/reset-password', async (request) => {
        const account = provisioner.account(request.params.email);
        provisioner.resetPassword(account, requiredString(objectBody(request.body), 'password'));
        return provisioner.summary(account);
      });

      control.post<{ Params: { email: string } }>('/accounts/:email/reseed', async (request) => {
        const account = provisioner.account(request.params.email);
        const body = objectBody(request.body);
        const seedName = optionalString(body, 'seedName');
        provisioner.reseed(account, parseSeedChoice(body['seed'], seeds), seedName ?? account.email);
        return provisioner.summary(account);
      });

      control.post<{ Params: { email: string } }>('/accounts/:email/records', async (request) => {
        const account = provisioner.account(request.params.email);
        const body = objectBody(request.body);
        const upsert = body['upsert'];
        if (upsert !== undefined && (!Array.isArray(upsert) || !upsert.every((item) => typeof item === 'object' && item !== null))) {
          throw new ControlInputError('upsert must be an array of cleartext objects');
        }
        const ttl = body['ttl'];
        if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl <= 0)) {
          throw new ControlInputError('ttl must be a positive integer (seconds)');
        }
        const tombstone = stringList(body, 'tombstone');
        const hardDelete = stringList(body, 'delete');
        const modified = provisioner.writeRecords(account, requiredString(body, 'collection'), {
          ...(upsert !== undefined ? { upsert: upsert as Array<Record<string, unknown>> } : {}),
          ...(tombstone ? { tombstone } : {}),
          ...(hardDelete ? { delete: hardDelete } : {}),
          ...(ttl !== undefined ? { ttl } : {}),
        });
        return { modified };
      });

      control.get<{ Params: { email: string; collection: string } }>('/accounts/:email/records/:collection', async (request) =>
        provisioner.readRecords(provisioner.account(request.params.email), request.params.collection),
      );

      control.post<{ Params: { email: string } }>('/accounts/:email/rotate-keys', async (request) => {
        provisioner.rotateKeys(provisioner.account(request.params.email));
        return {};
      });

      control.get<{ Params: { fxaUid: string; collection: string } }>('/storage-users/:fxaUid/records/:collection', async (request) =>
        provisioner.storedRecords(request.params.fxaUid, request.params.collection),
      );

      control.get<{ Params: { fxaUid: string } }>('/storage-users/:fxaUid/collections', async (request) =>
        provisioner.storedCollectionCounts(request.params.fxaUid),
      );

      control.post('/throttle', async (request) => {
        const body = objectBody(request.body);
        const count = body['count'];
        const retryAfter = body['retryAfter'] ?? 1;
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
          throw new ControlInputError('count must be a non-negative integer');
        }
        if (typeof retryAfter !== 'number' || !Number.isInteger(retryAfter) || retryAfter < 0) {
          throw new ControlInputError('retryAfter must be a non-negative integer (seconds)');
        }
        throttle.arm(requiredString(body, 'path'), count, retryAfter);
        return {};
      });

      control.get('/configuration', async () => options.limits.current());
      control.put('/configuration', async (request) => options.limits.merge(objectBody(request.body)));
      control.get('/quirks', async () => options.quirks.current());
      control.put('/quirks', async (request) => options.quirks.merge(objectBody(request.body)));
    },
    { prefix: options.prefix },
  );
}
