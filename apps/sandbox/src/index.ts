export {
  startSandbox,
  sandboxBanner,
  validPathPrefix,
  DEMO_FXA_EMAIL,
  DEMO_LEGACY_EMAIL,
  type SandboxOptions,
  type SandboxUrls,
  type SandboxAccount,
  type RunningSandbox,
  type SandboxBanner,
} from './sandbox.js';
export type { AccountRegistry, Account, FxaAccount, LegacyAccount } from './accounts/registry.js';
export type { StorageEngine } from './storage/engine.js';
export type { SeedSize } from './seed/index.js';
export * from './contracts.js';
