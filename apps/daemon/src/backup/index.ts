export * from './types.js';
export * from './backup-engine.js';
export * from './errors.js';
export * from './health-alerts.js';
export * from './record-check.js';
export * from './traffic.js';
export { postAlertWebhook, type AlertWebhookMessage } from './alert-webhook.js';
