/** The Sync protocol layer: plain TypeScript, no framework imports. */
export * from './connection.js';
export * from './probe.js';
export * from './crypto/index.js';
export * from './fxa/index.js';
export * from './tokenserver/index.js';
export * from './storage/index.js';
export { Storage15Client } from './storage15/storage15-client.js';
export { Storage11Client } from './storage11/storage11-client.js';
export { NodeUnassignedError, UnknownUserError } from './storage11/errors.js';
export * from './records/index.js';
export * from './http/index.js';
