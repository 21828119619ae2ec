/**
 * Diff and "when did it vanish?": plain TypeScript over the store (and, for live diffs, a Sync
 * connection). Entry points: DiffEngine.diffSnapshots(accountId, from, to, options) and
 * DiffEngine.findAcrossSnapshots(accountId, text, options); the semantic views are pure
 * functions of the records that differ.
 */
export * from './types.js';
export * from './errors.js';
export { DiffEngine, type DiffEngineOptions, type DiffOptions } from './diff-engine.js';
export { KeyedDecoders, type DecoderSource, type RecordDecoder } from './decoders.js';
export { DEFAULT_FIND_LIMIT, MAX_FIND_LIMIT, type FindOptions, type FindResult, type FoundRecord, type SnapshotPoint } from './find.js';
export { FIND_COLLECTIONS, matchRecord, type MatchedText } from './find-match.js';
export * from './semantic/index.js';
