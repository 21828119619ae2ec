/**
 * The daemon's HTTP API as the browser reaches it: same origin, under `<basePath>/api`, through the
 * dashboard's proxy route, so the daemon's HttpOnly session cookie goes along by itself.
 */
import { BASE_PATH, signInPath } from './base-path';
import type {
  Account,
  AddAccountInput,
  AddAccountStep,
  ApiErrorBody,
  ApiToken,
  BookmarkTree,
  CancelledJob,
  CollectionContents,
  CreatedApiToken,
  EnqueuedJob,
  FindResult,
  Health,
  HealthAlert,
  Job,
  Me,
  MigrationPlan,
  MigrationRequest,
  MigrationView,
  RestorePlan,
  RestoreRequest,
  RetentionPolicy,
  RetentionPreview,
  Snapshot,
  SnapshotDetail,
  SnapshotDiff,
  SnapshotRecord,
  SnapshotStatus,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  /** The caller handles 401 itself (sign-in) instead of being sent to the sign-in page. */
  allowUnauthorized?: boolean;
  signal?: AbortSignal;
}

function messageOf(body: unknown, status: number): string {
  const message = (body as Partial<ApiErrorBody> | null)?.message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string' && message !== '') return message;
  return `the daemon answered ${status}`;
}

/** Set once the page is being left, so that late 401s of other requests do not redirect elsewhere. */
let leaving = false;

/** Leaves the page for `path` (under the base path); the first call wins. */
export function leaveFor(path: string): void {
  if (leaving) return;
  leaving = true;
  window.location.assign(BASE_PATH + path);
}

/** While signing out, the 401s of the page's other requests are expected, not a reason to leave. */
let signInRedirectsHeld = false;

export function holdSignInRedirects(hold: boolean): void {
  signInRedirectsHeld = hold;
}

/** Sends the browser to the sign-in page, to come back here afterwards. */
export function goToSignIn(): void {
  if (signInRedirectsHeld) return;
  leaveFor(signInPath(window.location.pathname.slice(BASE_PATH.length) + window.location.search));
}

