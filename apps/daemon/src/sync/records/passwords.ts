import { expected, integer, nullable, optional, string, type RecordProblem, type Shape } from './fields.js';

/** A login. Clients send unknown fields back unchanged, so they must survive here too. */
export interface PasswordRecord {
  id: string;
  hostname?: string;
  /** Set for form logins, null for HTTP auth. */
  formSubmitURL?: string | null;
  /** Set for HTTP auth, null for form logins. */
  httpRealm?: string | null;
  username?: string;
  password?: string;
  usernameField?: string;
  passwordField?: string;
  /** The times are milliseconds from the writing client's clock. */
  timeCreated?: number;
  timePasswordChanged?: number;
  timeLastUsed?: number;
  timesUsed?: number;
  timeLastBreachAlertDismissed?: number;
}

export const passwordShape: Shape<PasswordRecord> = {
  id: string(),
  hostname: expected(string()),
  formSubmitURL: optional(nullable(string())),
  httpRealm: optional(nullable(string())),
  username: expected(string()),
  password: expected(string()),
  usernameField: optional(string()),
  passwordField: optional(string()),
  timeCreated: optional(integer()),
  timePasswordChanged: optional(integer()),
  timeLastUsed: optional(integer()),
  timesUsed: optional(integer()),
  timeLastBreachAlertDismissed: optional(integer()),
};

/** Clients reject a login that is both (or neither) a form login and an HTTP-auth login. */
export function checkPasswordKind(record: PasswordRecord, problems: RecordProblem[]): void {
  const isForm = typeof record.formSubmitURL === 'string';
  const isHttpAuth = typeof record.httpRealm === 'string';
  if (isForm === isHttpAuth) {
    problems.push({
      field: 'formSubmitURL',
      kind: 'invalid-value',
      message: 'formSubmitURL/httpRealm: a login needs exactly one of them (form login or HTTP auth)',
    });
  }
}
