import { boolean, expected, string, type Shape } from './fields.js';

export interface AddonRecord {
  id: string;
  addonID?: string;
  applicationID?: string;
  enabled?: boolean;
  /** "amo" for addons.mozilla.org. */
  source?: string;
}

export const addonShape: Shape<AddonRecord> = {
  id: string(),
  addonID: expected(string()),
  applicationID: expected(string()),
  enabled: expected(boolean()),
  source: expected(string()),
};
