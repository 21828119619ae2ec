/** Exports of a snapshot's collections as the files browsers and password managers import. Plain TypeScript. */
export * from './formats.js';
export * from './csv.js';
export * from './tally.js';
export * from './bookmark-export-tree.js';
export * from './bookmarks-html.js';
export * from './bookmarks-json.js';
export * from './mozlz4.js';
export * from './passwords.js';
export * from './history.js';
export * from './snapshot-export.js';
