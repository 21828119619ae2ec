import { expected, integer, object, optional, string, type Shape } from './fields.js';

/** Usage metadata shared by addresses and credit cards; times in milliseconds. */
interface AutofillUsage {
  timeCreated?: number;
  timeLastUsed?: number;
  timeLastModified?: number;
  timesUsed?: number;
  /** Entry format version: 1 for addresses, 3 for credit cards. */
  version?: number;
}

export interface AddressEntry extends AutofillUsage {
  name?: string;
  'given-name'?: string;
  'additional-name'?: string;
  'family-name'?: string;
  organization?: string;
  'street-address'?: string;
  'address-level3'?: string;
  'address-level2'?: string;
  'address-level1'?: string;
  'postal-code'?: string;
  country?: string;
  tel?: string;
  email?: string;
}

export interface CreditCardEntry extends AutofillUsage {
  'cc-name'?: string;
  /** In clear inside the encrypted payload. */
  'cc-number'?: string;
  'cc-exp-month'?: number;
  'cc-exp-year'?: number;
  'cc-type'?: string;
}

export interface AddressRecord {
  id: string;
  entry?: AddressEntry;
}

export interface CreditCardRecord {
  id: string;
  entry?: CreditCardEntry;
}

const usageShape: Shape<AutofillUsage> = {
  timeCreated: optional(integer()),
  timeLastUsed: optional(integer()),
  timeLastModified: optional(integer()),
  timesUsed: optional(integer()),
  version: optional(integer()),
};

const addressEntryShape: Shape<AddressEntry> = {
  ...usageShape,
  name: optional(string()),
  'given-name': optional(string()),
  'additional-name': optional(string()),
  'family-name': optional(string()),
  organization: optional(string()),
  'street-address': optional(string()),
  'address-level3': optional(string()),
  'address-level2': optional(string()),
  'address-level1': optional(string()),
  'postal-code': optional(string()),
  country: optional(string()),
  tel: optional(string()),
  email: optional(string()),
};

const creditCardEntryShape: Shape<CreditCardEntry> = {
  ...usageShape,
  'cc-name': optional(string()),
  'cc-number': expected(string()),
  'cc-exp-month': optional(integer()),
  'cc-exp-year': optional(integer()),
  'cc-type': optional(string()),
};

export const addressShape: Shape<AddressRecord> = {
  id: string(),
  entry: expected(object(addressEntryShape)),
};

export const creditCardShape: Shape<CreditCardRecord> = {
  id: string(),
  entry: expected(object(creditCardEntryShape)),
};
