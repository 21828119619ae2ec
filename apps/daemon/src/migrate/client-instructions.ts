import { MOZILLA_AUTH_SERVER_URL } from '../accounts/types.js';
import type { ClientInstructions } from './types.js';

/**
 * What to set on each kind of Firefox so it syncs with the target. Firefox reads these settings
 * only when it signs in to Sync, so each list starts by signing out.
 */
export function clientInstructions(target: { tokenServerUrl: string; fxaUrl: string | null }): ClientInstructions {
  const tokenServerUri = target.tokenServerUrl;
  const ownAccounts = target.fxaUrl !== null && target.fxaUrl.replace(/\/+$/, '') !== MOZILLA_AUTH_SERVER_URL ? target.fxaUrl : null;
  // Firefox wants the accounts server's content server (it serves /.well-known/fxa-client-configuration), not the auth server Syncvault signs in at.
  const contentServer = ownAccounts === null ? '' : `your accounts server's content server URL (the one serving /.well-known/fxa-client-configuration; Syncvault signs in at its auth server ${ownAccounts})`;
  const accountsStep = (step: string) => (ownAccounts === null ? [] : [step]);
  return {
    tokenServerUri,
    accountsServerUri: ownAccounts,
    desktop: [
      'In Firefox, open Settings → Sync and sign out (keep the local data).',
      'Open about:config and accept the warning.',
      `Set identity.sync.tokenserver.uri to ${tokenServerUri}`,
      ...accountsStep(`Set identity.fxaccounts.autoconfig.uri to ${contentServer}.`),
      'Sign in to Sync again with the same account, then open about:sync-log (or Settings → Sync → Sync now) to see it sync with the new server.',
    ],
    android: [
      'In Firefox for Android, open Settings → Account and sign out.',
      'Settings → About Firefox: tap the Firefox logo five times until "Debug menu enabled" appears.',
      `Back in Settings, open "Sync Debug" and set "Custom Sync server" to ${tokenServerUri}`,
      ...accountsStep(`In the same menu, set "Custom Firefox Account server" to ${contentServer}.`),
      'Let Firefox quit to apply it, start it again, and sign in to Sync.',
    ],
    ios: [
      'In Firefox for iOS, open Settings, tap your account and sign out.',
      'Settings: tap the version number at the bottom five times to show the debug settings.',
      `Open "Advanced Sync Settings", turn on the custom Sync server and enter ${tokenServerUri} as the token server.`,
      ...accountsStep(`In the same screen, enter ${contentServer} as the custom Firefox Account server.`),
      'Sign in to Sync again.',
    ],
  };
}
