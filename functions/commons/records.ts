import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ENV } from '../contract/environment.js';
import { RECORDS_TABLE } from '../contract/records.js';
import type { DeploymentRequest } from '../contract/request.js';
import { requireEnv } from './env.js';
import { DeploymentInProgressError } from './errors.js';

/**
 * The deployment-record table: one item per deployment (`DEPLOYMENT#<id>`),
 * one lock item per service (`LOCK#<service>`), one queue slot per service
 * (`QUEUE#<service>`, queue-slot.ts), and the `by-service` index
 * (service, startedAt) for a service's history.
 *
 * A record is QUEUED while it waits for the service's running deployment,
 * SUPERSEDED if a newer one took its place before its turn came, STARTED
 * once its execution runs, and then one of the final outcomes.
 */
export type DeploymentStatus =
  | 'QUEUED'
  | 'SUPERSEDED'
  | 'STARTED'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'ROLLED_BACK'
  | 'ROLLBACK_FAILED'
  | 'ABORTED'
  | 'TIMED_OUT';

/** Outcomes after which a record never changes again. */
export const FINAL_STATUSES: readonly DeploymentStatus[] = [
  'SUPERSEDED',
  'SUCCEEDED',
  'FAILED',
  'ROLLED_BACK',
  'ROLLBACK_FAILED',
  'ABORTED',
  'TIMED_OUT',
];

export interface DeploymentRecord {
  deploymentId: string;
  service: string;
  executionArn: string;
  startedAt: string;
  status: DeploymentStatus;
  trigger: string;
  requester: string;
  imageTag?: string;
  imageDigest?: string;
  imageUri?: string;
  taskDefinitionArn?: string;
  previousTaskDefinitionArn?: string;
  rolledBackTo?: string;
  error?: string;
  cause?: string;
  timings?: Record<string, number>;
  finishedAt?: string;
  /** The request as start-deployment accepted it: what a repeat is compared with, and what a queued one starts with. */
  request?: DeploymentRequest;
  reason?: string;
  queuedAt?: string;
  /** SUPERSEDED: the newer deployment that took this one's place. */
  supersededBy?: string;
}

const MAX_HISTORY_PAGES = 20;
const { partitionKey, sortKey } = RECORDS_TABLE;
const recordKey = (deploymentId: string) => ({
  [partitionKey]: `DEPLOYMENT#${deploymentId}`,
  [sortKey]: 'RECORD',
});
const lockKey = (service: string) => ({ [partitionKey]: `LOCK#${service}`, [sortKey]: 'LOCK' });

export interface Lock {
  owner: string;
  acquiredAt: string;
  expiresAt: number;
}

