/** Sync accounts: adding (step by step), settings, sealed secrets, live connections. Plain TypeScript, no framework imports. */
export * from './types.js';
export * from './errors.js';
export * from './settings.js';
export * from './input.js';
export * from './views.js';
export * from './pending-logins.js';
export * from './account-service.js';
