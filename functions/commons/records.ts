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
import { requireEnv } from './env.js';
import { DeploymentInProgressError } from './errors.js';

/**
 * The deployment-record table: one item per deployment (`DEPLOYMENT#<id>`),
 * one lock item per service (`LOCK#<service>`), and the `by-service` index
 * (service, startedAt) for a service's history.
 */
export type DeploymentStatus = 'STARTED' | 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK' | 'ROLLBACK_FAILED';

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
   */
  async acquireLock(service: string, owner: string, ttlSeconds: number, now: Date): Promise<Lock> {
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
          ConditionExpression: 'attribute_not_exists(#pk) OR expiresAt < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#pk': partitionKey, '#owner': 'owner' },
          ExpressionAttributeValues: marshall({ ':now': Math.floor(now.getTime() / 1000), ':owner': owner }),
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

  /** Sets the given fields on a record, creating it if a failure came before it was written. */
  async updateRecord(deploymentId: string, fields: Partial<DeploymentRecord>): Promise<void> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    await this.ddb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall(recordKey(deploymentId)),
        UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
        ExpressionAttributeValues: marshall(Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])), {
          removeUndefinedValues: true,
        }),
      }),
    );
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
