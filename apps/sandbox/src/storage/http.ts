/**
 * HTTP plumbing shared by the 1.5 and 1.1 front ends: raw bodies and URLs (both are needed
 * byte-for-byte), handler outcomes, and the X-Weave-Timestamp every response carries.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TIMESTAMP_RESOLUTION_MS, floorToResolution, formatSyncTimestamp } from './timestamps.js';

/** Whatever a handler answers; the front end turns it into headers and a body. */
export interface Outcome {
  status: number;
  /** Body; absent = empty body. */
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** The target's last-modified (1.5: X-Last-Modified) or the write time; also lifts X-Weave-Timestamp. */
  lastModified?: number;
}

/** An error answered with a bare Weave error code as its body. */
export class WeaveError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(`weave error ${status}/${code}`);
  }
}

export function jsonOutcome(body: string, status = 200): Outcome {
  return { status, body, contentType: 'application/json' };
}

/** The request target split as it came over the wire, percent-encoding untouched. */
export function splitRawUrl(rawUrl: string): { path: string; query: string | undefined } {
  const mark = rawUrl.indexOf('?');
  return mark < 0 ? { path: rawUrl, query: undefined } : { path: rawUrl.slice(0, mark), query: rawUrl.slice(mark + 1) };
}

/** Decodes one path segment; undefined for malformed percent-encoding. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Media type without parameters, lower case; '' when absent. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType?.split(';')[0] ?? '').trim().toLowerCase();
}

/** A float the way Rust's serde_json writes an f64 (always with a fraction: 3 -> "3.0"). */
export function rustFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/**
 * Makes `scope` hand every request body to handlers as a raw Buffer, whatever its type: the
 * storage servers choose their own 413/415 answers and need the exact bytes for Hawk hashes.
 * Only `scope` (an encapsulated plugin) is affected.
 */
export function acceptRawBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 * 1024 }, (_request, body, done) => {
    done(null, body);
  });
}

export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

const responseTimes = new WeakMap<FastifyRequest, number>();

/**
 * Stamps X-Weave-Timestamp on every response of `scope`: the server's time, or the response's
 * last-modified when that is later (a write's own time), as syncstorage-rs does.
 */
export function stampWeaveTimestamps(scope: FastifyInstance, now: () => number, format: (ms: number) => string): void {
  scope.addHook('onSend', async (request, reply, payload) => {
    const serverTime = floorToResolution(now(), TIMESTAMP_RESOLUTION_MS);
    reply.header('X-Weave-Timestamp', format(Math.max(serverTime, responseTimes.get(request) ?? 0)));
    return payload;
  });
}

/** Sends `outcome`; with `withLastModified` (storage 1.5), its lastModified also goes out as X-Last-Modified. */
export function sendOutcome(request: FastifyRequest, reply: FastifyReply, outcome: Outcome, withLastModified = false): FastifyReply {
  if (outcome.lastModified !== undefined) {
    responseTimes.set(request, outcome.lastModified);
    if (withLastModified) reply.header('X-Last-Modified', formatSyncTimestamp(outcome.lastModified));
  }
  for (const [name, value] of Object.entries(outcome.headers ?? {})) reply.header(name, value);
  reply.code(outcome.status);
  if (outcome.body === undefined) return reply.send();
  reply.type(outcome.contentType ?? 'application/json');
  return reply.send(outcome.body);
}
