import type { FieldsDiff } from '../types.js';
import { byId, fieldChanges, liveRecord, maskCardNumber, splitUnreadable, stringField, type Cleartext, type FieldDiffOptions, type RecordPair, type SemanticOptions } from './records.js';

const CARD_NUMBER = 'entry.cc-number';

function entryField(record: Cleartext, field: string): string | null {
  const entry = record['entry'];
  return typeof entry === 'object' && entry !== null ? stringField(entry as Cleartext, field) : null;
}

function joined(...parts: Array<string | null>): string | null {
  const words = parts.filter((part): part is string => part !== null && part !== '');
  return words.length === 0 ? null : words.join(' ');
}

/** A few words to recognise a record by in each collection; never a secret. */
export function recordLabel(collection: string, record: Cleartext): string | null {
  switch (collection) {
    case 'forms':
      return stringField(record, 'name');
    case 'addons':
      return stringField(record, 'addonID');
    case 'addresses':
      return joined(entryField(record, 'name') ?? joined(entryField(record, 'given-name'), entryField(record, 'family-name')), entryField(record, 'street-address'));
    case 'creditcards': {
      const entry = record['entry'];
      const number = typeof entry === 'object' && entry !== null ? (entry as Cleartext)['cc-number'] : undefined;
      return joined(entryField(record, 'cc-name'), number === undefined ? null : maskCardNumber(number));
    }
    case 'tabs':
      return stringField(record, 'clientName');
    case 'clients':
      return stringField(record, 'name');
    default:
      return null;
  }
}

function optionsFor(collection: string, options: SemanticOptions): FieldDiffOptions {
  if (collection === 'creditcards') return { ...options, secrets: new Set([CARD_NUMBER]), maskSecret: maskCardNumber };
  return options;
}

/**
 * Field by field (forms, prefs, addons, addresses, creditcards, tabs, clients, meta, crypto and
 * collections without a schema): records added and removed, and per changed record its changed
 * fields. Card numbers show as their last four digits unless `revealSecrets`.
 */
export function diffFields(collection: string, pairs: readonly RecordPair[], options: SemanticOptions = {}): FieldsDiff {
  const { readable, unreadable } = splitUnreadable(pairs);
  const diff: FieldsDiff = { kind: 'fields', added: [], removed: [], changed: [], unreadable };
  const fieldOptions = optionsFor(collection, options);
  for (const pair of readable) {
    const before = liveRecord(pair.before);
    const after = liveRecord(pair.after);
    if (before === undefined && after !== undefined) diff.added.push({ id: pair.id, label: recordLabel(collection, after) });
    else if (before !== undefined && after === undefined) diff.removed.push({ id: pair.id, label: recordLabel(collection, before), tombstone: pair.after !== undefined });
    else if (before !== undefined && after !== undefined) {
      const changes = fieldChanges(before, after, fieldOptions);
      if (changes.length > 0) diff.changed.push({ id: pair.id, label: recordLabel(collection, after), changes });
    }
  }
  diff.added.sort(byId);
  diff.removed.sort(byId);
  diff.changed.sort(byId);
  return diff;
}
