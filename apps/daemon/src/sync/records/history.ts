import { arrayOf, checked, expected, integer, nullable, object, optional, string, type Shape } from './fields.js';

export interface HistoryVisit {
  /** Microseconds since the epoch (not milliseconds). */
  date: number;
  /** Transition: 1 link, 2 typed, 3 bookmark, 4 embed, 5/6 redirect, 7 download, 8 framed link, 9 reload. */
  type: number;
}

export interface HistoryRecord {
  id: string;
  histUri?: string;
  title?: string | null;
  visits?: HistoryVisit[];
}

const visitShape: Shape<HistoryVisit> = {
  date: integer(),
  type: checked(integer(), (type) => type >= 1 && type <= 9, 'a visit transition is 1 to 9'),
};

export const historyShape: Shape<HistoryRecord> = {
  id: string(),
  histUri: expected(string()),
  title: optional(nullable(string())),
  visits: expected(arrayOf(object(visitShape))),
};