async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${BASE_PATH}${path}`, {
      method: options.method ?? 'GET',
      headers: { accept: 'application/json', ...(options.body !== undefined && { 'content-type': 'application/json' }) },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      credentials: 'same-origin',
      cache: 'no-store',
      ...(options.signal !== undefined && { signal: options.signal }),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'The dashboard server cannot be reached. Check your connection and try again.');
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = { message: text.slice(0, 200) };
  }
  if (response.ok) return body as T;
  if (response.status === 401 && options.allowUnauthorized !== true) goToSignIn();
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(response.status, messageOf(body, response.status), Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

const account = (idOrName: string) => `/api/accounts/${encodeURIComponent(idOrName)}`;

/** Where the browser downloads a snapshot's collection as a file (decrypted; the daemon logs each export). */
export function exportUrl(idOrName: string, seq: number, collection: string, format: string): string {
  return `${BASE_PATH}${account(idOrName)}/snapshots/${seq}/export/${encodeURIComponent(collection)}?format=${encodeURIComponent(format)}`;
}

export const api = {
  login: (username: string, password: string) =>
    request<{ ok: true; mustChangePassword: boolean }>('/api/auth/login', { method: 'POST', body: { username, password }, allowUnauthorized: true }),
  /** Ends every other session; this one goes on. */
  changePassword: (currentPassword: string, newPassword: string) => request<{ ok: true }>('/api/auth/password', { method: 'POST', body: { currentPassword, newPassword } }),
  apiTokens: () => request<ApiToken[]>('/api/auth/tokens'),
  createApiToken: (name: string) => request<CreatedApiToken>('/api/auth/tokens', { method: 'POST', body: { name } }),
  revokeApiToken: (id: string) => request<{ ok: true }>(`/api/auth/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  logout: () => request<{ ok: true }>('/api/auth/logout', { method: 'POST', allowUnauthorized: true }),
  me: (options: { allowUnauthorized?: boolean } = {}) => request<Me>('/api/auth/me', options),

  accounts: () => request<Account[]>('/api/accounts'),
  addAccount: (input: AddAccountInput) => request<AddAccountStep>('/api/accounts', { method: 'POST', body: input }),
  submitLoginCode: (loginId: string, code: string) => request<AddAccountStep>(`/api/accounts/logins/${encodeURIComponent(loginId)}/code`, { method: 'POST', body: { code } }),
  pollLogin: (loginId: string) => request<AddAccountStep>(`/api/accounts/logins/${encodeURIComponent(loginId)}/poll`, { method: 'POST' }),
  cancelLogin: (loginId: string) => request<{ cancelled: boolean }>(`/api/accounts/logins/${encodeURIComponent(loginId)}`, { method: 'DELETE' }),
  account: (idOrName: string) => request<Account>(account(idOrName)),
  /** Signs an account in again (after its password changed): the same steps as adding it. */
  reconnectAccount: (idOrName: string, input: { password: string; syncKey?: string }) => request<AddAccountStep>(`${account(idOrName)}/reconnect`, { method: 'POST', body: input }),
  /** A JSON merge patch of the settings: absent unchanged, null cleared. */
  updateAccount: (idOrName: string, patch: { schedule?: string | null; retention?: Record<string, number | null> | null }) => request<Account>(account(idOrName), { method: 'PATCH', body: patch }),
  /** Which snapshots `policy` would keep and remove; plans only, nothing is removed. */
  retentionPreview: (idOrName: string, policy: RetentionPolicy, signal?: AbortSignal) =>
    request<RetentionPreview>(`${account(idOrName)}/retention/preview`, { method: 'POST', body: { policy }, ...(signal !== undefined && { signal }) }),
  snapshots: (idOrName: string, query: { limit?: number; offset?: number; status?: SnapshotStatus } = {}) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    return request<Snapshot[]>(`${account(idOrName)}/snapshots${search === '' ? '' : `?${search}`}`);
  },
  snapshot: (idOrName: string, seq: number) => request<SnapshotDetail>(`${account(idOrName)}/snapshots/${seq}`),
  /** Decrypted records, newest first; passwords and card numbers come masked. */
  collection: (idOrName: string, seq: number, collection: string, query: { offset?: number; limit?: number; search?: string } = {}) => {
    const params = new URLSearchParams();
    if (query.offset !== undefined) params.set('offset', String(query.offset));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.search !== undefined && query.search !== '') params.set('search', query.search);
    return request<CollectionContents>(`${account(idOrName)}/snapshots/${seq}/collections/${encodeURIComponent(collection)}?${params.toString()}`);
  },
  /** One decrypted record; `reveal` shows its password (the daemon logs it). */
  record: (idOrName: string, seq: number, collection: string, recordId: string, query: { reveal?: boolean } = {}) =>
    request<SnapshotRecord>(`${account(idOrName)}/snapshots/${seq}/collections/${encodeURIComponent(collection)}/records/${encodeURIComponent(recordId)}${query.reveal === true ? '?reveal=true' : ''}`),
  /** The snapshot's bookmarks nested under the Places root, with the tree's structural problems. */
  bookmarkTree: (idOrName: string, seq: number) => request<BookmarkTree>(`${account(idOrName)}/snapshots/${seq}/bookmarks/tree`),
  alerts: (idOrName: string, query: { seq?: number; limit?: number; state?: 'open' | 'acknowledged' | 'all' } = {}) => {
    const params = new URLSearchParams();
    if (query.state !== undefined) params.set('state', query.state);
    if (query.seq !== undefined) params.set('seq', String(query.seq));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    return request<HealthAlert[]>(`${account(idOrName)}/alerts?${params.toString()}`);
  },
  /** Acknowledges the named alerts, or every open one of the account. */
  acknowledgeAlerts: (idOrName: string, ids?: string[]) => request<{ acknowledged: number }>(`${account(idOrName)}/alerts/acknowledge`, { method: 'POST', body: ids === undefined ? {} : { ids } }),
  backupNow: (idOrName: string) => request<EnqueuedJob>(`${account(idOrName)}/backups`, { method: 'POST' }),
  /** What changed from snapshot `from` to snapshot `to` (either order) or to the live server now. */
  diff: (idOrName: string, from: number, to: number | 'live', collection?: string) =>
    request<SnapshotDiff>(`${account(idOrName)}/diff?${new URLSearchParams({ from: String(from), to: String(to), ...(collection !== undefined && { collection }) }).toString()}`),
  /** "When did it vanish?": records whose title or URL held `text`, across every complete snapshot. */
  find: (idOrName: string, text: string) => request<FindResult>(`${account(idOrName)}/find?${new URLSearchParams({ text }).toString()}`),
  /** What a restore would write or delete on the live server now; writes nothing. */
  restorePlan: (idOrName: string, body: RestoreRequest, signal?: AbortSignal) =>
    request<RestorePlan>(`${account(idOrName)}/restore/plan`, { method: 'POST', body, ...(signal !== undefined && { signal }) }),
  /** Queues the restore; follow the job for its progress and result. */
  startRestore: (idOrName: string, body: RestoreRequest) => request<EnqueuedJob>(`${account(idOrName)}/restores`, { method: 'POST', body }),

  /** What a migration would copy, the target's state and limits, and whether it can run; writes nothing. */
  migrationPlan: (body: MigrationRequest, signal?: AbortSignal) => request<MigrationPlan>('/api/migrations/plan', { method: 'POST', body, ...(signal !== undefined && { signal }) }),
  /** Queues the migration (or the resumption of an unfinished one); follow the job for its progress and result. */
  startMigration: (body: MigrationRequest) => request<EnqueuedJob>('/api/migrations', { method: 'POST', body }),
  /** Newest first; only those touching `account` (as source or target) when given. */
  migrations: (query: { account?: string } = {}) => request<MigrationView[]>(`/api/migrations${query.account === undefined ? '' : `?${new URLSearchParams({ account: query.account }).toString()}`}`),
  migration: (id: string) => request<MigrationView>(`/api/migrations/${encodeURIComponent(id)}`),

  jobs: (limit = 50) => request<Job[]>(`/api/jobs?limit=${limit}`),
  job: (id: string) => request<Job>(`/api/jobs/${encodeURIComponent(id)}`),
  /** Server-Sent Events of one job; see lib/job-events.ts. */
  jobEventsUrl: (id: string) => `${BASE_PATH}/api/jobs/${encodeURIComponent(id)}/events`,
  /** Server-Sent Events of every job of every queue; see useJobFeed in lib/job-events.ts. */
  jobFeedUrl: () => `${BASE_PATH}/api/jobs/events`,
  /** Runs a failed job again under the same id; answers it, queued. */
  retryJob: (id: string) => request<Job>(`/api/jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  /** Removes a queued job, or asks a running backup to stop. */
  cancelJob: (id: string) => request<CancelledJob>(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),

  /**
   * The daemon's /health (the proxy serves it at /api/health). A 503 still carries the checks, so
   * it is an answer here, not an error.
   */
  health: async (): Promise<Health> => {
    const response = await fetch(`${BASE_PATH}/api/health`, { cache: 'no-store', headers: { accept: 'application/json' } });
    const body = (await response.json().catch(() => null)) as Health | ApiErrorBody | null;
    if (body !== null && 'checks' in body) return body;
    throw new ApiError(response.status, messageOf(body, response.status));
  },
};

/** A one-line description of any error for the page. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
