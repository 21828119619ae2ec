/**
 * Legacy Sync 1.1 ("Weave") at `<prefix>`: the User API's node lookup
 * (`/user/1.0/<user>[/node/weave]`) and storage at `/1.1/<user>/...` with HTTP Basic auth
 * (sync-protocols.md §6). Endpoints are in storage11-handlers.ts.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LegacyDirectory, LegacyUser } from '../contracts.js';
import type { StorageEngine } from './engine.js';
import { WeaveError, acceptRawBodies, decodeSegment, sendOutcome, splitRawUrl, stampWeaveTimestamps, type Outcome } from './http.js';
import {
  deleteCollection,
  deleteItem,
  deleteStorage,
  getCollection,
  getItem,
  infoCollectionCounts,
  infoCollectionUsage,
  infoCollections,
  infoQuota,
  postCollection,
  putItem,
  type Handler11,
  type Request11,
  type Storage11Quirks,
} from './storage11-handlers.js';
import { floorToResolution, formatSyncTimestamp } from './timestamps.js';

export { DEFAULT_STORAGE11_QUIRKS, type Storage11Quirks } from './storage11-handlers.js';

export interface Storage11Options {
  /** Mount point, e.g. "/weave": user API at `<prefix>/user/1.0`, storage at `<prefix>/1.1`. */
  prefix: string;
  engine: StorageEngine;
  directory: LegacyDirectory;
  /** This server's public base URL (scheme, host, port), as clients reach it. */
  publicUrl: () => string;
  quirks: () => Storage11Quirks;
}

const INFO: Record<string, Handler11> = {
  collections: infoCollections,
  collection_counts: infoCollectionCounts,
  quota: infoQuota,
  collection_usage: infoCollectionUsage,
};

/** Collection names as the reference server routes them. */
const COLLECTION_PATTERN = /^[a-zA-Z0-9._-]+$/;

type Route = { handler: Handler11; collection: string; id: string } | { status: 404 | 405 };

function route(method: string, segments: string[]): Route {
  const verb = method === 'HEAD' ? 'GET' : method;
  const pick = (table: Record<string, Handler11>, collection = '', id = ''): Route => {
    const handler = table[verb];
    return handler ? { handler, collection, id } : { status: 405 };
  };
  const [first, second, third, ...extra] = segments;
  if (extra.length > 0) return { status: 404 };
  if (first === 'info' && second !== undefined && third === undefined) {
    const handler = Object.hasOwn(INFO, second) ? INFO[second] : undefined;
    return handler ? pick({ GET: handler }) : { status: 404 };
  }
  if (first !== 'storage') return { status: 404 };
  if (second === undefined || (second === '' && third === undefined)) return pick({ DELETE: deleteStorage });
  const collection = decodeSegment(second);
  if (collection === undefined || !COLLECTION_PATTERN.test(collection)) return { status: 404 };
  if (third === undefined) {
    return pick({ GET: getCollection, POST: postCollection, PUT: postCollection, DELETE: deleteCollection }, collection);
  }
  const id = decodeSegment(third);
  if (!id) return { status: 404 };
  return pick({ GET: getItem, PUT: putItem, DELETE: deleteItem }, collection, id);
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** HTTP Basic: the credentials must name the path's user, with that user's password. */
function authenticated(request: FastifyRequest, account: LegacyUser): boolean {
  const match = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && decoded.slice(0, colon) === account.username && sameSecret(account.password, decoded.slice(colon + 1));
}

function errorBody(quirks: Storage11Quirks, code: number): string {
  return quirks.errorBodiesAsStrings ? JSON.stringify(String(code)) : String(code);
}

function handleStorage(request: FastifyRequest, reply: FastifyReply, options: Storage11Options): FastifyReply {
  const quirks = options.quirks();
  const send = (outcome: Outcome): FastifyReply => sendOutcome(request, reply, outcome);
  const fail = (status: number, code: number, headers: Record<string, string> = {}): FastifyReply =>
    send({ status, body: errorBody(quirks, code), contentType: 'application/json', headers });
  const { path, query } = splitRawUrl(request.raw.url ?? request.url);
  const [rawUser = '', ...segments] = path.slice(`${options.prefix}/1.1/`.length).split('/');
  const pathUser = decodeSegment(rawUser) ?? '';
  const routed = route(request.method, segments);
  if ('status' in routed) return fail(routed.status, 0);
  const account = options.directory.find(pathUser);
  if (!account || account.username !== pathUser || !authenticated(request, account)) {
    return fail(401, 0, { 'WWW-Authenticate': 'Basic realm="Sync"' });
  }
  const context: Request11 = {
    request,
    user: options.engine.user(account.storageUid),
    collection: routed.collection,
    id: routed.id,
    params: new URLSearchParams(query ?? ''),
    quirks,
    serverTime: floorToResolution(options.engine.now()),
  };
  try {
    return send(routed.handler(context));
  } catch (error) {
    if (error instanceof WeaveError) return fail(error.status, error.code);
    throw error;
  }
}

/** The node URL clients should use for storage: this server's public URL and the prefix. */
function nodeUrl(options: Storage11Options, quirks: Storage11Quirks): string {
  const url = new URL(options.publicUrl());
  if (quirks.nodeUrlWithoutPort) url.port = '';
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}${options.prefix}/`;
}

function handleUserApi(request: FastifyRequest, reply: FastifyReply, options: Storage11Options): FastifyReply {
  const quirks = options.quirks();
  const { path } = splitRawUrl(request.raw.url ?? request.url);
  const [rawUser = '', ...rest] = path.slice(`${options.prefix}/user/1.0/`.length).split('/');
  const user = options.directory.find(decodeSegment(rawUser) ?? '');
  const send = (outcome: Outcome): FastifyReply => sendOutcome(request, reply, outcome);
  if (rest.length === 0) return send({ status: 200, body: user ? '1' : '0', contentType: 'application/json' });
  if (rest.length !== 2 || rest[0] !== 'node' || rest[1] !== 'weave') {
    return send({ status: 404, body: errorBody(quirks, 0), contentType: 'application/json' });
  }
  if (!user) return send({ status: 404, body: errorBody(quirks, 0), contentType: 'application/json' });
  return send({ status: 200, body: nodeUrl(options, quirks), contentType: 'text/plain' });
}

export function registerStorage11(app: FastifyInstance, options: Storage11Options): void {
  void app.register(async (scope) => {
    acceptRawBodies(scope);
    stampWeaveTimestamps(scope, options.engine.now, (ms) => formatSyncTimestamp(ms, options.quirks().timestampDecimals));
    scope.get(`${options.prefix}/user/1.0/*`, (request, reply) => handleUserApi(request, reply, options));
    scope.route({
      method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
      url: `${options.prefix}/1.1/*`,
      exposeHeadRoute: false,
      handler: (request, reply) => handleStorage(request, reply, options),
    });
  });
}
