import { anyValue, expected, mapOf, string, type Shape } from './fields.js';

/** The single prefs record (engine version 2); its id is the base64url of the application id. */
export interface PrefsRecord {
  id: string;
  /** Pref name to value; `null` resets the pref to its default. */
  value?: Record<string, unknown>;
}

export const prefsShape: Shape<PrefsRecord> = {
  id: string(),
  value: expected(mapOf(anyValue())),
};
