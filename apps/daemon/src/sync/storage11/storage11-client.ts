import { legacyUsername } from '@syncvault/sync-crypto';
import { isSuccess, parseJsonLoose, UnexpectedResponseError, type HttpResponse } from '../http/index.js';
import { BaseStorageClient, JSON_TYPE, splitIdsRead, type ExchangeOptions, type StorageClientOptions } from '../storage/base-client.js';
import { AuthenticationError, PreconditionFailedError, storageErrorFor } from '../storage/errors.js';
import { STORAGE11_LIMITS } from '../storage/limits.js';
import { parseBsoList, parseCollectionsInfo, parseIdList, parsePostResponse } from '../storage/parse.js';
import { chunk, collectionPath, collectionQuery, MAX_IDS_PER_REQUEST } from '../storage/paths.js';
import { formatSyncTimestamp } from '../storage/timestamps.js';
import type { CallOptions, OutgoingBso, ReadOptions, RemoteBso, ServerLimits, UploadResult, WriteOptions } from '../storage/types.js';
import { runUpload } from '../storage/upload.js';
import { NodeUnassignedError, UnknownUserError } from './errors.js';

export interface Storage11ClientOptions extends StorageClientOptions {
  /** User API base, e.g. `https://auth.services.mozilla.com`. */
  serverUrl: string;
  /** The Sync 1.1 username; derived from `email` when absent. */
  username?: string;
  /** Account email: username = legacyUsername(email). */
  email?: string;
  password: string;
  /**
   * Storage node to use instead of the discovered one (e.g. when the user API returns the node
   * without its port). Either the node URL or the full `<node>/1.1/<user>` base.
   */
  storageUrl?: string;
}

const USER_BASE_SUFFIX = /\/1\.1\/[^/]+\/*$/;

/**
 * Legacy Sync 1.1 "Weave" storage (§6): node discovery through the user API, Basic auth,
 * integer offset paging, plain POSTs of at most 100 WBOs.
 */
export class Storage11Client extends BaseStorageClient {
  readonly username: string;
  private readonly serverUrl: string;
  private readonly authorization: string;
  private readonly configuredStorageUrl: string | undefined;
  private node: string | undefined;

  constructor(options: Storage11ClientOptions) {
    super(options);
    const username = options.username ?? (options.email === undefined ? undefined : legacyUsername(options.email));
    if (username === undefined) throw new TypeError('a Sync 1.1 client needs a username or an email');
    this.username = username;
    this.serverUrl = options.serverUrl;
    this.authorization = `Basic ${Buffer.from(`${username}:${options.password}`, 'utf8').toString('base64')}`;
    this.configuredStorageUrl = options.storageUrl;
  }

