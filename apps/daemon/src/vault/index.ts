/** Secrets at rest: plain TypeScript, no framework imports. */
export * from './vault.js';
export * from './vault-key.js';
export * from './key-custody.js';
