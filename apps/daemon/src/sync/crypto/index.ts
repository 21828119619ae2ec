export * from './errors.js';
export * from './record-cipher.js';
export * from './collection-keys.js';
