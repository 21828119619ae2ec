export * from './types.js';
export * from './errors.js';
export { MigrationService, type MigrationRunOptions, type MigrationServiceOptions } from './migration-service.js';
export { clientInstructions } from './client-instructions.js';
