import type { HistoryDiff, HistoryVisitRef, PageRef } from '../types.js';
import { byId, liveRecord, splitUnreadable, stringField, type Cleartext, type RecordPair } from './records.js';

function visitsOf(record: Cleartext): HistoryVisitRef[] {
  const visits = record['visits'];
  if (!Array.isArray(visits)) return [];
  return visits.flatMap((visit: unknown) => {
    if (typeof visit !== 'object' || visit === null) return [];
    const { date, type } = visit as { date?: unknown; type?: unknown };
    return typeof date === 'number' && typeof type === 'number' ? [{ date, type }] : [];
  });
}

function pageRef(id: string, record: Cleartext): PageRef {
  return { id, url: stringField(record, 'histUri'), title: stringField(record, 'title'), visits: visitsOf(record).length };
}

const visitKey = (visit: HistoryVisitRef): string => `${visit.date}/${visit.type}`;
const newestFirst = (a: HistoryVisitRef, b: HistoryVisitRef): number => b.date - a.date || a.type - b.type;

/** Pages added and removed, and per changed page the visits added and removed (and a new title or URL). */
export function diffHistory(pairs: readonly RecordPair[]): HistoryDiff {
  const { readable, unreadable } = splitUnreadable(pairs);
  const diff: HistoryDiff = { kind: 'history', added: [], removed: [], changed: [], unreadable };
  for (const pair of readable) {
    const before = liveRecord(pair.before);
    const after = liveRecord(pair.after);
    if (before === undefined && after !== undefined) diff.added.push(pageRef(pair.id, after));
    else if (before !== undefined && after === undefined) diff.removed.push({ ...pageRef(pair.id, before), tombstone: pair.after !== undefined });
    else if (before !== undefined && after !== undefined) {
      const had = new Map(visitsOf(before).map((visit) => [visitKey(visit), visit]));
      const has = new Map(visitsOf(after).map((visit) => [visitKey(visit), visit]));
      const visitsAdded = [...has].filter(([key]) => !had.has(key)).map(([, visit]) => visit).sort(newestFirst);
      const visitsRemoved = [...had].filter(([key]) => !has.has(key)).map(([, visit]) => visit).sort(newestFirst);
      const page = pageRef(pair.id, after);
      const titleBefore = stringField(before, 'title');
      const urlBefore = stringField(before, 'histUri');
      const retitled = titleBefore !== page.title;
      const moved = urlBefore !== page.url;
      if (visitsAdded.length === 0 && visitsRemoved.length === 0 && !retitled && !moved) continue;
      diff.changed.push({ ...page, ...(retitled && { titleBefore }), ...(moved && { urlBefore }), visitsAdded, visitsRemoved });
    }
  }
  diff.added.sort(byId);
  diff.removed.sort(byId);
  diff.changed.sort(byId);
  return diff;
}
