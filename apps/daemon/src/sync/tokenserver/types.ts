/** What the tokenserver hands out: Hawk credentials for one storage node, for a limited time. */
export interface SyncNodeToken {
  /** Hawk id (opaque). */
  id: string;
  /** Hawk key: HMAC with its ASCII bytes, never decoded. */
  key: string;
  uid: number;
  /** `<node>/1.5/<uid>`, without a trailing slash. */
  apiEndpoint: string;
  /** Lifetime in seconds as the server gave it. */
  duration: number;
  hashalg: string;
  hashedFxaUid?: string;
  nodeType?: string;
  /** Local clock (ms) after which the token must not be used. */
  expiresAt: number;
}

/** Storage 1.5 asks this for a token, and invalidates it on a 401 to get a fresh one. */
export interface TokenSource {
  getToken(): Promise<SyncNodeToken>;
  invalidate(): void;
}