export class RecordStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Takes the per-service lock for `owner` (an execution ARN). Free, expired or
   * already ours: taken. Held by another live run: DeploymentInProgressError
   * naming it. The expiry means a crashed run can't hold the lock forever.
   * `reentrant: false` refuses a lock already held by `owner` too: of two
   * workers starting the same queued deployment, only one may go on.
   */
  async acquireLock(
    service: string,
    owner: string,
    ttlSeconds: number,
    now: Date,
    { reentrant = true }: { reentrant?: boolean } = {},
  ): Promise<Lock> {
    const lock: Lock = {
      owner,
      acquiredAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds,
    };
    try {
      await this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ ...lockKey(service), ...lock }),
          ConditionExpression: `attribute_not_exists(#pk) OR expiresAt < :now${reentrant ? ' OR #owner = :owner' : ''}`,
          ExpressionAttributeNames: { '#pk': partitionKey, ...(reentrant ? { '#owner': 'owner' } : {}) },
          ExpressionAttributeValues: marshall({
            ':now': Math.floor(now.getTime() / 1000),
            ...(reentrant ? { ':owner': owner } : {}),
          }),
        }),
      );
      return lock;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const holder = await this.currentLock(service);
      const who = holder ? `${holder.owner} (since ${holder.acquiredAt})` : 'another execution';
      throw new DeploymentInProgressError(
        `A deployment of ${service} is already in progress: ${who}. Wait for it to finish, or stop it.`,
      );
    }
  }

  async currentLock(service: string): Promise<Lock | undefined> {
    const out = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(lockKey(service)),
        ConsistentRead: true,
      }),
    );
    return out.Item ? (unmarshall(out.Item) as Lock) : undefined;
  }

  /** Releases the lock if `owner` holds it; a lock held by someone else is left alone. */
  async releaseLock(service: string, owner: string): Promise<boolean> {
    try {
      await this.ddb.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: marshall(lockKey(service)),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: marshall({ ':owner': owner }),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async putRecord(record: DeploymentRecord): Promise<void> {
    await this.ddb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({ ...recordKey(record.deploymentId), ...record }, { removeUndefinedValues: true }),
      }),
    );
  }

  /**
   * Writes a new record unless one with its id exists: the one decision two
   * identical requests arriving together cannot both win. True if written.
   */
  async claimRecord(record: DeploymentRecord): Promise<boolean> {
    try {
      await this.ddb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ ...recordKey(record.deploymentId), ...record }, { removeUndefinedValues: true }),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': partitionKey },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Sets the given fields on a record, creating it if a failure came before it was written. */
  async updateRecord(deploymentId: string, fields: Partial<DeploymentRecord>): Promise<void> {
    await this.updateRecordIf(deploymentId, fields, undefined);
  }

  /**
   * Sets the given fields if the record's status is one of `statuses` (or,
   * with `orAbsent`, there is no record yet). False when the record had
   * moved on: a final outcome is never overwritten by a late writer.
   */
  async updateRecordIf(
    deploymentId: string,
    fields: Partial<DeploymentRecord>,
    statuses: readonly DeploymentStatus[] | undefined,
    { orAbsent = false }: { orAbsent?: boolean } = {},
  ): Promise<boolean> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return true;
    const values = Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v]));
    const names = Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k]));
    const allowed = (statuses ?? []).map((_, i) => `:s${i}`);
    const condition =
      statuses === undefined
        ? undefined
        : [`#status IN (${allowed.join(', ')})`, ...(orAbsent ? ['attribute_not_exists(#pk)'] : [])].join(
            ' OR ',
          );
    try {
      await this.ddb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall(recordKey(deploymentId)),
          UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ...(condition ? { ConditionExpression: condition } : {}),
          ExpressionAttributeNames: {
            ...names,
            ...(condition ? { '#status': 'status' } : {}),
            ...(orAbsent ? { '#pk': partitionKey } : {}),
          },
          ExpressionAttributeValues: marshall(
            { ...values, ...Object.fromEntries((statuses ?? []).map((s, i) => [`:s${i}`, s])) },
            { removeUndefinedValues: true },
          ),
        }),
      );
      return true;
    } catch (err) {
      if (condition && err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async getRecord(deploymentId: string): Promise<DeploymentRecord | undefined> {
    const out = await this.ddb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(recordKey(deploymentId)),
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const { [partitionKey]: _pk, [sortKey]: _sk, ...record } = unmarshall(out.Item);
    return record as DeploymentRecord;
  }

  /**
   * The task definition of the service's most recent SUCCEEDED (verified)
   * deployment, other than `excluding`. Reads newest first, a page at a time.
   */
  async lastVerifiedTaskDefinition(service: string, excluding: string): Promise<string | undefined> {
    const pages = paginateQuery(
      { client: this.ddb, pageSize: 50 },
      {
        TableName: this.tableName,
        IndexName: RECORDS_TABLE.byServiceIndex,
        KeyConditionExpression: '#service = :service',
        ExpressionAttributeNames: { '#service': RECORDS_TABLE.byServicePartitionKey },
        ExpressionAttributeValues: marshall({ ':service': service }),
        ScanIndexForward: false,
      },
    );
    let read = 0;
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const record = unmarshall(item) as DeploymentRecord;
        if (
          record.status === 'SUCCEEDED' &&
          record.taskDefinitionArn &&
          record.taskDefinitionArn !== excluding
        ) {
          return record.taskDefinitionArn;
        }
      }
      // A service with this many unverified deployments in a row has nothing worth rolling back to.
      if (++read >= MAX_HISTORY_PAGES) return undefined;
    }
    return undefined;
  }
}

/** The record store of the table the stack names in the function's environment. */
export function recordStoreFromEnv(ddb: DynamoDBClient): RecordStore {
  return new RecordStore(ddb, requireEnv(ENV.recordsTable));
}
