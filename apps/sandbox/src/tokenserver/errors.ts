/** A tokenserver error response: `{"status", "errors": [{location, name, description}]}`, as syncstorage-rs writes it. */
export class TokenserverError extends Error {
  override readonly name = 'TokenserverError';

  constructor(
    readonly httpStatus: number,
    readonly status: string,
    readonly location: 'header' | 'url' | 'body' | 'internal',
    readonly errorName: string,
    readonly description: string,
  ) {
    super(`${status}: ${description}`);
  }

  body(): { status: string; errors: Array<{ location: string; name: string; description: string }> } {
    return { status: this.status, errors: [{ location: this.location, name: this.errorName, description: this.description }] };
  }
}

export const tokenserverErrors = {
  unauthorized: (description = 'Unauthorized') => new TokenserverError(401, 'error', 'body', '', description),
  invalidCredentials: () => new TokenserverError(401, 'invalid-credentials', 'body', '', 'Unauthorized'),
  invalidKeyId: (description: string) => new TokenserverError(401, 'invalid-key-id', 'header', '', description),
  invalidClientState: (description: string) =>
    new TokenserverError(401, 'invalid-client-state', 'header', 'X-Client-State', description),
  clientStateMismatch: () => new TokenserverError(401, 'invalid-client-state', 'body', '', 'Unauthorized'),
  malformedClientState: () => new TokenserverError(400, 'error', 'header', 'X-Client-State', 'Invalid client state value'),
  invalidGeneration: () => new TokenserverError(401, 'invalid-generation', 'body', '', 'Unauthorized'),
  invalidKeysChangedAt: () => new TokenserverError(401, 'invalid-keysChangedAt', 'body', '', 'Unauthorized'),
  unsupported: (description: string, name: string) => new TokenserverError(404, 'error', 'url', name, description),
  notFound: () => new TokenserverError(404, 'error', 'url', '', 'Not Found'),
  internal: () => new TokenserverError(500, 'internal-error', 'internal', '', 'Server error'),
};
