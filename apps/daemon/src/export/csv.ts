/** CSV as RFC 4180 has it: CRLF line ends, fields with a quote, comma or line break quoted, quotes doubled. */

export type CsvValue = string | number | null | undefined;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export interface CsvRowOptions {
  /** Quote every present value, as Firefox's about:logins export does; null and undefined stay empty and unquoted. */
  quoteAll?: boolean;
}

export function csvField(value: CsvValue, options: CsvRowOptions = {}): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return options.quoteAll === true || NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[], options: CsvRowOptions = {}): string {
  return `${values.map((value) => csvField(value, options)).join(',')}\r\n`;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a leading
 * apostrophe, which spreadsheets read as "this is text" and do not show. Only for files meant for
 * spreadsheets whose text comes from the web (page titles): importers of password files need the
 * values exactly as they are.
 */
export function spreadsheetSafe(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
