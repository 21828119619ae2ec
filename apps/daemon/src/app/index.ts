/** The daemon's Nest application: bootstrap, root module and infrastructure tokens. */
export * from './bootstrap.js';
export * from './app.module.js';
export * from './tokens.js';
export * from './logger.js';
