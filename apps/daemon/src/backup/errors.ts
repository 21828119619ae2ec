export { AccountNotFoundError } from '../accounts/errors.js';

/** Another client kept writing to a collection while it was read (412 on every attempt). */
export class CollectionKeptChangingError extends Error {
  override readonly name = 'CollectionKeptChangingError';
  constructor(
    readonly collection: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`${collection} changed on the server during each of ${attempts} attempts to read it (another client is syncing); try again later`, options);
  }
}

/**
 * The one line a failed snapshot keeps as its error. Errors of the protocol layer never carry
 * secrets (tokens, keys and payloads stay out of their messages); only the first line is kept
 * and its length bounded, so no stack or response body ends up in the store.
 */
export function failureSummary(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `Error: ${String(error)}`;
  const line = text.split('\n', 1)[0] ?? text;
  return line.length > 500 ? `${line.slice(0, 499)}…` : line;
}
