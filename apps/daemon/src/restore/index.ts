export * from './types.js';
export { RestoreError, RestoreService, RESTORABLE_COLLECTIONS, type RestoreApplyOptions, type RestoreServiceOptions } from './restore-service.js';
export { BookmarkRestoreError, insertAtOriginalPosition, planBookmarkRestore, planBookmarkTreeRestore, subtreeIds, type BookmarkJson, type BookmarkRestoreChange, type BookmarkRestoreInput } from './bookmark-plan.js';
