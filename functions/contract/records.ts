/**
 * The deployment-record table's key schema, which the pipeline stack creates
 * and the steps read and write: one item per deployment, one lock item per
 * service, one item per rollout an execution waits on, and an index of a
 * service's deployments by start time.
 */
export const RECORDS_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  byServiceIndex: 'by-service',
  /** The index's keys are attributes of every deployment record. */
  byServicePartitionKey: 'service',
  byServiceSortKey: 'startedAt',
} as const;

/**
 * A waiting rollout: `pk` = ROLLOUT#<cluster>/<service> (what ECS's events
 * name), `sk` = the ECS deployment id; the item holds the execution's task
 * token until the waiter or the event handler claims it.
 */
export const ROLLOUT_WAITER = {
  partitionKeyPrefix: 'ROLLOUT#',
} as const;
