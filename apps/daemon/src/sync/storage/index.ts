/** Types, errors and helpers shared by the storage 1.5 and 1.1 clients. */
export * from './types.js';
export * from './timestamps.js';
export * from './errors.js';
export * from './notices.js';
export * from './limits.js';
export { planUpload, serializeBso, type UploadBatchPlan } from './upload.js';
export type { StorageClientOptions } from './base-client.js';
