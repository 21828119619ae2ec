export type { RecordProblem, RecordProblemKind } from './fields.js';
export { isTombstone, type Tombstone } from './tombstone.js';
export {
  isBookmarkContainer,
  normalizeBookmarkId,
  ROOT_TITLES,
  USER_CONTENT_ROOTS,
  type BookmarkContainer,
  type BookmarkItem,
  type BookmarkItemType,
  type BookmarkRecord,
  type BookmarkRootId,
  type FolderRecord,
  type LivemarkRecord,
  type MicrosummaryRecord,
  type QueryRecord,
  type SeparatorRecord,
} from './bookmarks.js';
export type { HistoryRecord, HistoryVisit } from './history.js';
export type { PasswordRecord } from './passwords.js';
export type { FormRecord } from './forms.js';
export type { PrefsRecord } from './prefs.js';
export type { TabEntry, TabsRecord } from './tabs.js';
export type { ClientCommand, ClientRecord } from './clients.js';
export type { AddonRecord } from './addons.js';
export type { AddressEntry, AddressRecord, CreditCardEntry, CreditCardRecord } from './autofill.js';
export { STORAGE_VERSION, type CryptoKeysRecord, type EngineState, type KeyPair, type MetaGlobalRecord } from './global.js';
export {
  isKnownCollection,
  validateRecord,
  type CollectionRecords,
  type KnownCollection,
  type OpaqueRecord,
  type RecordValidation,
  type SyncRecord,
} from './validate.js';
export {
  BookmarkTree,
  type BookmarkNode,
  type BookmarkProblemCounts,
  type BookmarkTreeReport,
  type ChildLink,
  type ParentLink,
} from './bookmark-tree.js';
export { COLLECTION_TTL_SECONDS, remainingTtlSeconds } from './ttl.js';
