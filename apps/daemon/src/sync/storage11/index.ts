export * from './errors.js';
export * from './storage11-client.js';
