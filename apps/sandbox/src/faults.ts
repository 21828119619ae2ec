/**
 * Fault injection: tests ask, over `/__sandbox__/faults`, that the next N requests matching a
 * path pattern fail the way real Sync servers fail (503 maintenance, backoff, expired token,
 * dropped connection, slowness, write conflicts, rate limits, an end-of-life alert), to exercise
 * client recovery.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { floorToResolution, formatSyncTimestamp } from './storage/timestamps.js';

export const FAULT_KINDS = ['503', 'backoff', 'alert', '401', 'reset', 'delay', '412', '409', '429'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRuleInput {
  /** Regular expression source, matched against the request path (without the query). */
  path: string;
  /** Only this method (any case); absent = every method. */
  method?: string;
  /** How many matching requests fail. */
  count: number;
  kind: FaultKind;
  /** Seconds, for Retry-After on 503/409/429 (default 10, as syncstorage-rs). */
  retryAfter?: number;
  /** Seconds, for X-Weave-Backoff (default 60). */
  backoff?: number;
  /** Milliseconds a "delay" holds the request before handling it normally (default 1000). */
  delayMs?: number;
  /** X-Weave-Alert value for an "alert": free text or a JSON object (default: a soft-eol JSON alert). */
  alert?: string;
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  remaining: number;
  fired: number;
}

export class InvalidFaultRuleError extends Error {
  override name = 'InvalidFaultRuleError';
}

function optionalNonNegative(input: Record<string, unknown>, name: string): number | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidFaultRuleError(`${name} must be a number >= 0`);
  return value;
}

export class FaultInjector {
  private rules: Array<FaultRule & { pattern: RegExp }> = [];
  private nextId = 1;

  /** Validates and adds a rule; throws InvalidFaultRuleError on bad input. */
  add(input: unknown): FaultRule {
    if (typeof input !== 'object' || input === null) throw new InvalidFaultRuleError('rule must be an object');
    const fields = input as Record<string, unknown>;
    const { path, method, count, kind } = fields;
    if (typeof path !== 'string') throw new InvalidFaultRuleError('path must be a regular expression source');
    let pattern: RegExp;
    try {
      pattern = new RegExp(path);
    } catch {
      throw new InvalidFaultRuleError('path is not a valid regular expression');
    }
    if (method !== undefined && typeof method !== 'string') throw new InvalidFaultRuleError('method must be a string');
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw new InvalidFaultRuleError('count must be an integer >= 1');
    if (!FAULT_KINDS.includes(kind as FaultKind)) throw new InvalidFaultRuleError(`kind must be one of ${FAULT_KINDS.join(', ')}`);
    const retryAfter = optionalNonNegative(fields, 'retryAfter');
    const backoff = optionalNonNegative(fields, 'backoff');
    const delayMs = optionalNonNegative(fields, 'delayMs');
    const alert = fields['alert'];
    if (alert !== undefined && (typeof alert !== 'string' || !/^[\t\x20-\x7e]+$/.test(alert))) {
      throw new InvalidFaultRuleError('alert must be printable ASCII text (an HTTP header value)');
    }
    const rule = {
      id: this.nextId++,
      path,
      ...(method !== undefined ? { method: method.toUpperCase() } : {}),
      count,
      kind: kind as FaultKind,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      ...(backoff !== undefined ? { backoff } : {}),
      ...(delayMs !== undefined ? { delayMs } : {}),
      ...(alert !== undefined ? { alert } : {}),
      remaining: count,
      fired: 0,
    };
    this.rules.push({ ...rule, pattern });
    return rule;
  }

  /** All rules, spent ones included, with what is left of them. */
  list(): FaultRule[] {
    return this.rules.map(({ pattern: _pattern, ...rule }) => rule);
  }

  clear(): number {
    const cleared = this.rules.length;
    this.rules = [];
    return cleared;
  }

  /** Uses up one firing of the first rule that still has some and matches; undefined = no fault. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.rules.find(
      (candidate) => candidate.remaining > 0 && (candidate.method === undefined || candidate.method === method.toUpperCase()) && candidate.pattern.test(path),
    );
    if (!rule) return undefined;
    rule.remaining--;
    rule.fired++;
    return rule;
  }
}

/** Headers added to requests that are otherwise answered normally (X-Weave-Backoff, X-Weave-Alert). */
const extraHeaders = new WeakMap<FastifyRequest, Record<string, string>>();

/** What the decommissioning of Mozilla's 1.1 service sent: a JSON alert (sync-protocols.md §5.4). */
const DEFAULT_ALERT = JSON.stringify({
  code: 'soft-eol',
  message: 'This service will soon be decommissioned',
  url: 'https://support.mozilla.org/kb/firefox-sync',
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Applies a fault; returns the reply when the fault answered (or dropped) the request itself. */
async function inject(rule: FaultRule, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const weaveError = (status: number): FastifyReply => reply.code(status).type('application/json').send('0');
  switch (rule.kind) {
    case '503':
    case '409':
    case '429':
      reply.header('Retry-After', String(rule.retryAfter ?? 10));
      return weaveError(Number(rule.kind));
    case '401':
      return weaveError(401);
    case '412':
      // As if another client had just written: nothing is written, the target looks newer.
      return reply.code(412).header('X-Last-Modified', formatSyncTimestamp(floorToResolution(Date.now()))).send();
    case 'reset':
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    case 'delay':
      await sleep(rule.delayMs ?? 1000);
      return undefined;
    case 'backoff':
      extraHeaders.set(request, { 'X-Weave-Backoff': String(rule.backoff ?? 60) });
      return undefined;
    case 'alert':
      extraHeaders.set(request, { 'X-Weave-Alert': rule.alert ?? DEFAULT_ALERT });
      return undefined;
  }
}

/**
 * Adds the fault hooks and the control routes (under `controlPrefix`, e.g. `/__sandbox__`) to
 * `app`: the root instance, so every route is covered.
 */
export function registerFaultInjection(app: FastifyInstance, injector: FaultInjector, controlPrefix: string): void {
  const controlRoutes = `${controlPrefix}/`;
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith(controlRoutes)) return;
    const rule = injector.take(request.method, path);
    return rule ? inject(rule, request, reply) : undefined;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of Object.entries(extraHeaders.get(request) ?? {})) reply.header(name, value);
    return payload;
  });

  app.post(`${controlRoutes}faults`, async (request, reply) => {
    try {
      return await reply.code(201).send({ rule: injector.add(request.body) });
    } catch (error) {
      if (error instanceof InvalidFaultRuleError) return reply.code(400).send({ error: error.message });
      throw error;
    }
  });
  app.get(`${controlRoutes}faults`, async () => ({ rules: injector.list() }));
  app.delete(`${controlRoutes}faults`, async () => ({ cleared: injector.clear() }));
}
