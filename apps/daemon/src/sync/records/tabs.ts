import { arrayOf, boolean, expected, nullable, number, object, optional, string, type Shape } from './fields.js';

export interface TabEntry {
  title?: string;
  /** Current URL first. */
  urlHistory?: string[];
  icon?: string | null;
  /** Seconds; old clients wrote floats or strings. */
  lastUsed?: number;
  inactive?: boolean;
  pinned?: boolean;
}

/** One record per device, id = that client's id. */
export interface TabsRecord {
  id: string;
  clientName?: string;
  tabs?: TabEntry[];
}

const tabShape: Shape<TabEntry> = {
  title: expected(string()),
  urlHistory: expected(arrayOf(string())),
  icon: optional(nullable(string())),
  lastUsed: optional(number()),
  inactive: optional(boolean()),
  pinned: optional(boolean()),
};

export const tabsShape: Shape<TabsRecord> = {
  id: string(),
  clientName: expected(string()),
  tabs: expected(arrayOf(object(tabShape))),
};
