/** History pages and their visits, for spreadsheets (CSV) and programs (JSON). */
import type { HistoryRecord } from '../sync/index.js';
import { csvRow, spreadsheetSafe } from './csv.js';

/** Places visit transitions, by their number in Sync records. */
const TRANSITIONS: Readonly<Record<number, string>> = {
  1: 'link',
  2: 'typed',
  3: 'bookmark',
  4: 'embed',
  5: 'redirect-permanent',
  6: 'redirect-temporary',
  7: 'download',
  8: 'framed-link',
  9: 'reload',
};

export const HISTORY_CSV_COLUMNS = ['url', 'title', 'visit_date', 'visit_type', 'transition', 'id'] as const;

export interface ExportedVisit {
  /** ISO 8601; null when the record's date is no usable time. */
  date: string | null;
  type: string;
  transition: number;
}

export interface ExportedPage {
  id: string;
  url: string;
  title: string;
  /** Newest first. */
  visits: ExportedVisit[];
}

/** Sync keeps visit dates in microseconds. */
export function visitDate(microseconds: number): string | null {
  const date = new Date(Math.floor(microseconds / 1000));
  return Number.isFinite(date.getTime()) ? date.toISOString() : null;
}

export function exportedPage(record: HistoryRecord): ExportedPage {
  const visits = [...(record.visits ?? [])]
    .sort((a, b) => b.date - a.date)
    .map((visit) => ({ date: visitDate(visit.date), type: TRANSITIONS[visit.type] ?? 'unknown', transition: visit.type }));
  return { id: record.id, url: record.histUri ?? '', title: record.title ?? '', visits };
}

export function historyCsvHeader(): string {
  return csvRow(HISTORY_CSV_COLUMNS);
}

/** One row per visit, newest first; a page without visits still gets one row. Text is made spreadsheet-safe (see spreadsheetSafe). */
export function historyCsvRows(page: ExportedPage): string {
  const url = spreadsheetSafe(page.url);
  const title = spreadsheetSafe(page.title);
  if (page.visits.length === 0) return csvRow([url, title, '', '', '', page.id]);
  return page.visits.map((visit) => csvRow([url, title, visit.date ?? '', visit.type, visit.transition, page.id])).join('');
}
