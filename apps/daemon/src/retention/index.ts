/** Retention (restic-style forget), garbage collection of versions and blobs, and the store check. */
export * from './policy.js';
export * from './forget-service.js';
export * from './store-check.js';
