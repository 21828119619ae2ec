import { tokenserverErrors } from './errors.js';

/** What one token request claims about the account's key state. Absent = not reported (0 counts as absent). */
export interface KeyStateClaims {
  /** Hex of the 16-byte client state; empty string when the client reports none. */
  clientState: string;
  generation?: number;
  keysChangedAt?: number;
}

/** The tokenserver's current record for one FxA user; a new record (and storage uid) appears whenever kB changes. */
export interface TokenserverUser {
  readonly fxaUid: string;
  readonly uid: number;
  readonly clientState: string;
  generation: number;
  keysChangedAt: number | null;
}

interface UserHistory {
  current: TokenserverUser;
  /** Client states of replaced records: a client presenting one of them holds a stale kB. */
  replacedClientStates: Set<string>;
}

const positiveOrAbsent = (value: number | undefined) => (value === undefined || value === 0 ? undefined : value);

/**
 * The tokenserver's users table and its consistency rules: generation and keys_changed_at never go
 * down, keys_changed_at never exceeds generation, old client states never come back, and a new
 * client state (new kB) moves the user to a fresh, empty storage uid.
 */
export class TokenserverUsers {
  private readonly users = new Map<string, UserHistory>();

  constructor(private readonly allocateUid: () => number) {}

  current(fxaUid: string): TokenserverUser | undefined {
    return this.users.get(fxaUid)?.current;
  }

  /** Checks one request's claims against the user's record, applies them, and returns the record to mint a token for. */
  admit(fxaUid: string, rawClaims: KeyStateClaims): TokenserverUser {
    const claims: KeyStateClaims = {
      clientState: rawClaims.clientState,
      ...(positiveOrAbsent(rawClaims.generation) !== undefined ? { generation: rawClaims.generation } : {}),
      ...(positiveOrAbsent(rawClaims.keysChangedAt) !== undefined ? { keysChangedAt: rawClaims.keysChangedAt } : {}),
    };
    const history = this.users.get(fxaUid) ?? this.create(fxaUid, claims);
    validate(history, claims);
    return this.update(history, claims);
  }

  private create(fxaUid: string, claims: KeyStateClaims): UserHistory {
    const history: UserHistory = {
      current: {
        fxaUid,
        uid: this.allocateUid(),
        clientState: claims.clientState,
        generation: claims.generation ?? 0,
        keysChangedAt: claims.keysChangedAt ?? null,
      },
      replacedClientStates: new Set(),
    };
    this.users.set(fxaUid, history);
    return history;
  }

  private update(history: UserHistory, claims: KeyStateClaims): TokenserverUser {
    const user = history.current;
    const keysChangedAt = claims.keysChangedAt ?? (user.keysChangedAt === null ? null : 0);
    const generation = claims.generation ?? inferredGeneration(user, claims);
    if (claims.clientState !== user.clientState) {
      history.replacedClientStates.add(user.clientState);
      history.current = {
        fxaUid: user.fxaUid,
        uid: this.allocateUid(),
        clientState: claims.clientState,
        generation,
        keysChangedAt,
      };
    } else {
      user.generation = generation;
      user.keysChangedAt = keysChangedAt;
    }
    return history.current;
  }
}

/**
 * Clients that report no generation still move it when their keys_changed_at moves past it: a key
 * change is an auth change.
 */
function inferredGeneration(user: TokenserverUser, claims: KeyStateClaims): number {
  const reported = claims.keysChangedAt;
  if (reported !== undefined && (user.keysChangedAt === null || reported > user.keysChangedAt) && reported > user.generation) {
    return reported;
  }
  return user.generation;
}

/** The checks in the order syncstorage-rs makes them, so the same request gets the same error. */
function validate(history: UserHistory, claims: KeyStateClaims): void {
  const user = history.current;
  const { generation, keysChangedAt, clientState } = claims;
  const userKeysChangedAt = user.keysChangedAt;
  const clientStateChanged = clientState !== user.clientState;

  if (
    keysChangedAt !== undefined &&
    userKeysChangedAt !== null &&
    keysChangedAt > userKeysChangedAt &&
    generation !== undefined &&
    generation < keysChangedAt
  ) {
    throw tokenserverErrors.invalidKeysChangedAt();
  }
  if (user.clientState !== '' && clientState === '') {
    throw tokenserverErrors.invalidClientState('Unacceptable client-state value empty string');
  }
  if (history.replacedClientStates.has(clientState)) {
    throw tokenserverErrors.invalidClientState('Unacceptable client-state value stale value');
  }
  if (clientStateChanged && generation !== undefined && generation <= user.generation) {
    throw tokenserverErrors.invalidClientState('Unacceptable client-state value new value with no generation change');
  }
  if (clientStateChanged && keysChangedAt !== undefined && userKeysChangedAt !== null && keysChangedAt <= userKeysChangedAt) {
    throw tokenserverErrors.invalidClientState('Unacceptable client-state value new value with no keys_changed_at change');
  }
  if (generation !== undefined && user.generation > generation) {
    throw tokenserverErrors.invalidGeneration();
  }
  if (keysChangedAt !== undefined && userKeysChangedAt !== null && userKeysChangedAt > keysChangedAt) {
    throw tokenserverErrors.invalidKeysChangedAt();
  }
  if (keysChangedAt === undefined && userKeysChangedAt !== null && userKeysChangedAt !== 0) {
    throw tokenserverErrors.invalidKeysChangedAt();
  }
}
