export * from './types.js';
export * from './errors.js';
export { MigrationService, type MigrationRunOptions, type MigrationServiceOptions } from './migration-service.js';
export { clientInstructions } from './client-instructions.js';
export { convertLegacyMetaGlobal, mergeIntoTargetMeta, newSyncId, parseMetaGlobal, withNewSyncIds, BOOKMARKS_ENGINE_VERSION } from './meta-global.js';
