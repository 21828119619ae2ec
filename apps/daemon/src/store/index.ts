/** The store: Postgres through Prisma. Every database access of the daemon goes through here. */
export * from './prisma.js';
export * from './locks.js';
export * from './blobs.js';
export * from './snapshot-writer.js';
export * from './snapshot-repository.js';
export * from './usage.js';