  /** 1.1 has no info/configuration: the reference server's limits. */
  async configuration(): Promise<ServerLimits> {
    return { ...STORAGE11_LIMITS };
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

  /** Plain POSTs (no batches in 1.1), each guarded by the collection timestamp the previous one left. */
  async uploadRecords(collection: string, records: readonly OutgoingBso[], options: WriteOptions = {}): Promise<UploadResult> {
    const runOptions = { batching: false, ...(options.ifUnmodifiedSince !== undefined && { ifUnmodifiedSince: options.ifUnmodifiedSince }) };
    return runUpload(collection, records, STORAGE11_LIMITS, runOptions, async (post) => {
      const exchange: ExchangeOptions = { body: post.body };
      if (options.signal !== undefined) exchange.signal = options.signal;
      if (post.ifUnmodifiedSince !== undefined) exchange.ifUnmodifiedSince = post.ifUnmodifiedSince;
      return parsePostResponse(await this.expectSuccess('POST', collectionPath(collection), exchange));
    });
  }

  async deleteAll(options: CallOptions = {}): Promise<void> {
    await this.expectSuccess('DELETE', '/storage', { ...options, headers: { 'x-confirm-delete': '1' } });
  }

  /**
   * Pages with `limit` + integer `offset` until a short page. 1.1 has no preconditions on reads,
   * so the collection timestamp from info/collections is compared before the first and after the
   * last page: a change in between (records may have shifted between pages) fails with
   * PreconditionFailedError, as does a collection newer than the caller's ifUnmodifiedSince.
   */
  private async *pages<T>(
    collection: string,
    options: ReadOptions,
    full: boolean,
    parse: (response: HttpResponse) => T[],
  ): AsyncGenerator<T[]> {
    const guarded = options.limit !== undefined || options.ifUnmodifiedSince !== undefined;
    const before = guarded ? await this.collectionTimestamp(collection, options) : undefined;
    if (before && options.ifUnmodifiedSince !== undefined && (before.modified ?? 0) > options.ifUnmodifiedSince) {
      throw new PreconditionFailedError(before.response, `${collection} was modified after ${formatSyncTimestamp(options.ifUnmodifiedSince)}`);
    }
    const idChunks = options.ids === undefined ? [undefined] : chunk(options.ids, MAX_IDS_PER_REQUEST);
    let requests = 0;
    for (const ids of idChunks) {
      for (let offset = 0; ; ) {
        const query = collectionQuery({
          ...options,
          full,
          sort: options.sort ?? 'oldest',
          ids,
          offset: offset > 0 ? String(offset) : undefined,
        });
        const exchange: ExchangeOptions = options.signal === undefined ? {} : { signal: options.signal };
        const response = await this.exchange('GET', collectionPath(collection) + query, exchange);
        requests += 1;
        // Old servers may answer 404 for an empty collection.
        if (response.status === 404 && requests === 1) return;
        if (!isSuccess(response)) throw storageErrorFor(response);
        const page = parse(response);
        if (page.length > 0) yield page;
        if (options.limit === undefined || page.length < options.limit) break;
        offset += page.length;
      }
    }
    if (before && requests > 1) {
      const after = await this.collectionTimestamp(collection, options);
      if (after.modified !== before.modified) {
        throw new PreconditionFailedError(after.response, `${collection} changed while its pages were read`);
      }
    }
  }

  private async collectionTimestamp(collection: string, options: CallOptions): Promise<{ modified: number | undefined; response: HttpResponse }> {
    const response = await this.expectSuccess('GET', '/info/collections', options);
    return { modified: parseCollectionsInfo(response)[collection], response };
  }

  /**
   * Basic-authenticated request on `<node>/1.1/<user><path>`, paced and retried by the policy. On
   * a 401 the node is looked up again: a new node gets one retry, the same node means the
   * password is wrong.
   */
  protected async exchange(method: string, path: string, options: ExchangeOptions): Promise<HttpResponse> {
    let base = await this.storageBase(options);
    for (let relookedUp = false; ; relookedUp = true) {
      const response = await this.retry.run(() => this.send(base, method, path, options), options.signal);
      this.reportNotices(response);
      if (response.status !== 401) return response;
      if (relookedUp || this.configuredStorageUrl !== undefined) throw new AuthenticationError(response, 'wrong password');
      const previous = this.node;
      this.node = undefined;
      const fresh = await this.storageBase(options);
      if (this.node === previous) throw new AuthenticationError(response, 'wrong password (the storage node did not change)');
      this.onServerNotice?.({ kind: 'node-reassigned', previous: base, current: fresh });
      base = fresh;
    }
  }

  private send(base: string, method: string, path: string, options: ExchangeOptions): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: JSON_TYPE, authorization: this.authorization, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = JSON_TYPE;
    if (options.ifUnmodifiedSince !== undefined) headers['x-if-unmodified-since'] = formatSyncTimestamp(options.ifUnmodifiedSince);
    return this.transport.send({
      method,
      url: base,
      rawPath: path,
      headers,
      ...(options.body !== undefined && { body: options.body }),
      ...(options.signal !== undefined && { signal: options.signal }),
    });
  }

  /** `<node>/1.1/<user>`, from the configured storage URL or the user API's node lookup (cached). */
  private async storageBase(options: CallOptions): Promise<string> {
    const user = encodeURIComponent(this.username);
    if (this.configuredStorageUrl !== undefined) {
      const configured = this.configuredStorageUrl.replace(/\/+$/, '');
      return USER_BASE_SUFFIX.test(configured) ? configured : `${configured}/1.1/${user}`;
    }
    this.node ??= await this.lookUpNode(options);
    return `${this.node.replace(/\/+$/, '')}/1.1/${user}`;
  }

  /** `GET <serverUrl>/user/1.0/<user>/node/weave`: the node URL as plain text, `null` if unassigned. */
  private async lookUpNode(options: CallOptions): Promise<string> {
    const rawPath = `/user/1.0/${encodeURIComponent(this.username)}/node/weave`;
    const response = await this.retry.run(
      () =>
        this.transport.send({
          method: 'GET',
          url: this.serverUrl,
          rawPath,
          ...(options.signal !== undefined && { signal: options.signal }),
        }),
      options.signal,
    );
    this.reportNotices(response);
    if (response.status === 404) throw new UnknownUserError(response, `unknown Sync 1.1 user ${this.username}`);
    if (!isSuccess(response)) throw storageErrorFor(response);
    // Plain text normally; tolerate a JSON-quoted string.
    const parsed = parseJsonLoose(response.body);
    const node = (typeof parsed === 'string' ? parsed : response.body).trim();
    if (node === 'null' || node === '' || parsed === null) throw new NodeUnassignedError(this.username);
    if (!/^https?:\/\//i.test(node)) throw new UnexpectedResponseError(response, 'a storage node URL');
    return node;
  }
}
