import { ClockOffset, hawkAuthorization, isSuccess, resolveTarget, targetHref, type HttpResponse } from '../http/index.js';
import { BaseStorageClient, JSON_TYPE, splitIdsRead, type ExchangeOptions, type StorageClientOptions } from '../storage/base-client.js';
import { storageErrorFor } from '../storage/errors.js';
import { parseServerLimits, STORAGE15_FALLBACK_LIMITS } from '../storage/limits.js';
import { parseBsoList, parseIdList, parsePostResponse } from '../storage/parse.js';
import { chunk, collectionPath, collectionQuery, MAX_IDS_PER_REQUEST } from '../storage/paths.js';
import { formatSyncTimestamp, parseOptionalSyncTimestamp } from '../storage/timestamps.js';
import type { CallOptions, OutgoingBso, ReadOptions, RemoteBso, ServerLimits, UploadResult, WriteOptions } from '../storage/types.js';
import { runUpload } from '../storage/upload.js';
import type { SyncNodeToken, TokenSource } from '../tokenserver/types.js';

export interface Storage15ClientOptions extends StorageClientOptions {
  tokenSource: TokenSource;
  /**
   * The origin (`scheme://host[:port]`) the storage node itself sees, when a proxy in between
   * rewrites the host or port: Hawk signs that origin instead of the one requested (§4).
   */
  signAsOrigin?: string;
}

/** Sync storage 1.5 (§5): Hawk-signed with tokenserver credentials, offset paging, batch uploads. */
export class Storage15Client extends BaseStorageClient {
  private readonly tokenSource: TokenSource;
  private readonly signAsOrigin: string | undefined;
  private readonly clock = new ClockOffset();
  private limits: ServerLimits | undefined;

  constructor(options: Storage15ClientOptions) {
    super(options);
    this.tokenSource = options.tokenSource;
    if (options.signAsOrigin !== undefined) {
      const origin = new URL(options.signAsOrigin);
      if (origin.pathname !== '/' || origin.search !== '') throw new TypeError('signAsOrigin is an origin: scheme, host and port only');
      this.signAsOrigin = origin.origin;
    }
  }

  /** Read once per client (and again after a node change); 404 = old server, application-services' fallback. */
  async configuration(options: CallOptions = {}): Promise<ServerLimits> {
    if (this.limits === undefined) {
      const response = await this.exchange('GET', '/info/configuration', options);
      if (response.status === 404) this.limits = { ...STORAGE15_FALLBACK_LIMITS };
      else if (isSuccess(response)) this.limits = parseServerLimits(response);
      else throw storageErrorFor(response);
    }
    return { ...this.limits };
  }

  async *readRecords(collection: string, options: ReadOptions = {}): AsyncGenerator<RemoteBso[]> {
    const { listed, unlisted } = splitIdsRead(options);
    if (listed !== undefined) yield* this.pages(collection, listed, true, parseBsoList);
    for await (const record of this.unlistedRecords(collection, unlisted, options)) yield [record];
  }

  async readIds(collection: string, options: ReadOptions = {}): Promise<string[]> {
    const { listed, unlisted } = splitIdsRead(options);
    const ids: string[] = [];
    if (listed !== undefined) for await (const page of this.pages(collection, listed, false, parseIdList)) ids.push(...page);
    for await (const record of this.unlistedRecords(collection, unlisted, options)) ids.push(record.id);
    return ids;
  }

  /** POSTs in atomic batches (§5.6), falling back to plain POSTs when the server has no batches. */
  async uploadRecords(collection: string, records: readonly OutgoingBso[], options: WriteOptions = {}): Promise<UploadResult> {
    if (records.length === 0) return { success: [], failed: {} };
    const limits = await this.configuration(options);
    const runOptions = { batching: true, ...(options.ifUnmodifiedSince !== undefined && { ifUnmodifiedSince: options.ifUnmodifiedSince }) };
    return runUpload(collection, records, limits, runOptions, async (post) => {
      const query: string[] = [];
      if (post.batch !== undefined) query.push(`batch=${encodeURIComponent(post.batch)}`);
      if (post.commit) query.push('commit=true');
      const path = collectionPath(collection) + (query.length > 0 ? `?${query.join('&')}` : '');
      const exchange: ExchangeOptions = { body: post.body };
      if (options.signal !== undefined) exchange.signal = options.signal;
      if (post.ifUnmodifiedSince !== undefined) exchange.ifUnmodifiedSince = post.ifUnmodifiedSince;
      return parsePostResponse(await this.expectSuccess('POST', path, exchange));
    });
  }

