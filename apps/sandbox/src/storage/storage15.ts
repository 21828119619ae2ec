/**
 * Storage 1.5 (syncstorage-rs) at `<prefix>/1.5/<uid>/...`: routing, Hawk authentication,
 * precondition headers and the header conventions every endpoint shares (sync-protocols.md §5).
 * The endpoints themselves live in storage15-reads.ts and storage15-writes.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StorageLimits } from '../contracts.js';
import { InvalidTokenError, deriveTokenKey, parseToken } from '../tokenlib.js';
import { COLLECTION_NAME_PATTERN } from './bso-input.js';
import type { StorageEngine } from './engine.js';
import { hawkMac, hawkNormalizedString, hawkPayloadHash, macMatches, parseHawkHeader, splitHostHeader } from './hawk.js';
import {
  WeaveError,
  acceptRawBodies,
  decodeSegment,
  rawBody,
  sendOutcome,
  splitRawUrl,
  stampWeaveTimestamps,
  type Outcome,
} from './http.js';
import type { Handler15, Request15 } from './storage15-context.js';
import {
  getCollection,
  getItem,
  infoCollectionCounts,
  infoCollectionUsage,
  infoCollections,
  infoConfiguration,
  infoQuota,
} from './storage15-reads.js';
import { deleteAll, deleteCollection, deleteItem, postCollection, putItem } from './storage15-writes.js';
import { formatSyncTimestamp, parseSyncTimestamp } from './timestamps.js';

/** Ways real 1.5 deployments differ from syncstorage-rs that clients must live with. */
export interface Storage15Quirks {
  /** Check Hawk against the percent-decoded path (query kept as sent), as servers that sign what their router decoded do. */
  hawkDecodedPath: boolean;
  /** Ignore the Host header's port and check Hawk against the scheme's default port, as servers behind a port-rewriting proxy do. */
  hawkIgnoreHostPort: boolean;
}

export const DEFAULT_STORAGE15_QUIRKS: Storage15Quirks = { hawkDecodedPath: false, hawkIgnoreHostPort: false };

export interface Storage15Options {
  /** Mount point, e.g. "/storage": the API lives at `<prefix>/1.5/<uid>`. */
  prefix: string;
  engine: StorageEngine;
  /** tokenlib master secret shared with the tokenserver. */
  tokenSecret: string;
  limits: () => StorageLimits;
  quirks: () => Storage15Quirks;
}

/** Which timestamp an endpoint's preconditions and X-Last-Modified refer to. */
type Target = 'storage' | 'collection' | 'item' | 'none';

interface Endpoint {
  handler: Handler15;
  target: Target;
  /** info/collections still answers with an expired token; info/configuration needs none at all. */
  auth: 'required' | 'expired-ok' | 'none';
}

const INFO: Record<string, Endpoint> = {
  collections: { handler: infoCollections, target: 'storage', auth: 'expired-ok' },
  quota: { handler: infoQuota, target: 'storage', auth: 'required' },
  collection_usage: { handler: infoCollectionUsage, target: 'storage', auth: 'required' },
  collection_counts: { handler: infoCollectionCounts, target: 'storage', auth: 'required' },
  configuration: { handler: infoConfiguration, target: 'none', auth: 'none' },
};

type Route = { endpoint: Endpoint; collection: string; id: string } | { status: 404 | 405 };

function route(method: string, segments: string[]): Route {
  const verb = method === 'HEAD' ? 'GET' : method;
  const pick = (table: Record<string, Endpoint>, collection = '', id = ''): Route => {
    const endpoint = table[verb];
    return endpoint ? { endpoint, collection, id } : { status: 405 };
  };
  const [first, second, third, ...extra] = segments;
  if (first === undefined || (first === '' && segments.length === 1)) {
    return pick({ DELETE: { handler: deleteAll, target: 'storage', auth: 'required' } });
  }
  if (first === 'info' && second !== undefined && third === undefined) {
    const endpoint = Object.hasOwn(INFO, second) ? INFO[second] : undefined;
    return endpoint ? pick({ GET: endpoint }) : { status: 404 };
  }
  if (first !== 'storage' || extra.length > 0) return { status: 404 };
  if (second === undefined || (second === '' && third === undefined)) {
    return pick({ DELETE: { handler: deleteAll, target: 'storage', auth: 'required' } });
  }
  const collection = decodeSegment(second);
  if (collection === undefined) return { status: 404 };
  if (third === undefined) {
    return pick(
      {
        GET: { handler: getCollection, target: 'collection', auth: 'required' },
        POST: { handler: postCollection, target: 'collection', auth: 'required' },
        DELETE: { handler: deleteCollection, target: 'collection', auth: 'required' },
      },
      collection,
    );
  }
  const id = decodeSegment(third);
  if (!id) return { status: 404 };
  return pick(
    {
      GET: { handler: getItem, target: 'item', auth: 'required' },
      PUT: { handler: putItem, target: 'item', auth: 'required' },
      DELETE: { handler: deleteItem, target: 'item', auth: 'required' },
    },
    collection,
    id,
  );
}

/** 52 weeks, syncstorage-rs's tolerance for client clock skew. */
const MAX_CLOCK_SKEW_SECONDS = 52 * 7 * 24 * 3600;

