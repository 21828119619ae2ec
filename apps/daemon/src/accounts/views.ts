import type { Account } from '../generated/prisma/client.js';
import { readAlertSettings, readRetention } from './settings.js';
import type { AccountSettings, AccountView } from './types.js';

/** The row's public face: every column but sealedSecrets, picked one by one so a new secret column never leaks by default. */
export function toAccountView(row: Account): AccountView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    email: row.email,
    fxaUrl: row.fxaUrl,
    tokenServerUrl: row.tokenServerUrl,
    serverUrl: row.serverUrl,
    storageUrl: row.storageUrl,
    signAsOrigin: row.signAsOrigin,
    schedule: row.schedule,
    retention: readRetention(row.retention),
    alertSettings: readAlertSettings(row.alertSettings),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function settingsOf(view: AccountView): AccountSettings {
  return { schedule: view.schedule, retention: view.retention, alertSettings: view.alertSettings };
}
