import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  paginateQuery,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { RECORDS_TABLE, ROLLOUT_WAITER } from '../contract/records.js';
import type { Rollout } from '../contract/shapes.js';

/** An execution waiting for one ECS deployment to settle, and the task token that resumes it. */
export interface RolloutWaiter {
  taskToken: string;
  cluster: string;
  service: string;
  rollout: Rollout;
  executionArn?: string;
  storedAt: number;
}

const { partitionKey, sortKey } = RECORDS_TABLE;
const serviceKey = (cluster: string, service: string) =>
  `${ROLLOUT_WAITER.partitionKeyPrefix}${cluster}/${service}`;
const waiterKey = (w: Pick<RolloutWaiter, 'cluster' | 'service' | 'rollout'>) => ({
  [partitionKey]: serviceKey(w.cluster, w.service),
  [sortKey]: w.rollout.deploymentId,
});

/**
 * The waiting rollouts, in the records table, found by the service ECS's
 * events name. A token is resolved by whoever *claims* its item first — the
 * waiter's own check or the event handler — with a conditional delete, so
 * exactly one of them calls Step Functions back.
 */
export class RolloutWaiters {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Stores (or replaces: a retried or re-entered wait has a new token) the waiter of a deployment. */
  async put(waiter: RolloutWaiter): Promise<void> {
    await this.ddb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({ ...waiterKey(waiter), ...waiter }, { removeUndefinedValues: true }),
      }),
    );
  }

  /** Every deployment of the service that an execution is waiting on (normally one). */
  async ofService(cluster: string, service: string): Promise<RolloutWaiter[]> {
    const pages = paginateQuery(
      { client: this.ddb },
      {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: marshall({ ':pk': serviceKey(cluster, service) }),
        ConsistentRead: true,
      },
    );
    const waiters: RolloutWaiter[] = [];
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const { [partitionKey]: _pk, [sortKey]: _sk, ...waiter } = unmarshall(item);
        waiters.push(waiter as RolloutWaiter);
      }
    }
    return waiters;
  }

  /** True for the one caller that removed this token's item; false if it was claimed or replaced before. */
  async claim(waiter: RolloutWaiter): Promise<boolean> {
    try {
      await this.ddb.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: marshall(waiterKey(waiter)),
          ConditionExpression: 'taskToken = :token',
          ExpressionAttributeValues: marshall({ ':token': waiter.taskToken }),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
