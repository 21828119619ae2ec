/**
 * A signed-in client of a test daemon that keeps the raw text of every answer, so a test can check
 * that no secret ever appeared in any of them.
 */
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import type { AccountSecrets } from '@syncvault/daemon/accounts';
import { accountSecretsPurpose } from '@syncvault/daemon/accounts';
import { Vault } from '@syncvault/daemon/vault';
import { TEST_REDIS_URL } from '../../support/redis.js';
import type { TestWorld } from './daemon.js';

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export class ApiClient {
  /** Every answer's body as sent, in order. */
  readonly transcript: string[] = [];

  constructor(
    readonly url: string,
    private readonly cookie: string,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { cookie: this.cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    this.transcript.push(text);
    return { status: response.status, headers: response.headers, text, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  /** Calls and asserts the status, naming the route and the answer when it differs. */
  async expect<T = unknown>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    assert.equal(answer.status, status, `${method} ${path} answered ${answer.status}: ${answer.text}`);
    return answer.body;
  }

  /** Asserts that none of `secrets` (nor their lower-case spelling) appears in any answer so far. */
  assertNoSecretIn(secrets: Iterable<string>): void {
    const everything = this.transcript.join('\n');
    for (const secret of secrets) {
      if (secret.length < 6) continue;
      assert.ok(!everything.includes(secret) && !everything.toLowerCase().includes(secret.toLowerCase()), `a secret (${secret.length} characters) appears in an API answer`);
    }
  }
}

/** What the vault keeps for an account, opened with the world's master key: the secrets no answer may show. */
export async function storedSecrets(world: TestWorld, accountId: string): Promise<string[]> {
  const row = await world.prisma.account.findUniqueOrThrow({ where: { id: accountId } });
  const secrets = new Vault(Buffer.from(world.masterKey, 'hex')).openJson<AccountSecrets>(row.sealedSecrets, accountSecretsPurpose(accountId));
  if (secrets.kind === 'legacy11') return [secrets.password, secrets.syncKey, secrets.syncKey.replace(/-/g, '')];
  return [secrets.kB, secrets.refreshToken, ...(secrets.sessionToken !== undefined ? [secrets.sessionToken] : [])];
}

/** The backup queue of a world, to look at its job schedulers. */
export function backupQueue(world: TestWorld): Queue {
  const queue = new Queue('backup', { connection: { url: TEST_REDIS_URL }, prefix: world.redisPrefix });
  queue.on('error', () => undefined);
  return queue;
}

/** The job scheduler of an account as BullMQ has it, or undefined. */
export async function schedulerOf(queue: Queue, accountId: string): Promise<{ every?: number; pattern?: string } | undefined> {
  const scheduler = await queue.getJobScheduler(`backup:${accountId}`);
  if (scheduler === undefined || scheduler === null) return undefined;
  return { ...(scheduler.every !== undefined && scheduler.every !== null && { every: Number(scheduler.every) }), ...(scheduler.pattern ? { pattern: scheduler.pattern } : {}) };
}
