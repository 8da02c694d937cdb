/**
 * Environment variables the pipeline stack sets on the functions and the
 * functions read at cold start. Deployment targets are not among them: they
 * travel in the state machine's input to Prepare, so one set of functions
 * serves every service of the app.
 */
export const ENV = {
  /** The deployment-record table (records and per-service locks). */
  recordsTable: 'RECORDS_TABLE_NAME',
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** The only bucket CodeBuild may read sources from. */
  sourceBucket: 'SOURCE_BUCKET',
  /** JSON object: service name → its ECR repository's name (start-deployment maps a push to its service). */
  serviceRepositories: 'SERVICE_REPOSITORIES',
  lockTtlSeconds: 'LOCK_TTL_SECONDS',
  /** The event bus stepship emits its deployment events to (the account's default bus). */
  eventBusName: 'EVENT_BUS_NAME',
  rolloutTimeoutSeconds: 'ROLLOUT_TIMEOUT_SECONDS',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
