/** Which file formats a collection can be exported as, and what each file is called and served as. */

export const EXPORT_FORMATS = ['html', 'json', 'jsonlz4', 'csv', 'bitwarden-csv', 'records'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportDescriptor {
  collection: string;
  format: ExportFormat;
  /** For the Content-Type header. */
  contentType: string;
  /** File name ending, without the dot. */
  extension: string;
  /** Bytes no terminal should print (jsonlz4). */
  binary: boolean;
  /** What the file is and where it goes, in a few words. */
  label: string;
}

type FormatTable = Partial<Record<ExportFormat, Omit<ExportDescriptor, 'collection' | 'format'>>>;

const JSON_TYPE = 'application/json; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8; header=present';
const RECORDS = { contentType: JSON_TYPE, extension: 'json', binary: false, label: 'Decrypted records (JSON)' } as const;

/** Collections with formats of their own; every other collection exports as its decrypted records. */
const SPECIAL_FORMATS: Readonly<Record<string, FormatTable>> = {
  bookmarks: {
    html: { contentType: 'text/html; charset=utf-8', extension: 'html', binary: false, label: 'Bookmarks HTML (imports into Firefox, Chrome, Edge, Safari)' },
    json: { contentType: JSON_TYPE, extension: 'json', binary: false, label: 'Firefox bookmarks backup (JSON)' },
    jsonlz4: { contentType: 'application/octet-stream', extension: 'jsonlz4', binary: true, label: 'Firefox bookmarks backup (.jsonlz4, for Library → Restore)' },
    records: RECORDS,
  },
  passwords: {
    csv: { contentType: CSV_TYPE, extension: 'csv', binary: false, label: 'Firefox logins CSV (about:logins import)' },
    'bitwarden-csv': { contentType: CSV_TYPE, extension: 'csv', binary: false, label: 'Bitwarden CSV import' },
    json: RECORDS,
  },
  history: {
    csv: { contentType: CSV_TYPE, extension: 'csv', binary: false, label: 'History CSV (one row per visit)' },
    json: { contentType: JSON_TYPE, extension: 'json', binary: false, label: 'History JSON (pages with their visits)' },
    records: RECORDS,
  },
};

const DEFAULT_FORMATS: FormatTable = { json: RECORDS };

/** The format a collection exports as when none is named: the one most people want. */
const PREFERRED: Readonly<Record<string, ExportFormat>> = { bookmarks: 'html', passwords: 'csv', history: 'csv' };

/** A format that does not fit the collection, or no such format: the caller's mistake. */
export class ExportInputError extends Error {
  override readonly name = 'ExportInputError';
}

function tableOf(collection: string): FormatTable {
  return Object.hasOwn(SPECIAL_FORMATS, collection) ? SPECIAL_FORMATS[collection]! : DEFAULT_FORMATS;
}

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** The formats that fit a collection, the preferred one first. */
export function exportFormatsFor(collection: string): ExportFormat[] {
  const formats = Object.keys(tableOf(collection)) as ExportFormat[];
  const preferred = defaultExportFormat(collection);
  return [preferred, ...formats.filter((format) => format !== preferred)];
}

export function defaultExportFormat(collection: string): ExportFormat {
  return Object.hasOwn(PREFERRED, collection) ? PREFERRED[collection]! : 'json';
}

/** What exporting `collection` as `format` produces; throws ExportInputError when it does not fit. */
export function describeExport(collection: string, format: string): ExportDescriptor {
  const fits = exportFormatsFor(collection);
  if (!isExportFormat(format)) throw new ExportInputError(`unknown export format "${format}"; ${collection} exports as ${fits.join(', ')}`);
  const entry = tableOf(collection)[format];
  if (entry === undefined) throw new ExportInputError(`${collection} cannot be exported as ${format}; it exports as ${fits.join(', ')}`);
  return { collection, format, ...entry };
}

/** A file name that is safe on every file system and says what the file holds. */
export function exportFileName(accountName: string, seq: number, descriptor: ExportDescriptor): string {
  const account = accountName.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'account';
  const variant = descriptor.format === 'bitwarden-csv' ? '-bitwarden' : descriptor.format === 'records' ? '-records' : '';
  return `${account}-snapshot-${seq}-${descriptor.collection}${variant}.${descriptor.extension}`;
}
