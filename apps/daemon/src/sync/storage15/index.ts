export * from './storage15-client.js';
