/** The semantic views of a diff: pure functions of the records that differ. */
import type { SemanticDiff } from '../types.js';
import { diffBookmarkTrees } from './bookmarks.js';
import { diffFields } from './fields.js';
import { diffHistory } from './history.js';
import { diffPasswords } from './passwords.js';
import type { Cleartext, RecordPair, SemanticOptions } from './records.js';

export { diffBookmarkTrees, missingBookmarkAncestors, type BookmarkDiffInput } from './bookmarks.js';
export { diffFields, recordLabel } from './fields.js';
export { diffHistory } from './history.js';
export { diffPasswords } from './passwords.js';
export { canonicalJson, fieldChanges, maskCardNumber, type Cleartext, type FieldDiffOptions, type RecordPair, type SemanticOptions } from './records.js';

/** The view that suits the collection; `context` (unchanged records by id) serves bookmark paths. */
export function semanticDiff(collection: string, pairs: readonly RecordPair[], options: SemanticOptions & { context?: ReadonlyMap<string, Cleartext> } = {}): SemanticDiff {
  switch (collection) {
    case 'bookmarks':
      return diffBookmarkTrees({ pairs, ...(options.context !== undefined && { context: options.context }) });
    case 'passwords':
      return diffPasswords(pairs, options);
    case 'history':
      return diffHistory(pairs);
    default:
      return diffFields(collection, pairs, options);
  }
}
