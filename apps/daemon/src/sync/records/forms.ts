import { expected, string, type Shape } from './fields.js';

/** One remembered form-field value. */
export interface FormRecord {
  id: string;
  /** The form field's name. */
  name?: string;
  value?: string;
}

export const formShape: Shape<FormRecord> = {
  id: string(),
  name: expected(string()),
  value: expected(string()),
};
