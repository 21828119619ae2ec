/**
 * Logins as the CSV files password managers import. Values are written exactly as stored: a
 * changed character would be a wrong password after the import.
 */
import type { PasswordRecord } from '../sync/index.js';
import { csvRow } from './csv.js';

/** The columns of Firefox's about:logins export, which its import reads back. */
export const FIREFOX_LOGINS_COLUMNS = ['url', 'username', 'password', 'httpRealm', 'formActionOrigin', 'guid', 'timeCreated', 'timeLastUsed', 'timePasswordChanged'] as const;

/** The login columns of Bitwarden's CSV import. */
export const BITWARDEN_COLUMNS = ['folder', 'favorite', 'type', 'name', 'notes', 'fields', 'reprompt', 'login_uri', 'login_username', 'login_password', 'login_totp'] as const;

export function firefoxLoginsHeader(): string {
  return csvRow(FIREFOX_LOGINS_COLUMNS, { quoteAll: true });
}

/** As Firefox writes it: every present value quoted, an absent realm or form origin left empty. */
export function firefoxLoginRow(login: PasswordRecord): string {
  return csvRow(
    [
      login.hostname,
      login.username ?? '',
      login.password ?? '',
      login.httpRealm,
      login.formSubmitURL,
      login.id,
      login.timeCreated,
      login.timeLastUsed,
      login.timePasswordChanged,
    ],
    { quoteAll: true },
  );
}

export function bitwardenHeader(): string {
  return csvRow(BITWARDEN_COLUMNS);
}

/** The site's host, as Bitwarden names an imported login; the hostname itself when it is no URL. */
export function loginName(hostname: string | undefined): string {
  if (hostname === undefined) return '';
  try {
    return new URL(hostname).host || hostname;
  } catch {
    return hostname;
  }
}

/** Bitwarden has no HTTP realm: it goes in the notes, so that nothing is lost. */
export function bitwardenRow(login: PasswordRecord): string {
  const notes = typeof login.httpRealm === 'string' ? `HTTP authentication realm: ${login.httpRealm}` : '';
  return csvRow(['', '', 'login', loginName(login.hostname), notes, '', '0', login.hostname ?? '', login.username ?? '', login.password ?? '', '']);
}