/** Verifies the Hawk header; returns the token's uid, or undefined on any failure. */
function authenticate(
  request: FastifyRequest,
  options: Storage15Options,
  rawPath: string,
  rawQuery: string | undefined,
  allowExpired: boolean,
): number | undefined {
  const credentials = parseHawkHeader(request.headers.authorization ?? '');
  const hostHeader = request.headers.host;
  if (!credentials || !hostHeader) return undefined;
  let token;
  try {
    token = parseToken(options.tokenSecret, credentials.id);
  } catch (error) {
    if (error instanceof InvalidTokenError) return undefined;
    throw error;
  }
  const nowSeconds = Math.floor(options.engine.now() / 1000);
  if (!allowExpired && Math.round(token.expires) <= nowSeconds) return undefined;
  if (Math.abs(Number(credentials.ts) - nowSeconds) > MAX_CLOCK_SKEW_SECONDS) return undefined;

  const quirks = options.quirks();
  const path = quirks.hawkDecodedPath ? (decodeSegment(rawPath) ?? rawPath) : rawPath;
  const { host, port } = splitHostHeader(hostHeader);
  const defaultPort = request.protocol === 'https' ? 443 : 80;
  const resource = rawQuery === undefined ? path : `${path}?${rawQuery}`;
  const normalized = hawkNormalizedString(credentials, {
    method: request.method,
    resource,
    host,
    port: quirks.hawkIgnoreHostPort ? defaultPort : (port ?? defaultPort),
  });
  const key = deriveTokenKey(options.tokenSecret, credentials.id, token.salt);
  if (!macMatches(hawkMac(key, normalized), credentials.mac)) return undefined;
  if (credentials.hash !== undefined) {
    const expected = hawkPayloadHash(request.headers['content-type'] ?? '', rawBody(request));
    if (!macMatches(expected, credentials.hash)) return undefined;
  }
  return token.uid;
}

type Precondition = { kind: 'modified' | 'unmodified'; ms: number } | undefined;

/** X-If-Modified-Since / X-If-Unmodified-Since; both at once, negative or unreadable = 400. */
function readPrecondition(request: FastifyRequest): Precondition {
  const modified = request.headers['x-if-modified-since'];
  const unmodified = request.headers['x-if-unmodified-since'];
  if (modified !== undefined && unmodified !== undefined) throw new WeaveError(400, 0);
  const value = modified ?? unmodified;
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' ? parseSyncTimestamp(value) : undefined;
  if (!parsed?.ok) throw new WeaveError(400, 0);
  return { kind: modified !== undefined ? 'modified' : 'unmodified', ms: parsed.ms };
}

function targetTimestamp(target: Target, context: Request15): number {
  switch (target) {
    case 'storage':
      return context.user.storageModified();
    case 'collection':
      return context.user.collectionModified(context.collection);
    case 'item':
      return context.user.record(context.collection, context.id)?.modified ?? 0;
    case 'none':
      return 0;
  }
}

function errorOutcome(error: WeaveError): Outcome {
  return { status: error.status, body: String(error.code), contentType: 'application/json', headers: error.headers };
}

function handle(request: FastifyRequest, reply: FastifyReply, options: Storage15Options): FastifyReply {
  const send = (outcome: Outcome): FastifyReply => sendOutcome(request, reply, outcome, true);
  const { path, query } = splitRawUrl(request.raw.url ?? request.url);
  const [uidText = '', ...segments] = path.slice(`${options.prefix}/1.5/`.length).split('/');
  const routed = route(request.method, segments);
  if ('status' in routed) return send(routed.status === 404 ? { status: 404, body: '0' } : { status: 405 });
  const { endpoint } = routed;
  if (endpoint.auth !== 'none') {
    const uid = authenticate(request, options, path, query, endpoint.auth === 'expired-ok');
    if (uid === undefined || String(uid) !== uidText) return send({ status: 401, body: '0' });
  }
  try {
    if (routed.collection !== '' && !COLLECTION_NAME_PATTERN.test(routed.collection)) throw new WeaveError(400, 0);
    const context: Request15 = {
      request,
      user: options.engine.user(Number(uidText)),
      collection: routed.collection,
      id: routed.id,
      params: new URLSearchParams(query ?? ''),
      limits: options.limits(),
    };
    const precondition = endpoint.target === 'none' ? undefined : readPrecondition(request);
    const action = endpoint.handler(context);
    const target = targetTimestamp(endpoint.target, context);
    if (precondition?.kind === 'modified' && target <= precondition.ms) return send({ status: 304, lastModified: target });
    if (precondition?.kind === 'unmodified' && target > precondition.ms) return send({ status: 412, lastModified: target });
    const outcome = action();
    return send({ ...outcome, lastModified: outcome.lastModified ?? target });
  } catch (error) {
    if (error instanceof WeaveError) return send(errorOutcome(error));
    throw error;
  }
}

export function registerStorage15(app: FastifyInstance, options: Storage15Options): void {
  void app.register(async (scope) => {
    acceptRawBodies(scope);
    stampWeaveTimestamps(scope, options.engine.now, (ms) => formatSyncTimestamp(ms));
    scope.route({
      method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'],
      url: `${options.prefix}/1.5/*`,
      exposeHeadRoute: false,
      handler: (request, reply) => handle(request, reply, options),
    });
  });
}
