/** The history page's address: the two points compared and the text searched, all in the query. */

export type DiffPoint = number | 'live';

export interface HistoryQuery {
  from?: number;
  to?: DiffPoint;
  find?: string;
}

export function historyHref(account: string, query: HistoryQuery): string {
  const params = new URLSearchParams();
  if (query.from !== undefined) params.set('from', String(query.from));
  if (query.to !== undefined) params.set('to', String(query.to));
  if (query.find !== undefined && query.find !== '') params.set('find', query.find);
  const search = params.toString();
  return `/accounts/${encodeURIComponent(account)}/history${search === '' ? '' : `?${search}`}`;
}

type Query = Record<string, string | string[] | undefined>;

function one(query: Query, key: string): string | undefined {
  const value = query[key];
  return Array.isArray(value) ? value[0] : value;
}

function seq(value: string | undefined): number | undefined {
  const number = Number(value);
  return value !== undefined && Number.isSafeInteger(number) && number >= 1 ? number : undefined;
}

export function parseHistoryQuery(query: Query): HistoryQuery {
  const to = one(query, 'to');
  const find = one(query, 'find')?.trim();
  const parsed: HistoryQuery = {};
  const from = seq(one(query, 'from'));
  if (from !== undefined) parsed.from = from;
  const toPoint = to === 'live' ? 'live' : seq(to);
  if (toPoint !== undefined) parsed.to = toPoint;
  if (find !== undefined && find !== '') parsed.find = find.slice(0, 200);
  return parsed;
}

/** "snapshot #3" or "the live server now". */
export function pointWords(point: DiffPoint): string {
  return point === 'live' ? 'the live server now' : `snapshot #${point}`;
}
