import { HttpError } from '../http/index.js';

/** The user API knows the user but has no storage node for them (`null`). */
export class NodeUnassignedError extends Error {
  override readonly name = 'NodeUnassignedError';
  constructor(readonly username: string) {
    super(`no storage node assigned to Sync 1.1 user ${username}`);
  }
}

/** The user API answered 404 to the node lookup: no such user. */
export class UnknownUserError extends HttpError {
  override readonly name: string = 'UnknownUserError';
}
