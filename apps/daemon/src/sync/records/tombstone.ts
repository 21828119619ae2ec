import { literal, string, type Shape } from './fields.js';

/** How every collection marks a deletion: clients never notice server-side DELETEs, only these. */
export interface Tombstone {
  id: string;
  deleted: true;
}

export const tombstoneShape: Shape<Tombstone> = {
  id: string(),
  deleted: literal(true),
};

export function isTombstone(record: object): record is Tombstone {
  return (record as { deleted?: unknown }).deleted === true;
}
