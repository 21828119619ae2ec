import { HttpTransport, isSuccess, RetryPolicy, type HttpResponse, type RetryOptions } from '../http/index.js';
import { storageErrorFor } from './errors.js';
import { noticesFrom } from './notices.js';
import { parseBso, parseCollectionsInfo, parseNumberMap, parseQuota, parseWriteResult } from './parse.js';
import { chunk, collectionPath, idsParameter, MAX_IDS_PER_REQUEST, partitionListableIds, recordPath } from './paths.js';
import type {
  CallOptions,
  CollectionsInfo,
  OutgoingBso,
  QuotaInfo,
  ReadOptions,
  RemoteBso,
  ServerLimits,
  ServerNoticeListener,
  SyncStorageClient,
  UploadResult,
  WriteOptions,
  WriteResult,
} from './types.js';

/** Options both storage clients take besides their credentials. */
export interface StorageClientOptions {
  transport?: HttpTransport;
  /** Retry bounds and time scale; backoff is reported through `onServerNotice`. */
  retry?: Omit<RetryOptions, 'onBackoff'>;
  /** Backoff, quota, alerts and node reassignment, as they arrive. */
  onServerNotice?: ServerNoticeListener;
}

export interface ExchangeOptions extends CallOptions {
  body?: string;
  ifUnmodifiedSince?: number;
  headers?: Record<string, string>;
}

export const JSON_TYPE = 'application/json';

/**
 * What storage 1.5 and 1.1 do alike (same paths and bodies for info, items and deletes). A
 * subclass supplies `exchange`: authentication, and what to do on a 401.
 */
export abstract class BaseStorageClient implements SyncStorageClient {
  protected readonly transport: HttpTransport;
  protected readonly retry: RetryPolicy;
  protected readonly onServerNotice: ServerNoticeListener | undefined;

  constructor(options: StorageClientOptions) {
    this.transport = options.transport ?? new HttpTransport();
    this.onServerNotice = options.onServerNotice;
    this.retry = new RetryPolicy({
      ...options.retry,
      onBackoff: (seconds, response) => this.onServerNotice?.({ kind: 'backoff', seconds, url: response.url }),
    });
  }

  /** One authenticated request to `path` under the user's storage base; any status is returned. */
  protected abstract exchange(method: string, path: string, options: ExchangeOptions): Promise<HttpResponse>;

  abstract configuration(options?: CallOptions): Promise<ServerLimits>;
  abstract readRecords(collection: string, options?: ReadOptions): AsyncIterable<RemoteBso[]>;
  abstract readIds(collection: string, options?: ReadOptions): Promise<string[]>;
  abstract uploadRecords(collection: string, records: readonly OutgoingBso[], options?: WriteOptions): Promise<UploadResult>;
  abstract deleteAll(options?: CallOptions): Promise<void>;

  async infoCollections(options: CallOptions = {}): Promise<CollectionsInfo> {
    return parseCollectionsInfo(await this.expectSuccess('GET', '/info/collections', options));
  }

  async infoQuota(options: CallOptions = {}): Promise<QuotaInfo> {
    return parseQuota(await this.expectSuccess('GET', '/info/quota', options));
  }

  async collectionCounts(options: CallOptions = {}): Promise<Record<string, number>> {
    return parseNumberMap(await this.expectSuccess('GET', '/info/collection_counts', options));
  }

  async collectionUsage(options: CallOptions = {}): Promise<Record<string, number>> {
    return parseNumberMap(await this.expectSuccess('GET', '/info/collection_usage', options));
  }

  async getRecord(collection: string, id: string, options: CallOptions = {}): Promise<RemoteBso | null> {
    const response = await this.exchange('GET', recordPath(collection, id), options);
    if (response.status === 404) return null;
    if (!isSuccess(response)) throw storageErrorFor(response);
    return parseBso(response);
  }

  async putRecord(collection: string, record: OutgoingBso, options: WriteOptions = {}): Promise<WriteResult> {
    // The id travels in the URL; the body carries only what is written.
    const body: Record<string, unknown> = { payload: record.payload };
    if (record.sortindex !== undefined) body['sortindex'] = record.sortindex;
    if (record.ttl !== undefined) body['ttl'] = record.ttl;
    const path = recordPath(collection, record.id);
    return parseWriteResult(await this.expectSuccess('PUT', path, { ...options, body: JSON.stringify(body) }));
  }

  async deleteRecords(collection: string, ids: readonly string[], options: WriteOptions = {}): Promise<WriteResult | null> {
    let result: WriteResult | null = null;
    let ifUnmodifiedSince = options.ifUnmodifiedSince;
    const { listable, single } = partitionListableIds(ids);
    const requests = [
      ...chunk(listable, MAX_IDS_PER_REQUEST).map((idChunk) => ({ path: `${collectionPath(collection)}?${idsParameter(idChunk)}`, one: false })),
      ...single.map((id) => ({ path: recordPath(collection, id), one: true })),
    ];
    for (const { path, one } of requests) {
      const exchange: ExchangeOptions = { ...options };
      if (ifUnmodifiedSince !== undefined) exchange.ifUnmodifiedSince = ifUnmodifiedSince;
      const response = await this.exchange('DELETE', path, exchange);
      // Deleting a record that is already gone is what the caller wanted.
      if (one && response.status === 404) continue;
      if (!isSuccess(response)) throw storageErrorFor(response);
      result = parseWriteResult(response);
      // Our own delete moved the collection's timestamp; later requests still guard against others.
      if (ifUnmodifiedSince !== undefined) ifUnmodifiedSince = result.modified;
    }
    return result;
  }

  /**
   * The records an ids read names but cannot list (see partitionListableIds), one GET each,
   * filtered by `newer`/`older` as the server would have.
   */
  protected async *unlistedRecords(collection: string, ids: readonly string[], options: ReadOptions): AsyncGenerator<RemoteBso> {
    const callOptions: CallOptions = options.signal === undefined ? {} : { signal: options.signal };
    for (const id of ids) {
      const record = await this.getRecord(collection, id, callOptions);
      if (record === null) continue;
      if (options.newer !== undefined && record.modified <= options.newer) continue;
      if (options.older !== undefined && record.modified >= options.older) continue;
      yield record;
    }
  }

  async deleteCollection(collection: string, options: WriteOptions = {}): Promise<WriteResult> {
    return parseWriteResult(await this.expectSuccess('DELETE', collectionPath(collection), options));
  }

  protected async expectSuccess(method: string, path: string, options: ExchangeOptions): Promise<HttpResponse> {
    const response = await this.exchange(method, path, options);
    if (!isSuccess(response)) throw storageErrorFor(response);
    return response;
  }

  /** Passes on the quota and alert headers of a response. */
  protected reportNotices(response: HttpResponse): void {
    for (const notice of noticesFrom(response)) this.onServerNotice?.(notice);
  }
}

/**
 * Splits an ids read into the query that lists ids (undefined when there is nothing to list) and
 * the ids that must be fetched one by one.
 */
export function splitIdsRead(options: ReadOptions): { listed: ReadOptions | undefined; unlisted: string[] } {
  if (options.ids === undefined) return { listed: options, unlisted: [] };
  const { listable, single } = partitionListableIds(options.ids);
  return { listed: listable.length > 0 ? { ...options, ids: listable } : undefined, unlisted: single };
}
