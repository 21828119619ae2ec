/** Dependency-injection tokens of the daemon's infrastructure (Nest wiring only). */
export const SYNCVAULT_CONFIG = Symbol('SyncvaultConfig');
export const PRISMA = Symbol('PrismaClient');
export const VAULT = Symbol('Vault');
export const KEY_CUSTODY = Symbol('KeyCustody');
/** A small ioredis client of the API's own: health checks (BullMQ keeps its connections to itself). */
export const REDIS = Symbol('Redis');
export const APP_OPTIONS = Symbol('SyncvaultAppOptions');