  async deleteAll(options: CallOptions = {}): Promise<void> {
    await this.expectSuccess('DELETE', '/storage', options);
  }

  /**
   * GETs every page of a collection query: `ids` in chunks of 100, each chunk paged with
   * X-Weave-Next-Offset, every later request guarded by X-If-Unmodified-Since (the caller's, else
   * page 1's X-Last-Modified) so a concurrent write fails with 412 instead of skipping records.
   * Empty pages are not yielded.
   */
  private async *pages<T>(
    collection: string,
    options: ReadOptions,
    full: boolean,
    parse: (response: HttpResponse) => T[],
  ): AsyncGenerator<T[]> {
    const idChunks = options.ids === undefined ? [undefined] : chunk(options.ids, MAX_IDS_PER_REQUEST);
    let ifUnmodifiedSince = options.ifUnmodifiedSince;
    let first = true;
    for (const ids of idChunks) {
      let offset: string | undefined;
      do {
        const query = collectionQuery({ ...options, full, sort: options.sort ?? 'oldest', ids, offset });
        const exchange: ExchangeOptions = {};
        if (options.signal !== undefined) exchange.signal = options.signal;
        if (ifUnmodifiedSince !== undefined) exchange.ifUnmodifiedSince = ifUnmodifiedSince;
        const response = await this.exchange('GET', collectionPath(collection) + query, exchange);
        // Old servers answer 404 for a collection that was never written.
        if (response.status === 404 && first) return;
        if (!isSuccess(response)) throw storageErrorFor(response);
        first = false;
        ifUnmodifiedSince ??= parseOptionalSyncTimestamp(response.headers['x-last-modified']);
        offset = response.headers['x-weave-next-offset'] || undefined;
        const page = parse(response);
        if (page.length > 0) yield page;
      } while (offset !== undefined);
    }
  }

  /**
   * Hawk-signed with the current token, paced and retried by the policy. A 401 invalidates the
   * token and is retried once with a fresh one, against its api_endpoint (the node may have been
   * reassigned; the clock offset learnt from the 401 also applies).
   */
  protected async exchange(method: string, path: string, options: ExchangeOptions): Promise<HttpResponse> {
    let token = await this.tokenSource.getToken();
    for (let renewed = false; ; renewed = true) {
      const response = await this.retry.run(() => this.sendSigned(token, method, path, options), options.signal);
      this.reportNotices(response);
      if (response.status !== 401 || renewed) return response;
      this.tokenSource.invalidate();
      const fresh = await this.tokenSource.getToken();
      if (fresh.apiEndpoint !== token.apiEndpoint) {
        this.limits = undefined;
        this.onServerNotice?.({ kind: 'node-reassigned', previous: token.apiEndpoint, current: fresh.apiEndpoint });
      }
      token = fresh;
    }
  }

  private async sendSigned(token: SyncNodeToken, method: string, path: string, options: ExchangeOptions): Promise<HttpResponse> {
    const target = resolveTarget(token.apiEndpoint, path);
    const url = targetHref(target);
    const headers: Record<string, string> = { accept: JSON_TYPE, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = JSON_TYPE;
    if (options.ifUnmodifiedSince !== undefined) headers['x-if-unmodified-since'] = formatSyncTimestamp(options.ifUnmodifiedSince);
    headers['authorization'] = hawkAuthorization({
      method,
      url: this.signAsOrigin === undefined ? url : `${this.signAsOrigin}${target.path}`,
      credentials: { id: token.id, key: token.key },
      offsetSeconds: this.clock.offsetSeconds,
      ...(options.body !== undefined && { payload: options.body, contentType: JSON_TYPE }),
    });
    const response = await this.transport.send({
      method,
      url,
      headers,
      ...(options.body !== undefined && { body: options.body }),
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    this.clock.observe(response.headers);
    return response;
  }
}
