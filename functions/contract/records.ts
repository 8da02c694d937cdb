/**
 * The deployment-record table's key schema, which the pipeline stack creates
 * and the steps read and write: one item per deployment, one lock item per
 * service, and an index of a service's deployments by start time.
 */
export const RECORDS_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  byServiceIndex: 'by-service',
  /** The index's keys are attributes of every deployment record. */
  byServicePartitionKey: 'service',
  byServiceSortKey: 'startedAt',
} as const;
