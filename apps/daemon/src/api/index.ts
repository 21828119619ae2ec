/** The HTTP API, and the app bootstrap that serves it. */
export * from '../app/index.js';
export * from './errors.js';
export * from './openapi.js';
export * from './openapi-decorators.js';
export * from './admin-bootstrap.js';
export * from './auth/auth-service.js';
export * from './auth/auth-guard.js';
export * from './auth/passwords.js';
export * from './auth/login-throttle.js';
export { ApiModule } from './api.module.js';
