export * from './encoding.js';
export * from './hkdf.js';
export * from './bundle.js';
export * from './envelope.js';
export * from './onepw.js';
