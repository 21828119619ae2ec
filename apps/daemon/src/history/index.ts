/** Reading the archive: snapshots and their decrypted contents. */
export * from './snapshot-reader.js';
export * from './account-lookup.js';
