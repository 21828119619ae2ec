/** Jobs: BullMQ queues, the backup, retention, restore and migrate processors, schedules mirrored from Postgres. */
export * from './contracts.js';
export * from './engine-bindings.js';
export * from './queues.js';
export * from './schedule.js';
export * from './schedules.js';
export * from './progress.js';
export * from './backup-job.js';
export * from './cancellation.js';
export * from './retention-job.js';
export * from './restore-job.js';
export * from './migrate-job.js';
export * from './plan-migration.js';
export * from './job-view.js';
export * from './job-events.js';
export * from './jobs-service.js';
export * from './run-backup.js';
export * from './snapshot-digest.js';
export { JobsModule, ScheduleReconciler, WorkersStatus, type JobsModuleOptions } from './jobs.module.js';
