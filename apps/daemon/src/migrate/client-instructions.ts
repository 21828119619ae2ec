import type { ClientInstructions } from './types.js';

/** The settings that point Firefox (desktop, Android, iOS) at the target (skeleton). */
export function clientInstructions(target: { tokenServerUrl: string; fxaUrl: string | null }): ClientInstructions {
  return { tokenServerUri: target.tokenServerUrl, accountsServerUri: target.fxaUrl, desktop: [], android: [], ios: [] };
}
