import type { LoginRef, PasswordsDiff } from '../types.js';
import { byId, fieldChanges, liveRecord, splitUnreadable, stringField, type Cleartext, type RecordPair, type SemanticOptions } from './records.js';

const SECRETS: ReadonlySet<string> = new Set(['password']);

function loginRef(id: string, record: Cleartext): LoginRef {
  return { id, hostname: stringField(record, 'hostname'), username: stringField(record, 'username') };
}

/**
 * Logins added, removed and changed, with the names of the fields that changed. Password values
 * appear only with `revealSecrets`; without it a changed password is named, never shown.
 */
export function diffPasswords(pairs: readonly RecordPair[], options: SemanticOptions = {}): PasswordsDiff {
  const { readable, unreadable } = splitUnreadable(pairs);
  const diff: PasswordsDiff = { kind: 'passwords', added: [], removed: [], changed: [], unreadable };
  for (const pair of readable) {
    const before = liveRecord(pair.before);
    const after = liveRecord(pair.after);
    if (before === undefined && after !== undefined) diff.added.push(loginRef(pair.id, after));
    else if (before !== undefined && after === undefined) diff.removed.push({ ...loginRef(pair.id, before), tombstone: pair.after !== undefined });
    else if (before !== undefined && after !== undefined) {
      const changes = fieldChanges(before, after, { secrets: SECRETS, ...options });
      if (changes.length > 0) diff.changed.push({ ...loginRef(pair.id, after), fields: changes.map((change) => change.field), changes });
    }
  }
  diff.added.sort(byId);
  diff.removed.sort(byId);
  diff.changed.sort(byId);
  return diff;
}
